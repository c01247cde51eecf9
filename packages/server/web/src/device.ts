import type { Device } from './api.ts';
import type { Fmt, Translate } from './i18n/fmt.ts';

/** The device kinds the library's parser reports (packages/seshat/src/device), named in the UI's language. */
export function deviceTypeName(t: Translate, type: string): string {
  switch (type) {
    case 'desktop':
      return t('deviceType.desktop');
    case 'mobile':
      return t('deviceType.mobile');
    case 'tablet':
      return t('deviceType.tablet');
    case 'app':
      return t('deviceType.app');
    case 'cli':
      return t('deviceType.cli');
    case 'bot':
      return t('deviceType.bot');
    default:
      return t('common.unknown');
  }
}

/** "Phone · Galaxy S23 Ultra", "Command-line client". */
export function deviceKind(t: Translate, device: Device): string {
  const type = deviceTypeName(t, device.deviceType);
  return device.deviceModel && device.deviceModel !== type ? `${type} · ${device.deviceModel}` : type;
}

function where(os: string, version: string | null): string {
  if (os === 'iOS') return 'iPhone';
  if (os === 'iPadOS') return 'iPad';
  if (os === 'Windows' && version) return `Windows ${version}`;
  return os;
}

/**
 * "Chrome on macOS" in the UI's language, from the parsed parts (the server's `label` is English).
 * Names of browsers, apps and systems are not translated.
 */
export function deviceLabel(f: Fmt, device: Device): string {
  const { browser, os } = device;
  if (browser && os) return f.t('device.on', { browser, os: where(os, device.osVersion) });
  if (browser) return browser;
  if (os) return f.t('device.appOn', { os: where(os, device.osVersion) });
  return f.t('device.unknown');
}
