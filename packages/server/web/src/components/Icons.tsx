/** Inline SVG icons; decorative (aria-hidden): the text next to them carries the meaning. */
const common = {
  width: 24,
  height: 24,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.8,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false,
};

/** One icon per device kind the library reports (packages/seshat/src/device); unknown kinds get a question mark. */
export function DeviceIcon({ type }: { type: string }) {
  switch (type) {
    case 'mobile':
      return (
        <svg {...common} className="icon device-icon" data-device="mobile">
          <rect x="7" y="2.5" width="10" height="19" rx="2" />
          <path d="M11 18.5h2" />
        </svg>
      );
    case 'tablet':
      return (
        <svg {...common} className="icon device-icon" data-device="tablet">
          <rect x="4" y="3" width="16" height="18" rx="2" />
          <path d="M11 18h2" />
        </svg>
      );
    case 'desktop':
      return (
        <svg {...common} className="icon device-icon" data-device="desktop">
          <rect x="2.5" y="4" width="19" height="12.5" rx="1.5" />
          <path d="M8.5 20.5h7M12 16.5v4" />
        </svg>
      );
    case 'app':
      // An app (okhttp, Dalvik, CFNetwork, Electron): a grid of app tiles.
      return (
        <svg {...common} className="icon device-icon" data-device="app">
          <rect x="3.5" y="3.5" width="7" height="7" rx="1.5" />
          <rect x="13.5" y="3.5" width="7" height="7" rx="1.5" />
          <rect x="3.5" y="13.5" width="7" height="7" rx="1.5" />
          <rect x="13.5" y="13.5" width="7" height="7" rx="1.5" />
        </svg>
      );
    case 'cli':
      // curl, scripts: a terminal prompt.
      return (
        <svg {...common} className="icon device-icon" data-device="cli">
          <rect x="2.5" y="4" width="19" height="16" rx="2" />
          <path d="m7 9 3 3-3 3M12.5 15h4.5" />
        </svg>
      );
    case 'bot':
      return (
        <svg {...common} className="icon device-icon" data-device="bot">
          <rect x="4.5" y="8" width="15" height="11" rx="2" />
          <path d="M12 4.5V8M9 13h.01M15 13h.01M9.5 16.5h5" />
          <circle cx="12" cy="3.5" r="1" />
        </svg>
      );
    default:
      return (
        <svg {...common} className="icon device-icon" data-device="unknown">
          <circle cx="12" cy="12" r="9.5" />
          <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.5M12 17h.01" />
        </svg>
      );
  }
}

export function WarningIcon() {
  return (
    <svg {...common} width={16} height={16} className="icon">
      <path d="M12 3 2 20h20L12 3z" />
      <path d="M12 10v4M12 17h.01" />
    </svg>
  );
}

export function PinIcon() {
  return (
    <svg {...common} width={16} height={16} className="icon">
      <path d="M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21z" />
      <circle cx="12" cy="9.5" r="2.5" />
    </svg>
  );
}
