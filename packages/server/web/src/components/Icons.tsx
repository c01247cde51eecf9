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

export function DeviceIcon({ type }: { type: string }) {
  if (type === 'mobile') {
    return (
      <svg {...common} className="icon device-icon" data-device="mobile">
        <rect x="7" y="2.5" width="10" height="19" rx="2" />
        <path d="M11 18.5h2" />
      </svg>
    );
  }
  if (type === 'tablet') {
    return (
      <svg {...common} className="icon device-icon" data-device="tablet">
        <rect x="4" y="3" width="16" height="18" rx="2" />
        <path d="M11 18h2" />
      </svg>
    );
  }
  // Desktops, laptops and anything a parser could not classify.
  return (
    <svg {...common} className="icon device-icon" data-device="desktop">
      <rect x="2.5" y="4" width="19" height="12.5" rx="1.5" />
      <path d="M8.5 20.5h7M12 16.5v4" />
    </svg>
  );
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
