import { UAParser } from 'ua-parser-js';
import { unknownDevice, type DeviceInfo } from '../core/session.ts';
import { readClientHints, type ClientHints, type HeaderBag } from './client-hints.ts';
import { parseAppClient } from './app-clients.ts';
import { matchKnownClient } from './known-clients.ts';
import { marketingName } from './model-names.ts';

/**
 * What a User-Agent string and User-Agent Client Hints say about the device behind a sign-in.
 * ua-parser-js is pinned to 1.x: it is MIT licensed (2.x is AGPL).
 */
export function parseDevice(userAgent: string | null | undefined, headers?: HeaderBag): DeviceInfo {
  const ua = (userAgent ?? '').slice(0, 512).trim();
  const hints = readClientHints(headers);
  if (ua === '' && hints === null) return unknownDevice;

  // Apps before the crawler rules: "MyCompanyApp/3.2.1 (… Android 14) okhttp/4.12.0" looks like a bot to isbot.
  const appClient = ua === '' ? null : parseAppClient(ua);
  if (appClient) return appClient;
  const known = ua === '' ? null : matchKnownClient(ua);
  if (known) {
    return { browser: known.name, browserVersion: known.version, os: null, osVersion: null, deviceType: known.deviceType, deviceModel: null, label: known.name };
  }

  const result = new UAParser(ua).getResult();
  const app = electronApp(ua, result.browser.name);
  const browser = app ?? browserFromHints(hints, result.browser.name ?? null, result.browser.version ?? null);
  const os = operatingSystem(result, hints);
  const rawModel = hints?.model || (isPlaceholderModel(result.device.model) ? null : (result.device.model ?? null));
  const deviceModel = rawModel ? marketingName(rawModel) : null;
  const deviceType = typeOf(result.device.type, hints, os.name, app !== null);

  return {
    browser: browser.name,
    browserVersion: browser.version,
    os: os.name,
    osVersion: os.version,
    deviceType,
    deviceModel,
    label: labelFor(browser.name, os.name, os.version, deviceModel),
  };
}

// ── browser ───────────────────────────────────────────────────────────────────────────────────────

interface Named {
  name: string | null;
  version: string | null;
}

/** Names people recognise: ua-parser's "Mobile Safari" is just Safari on a phone. */
function browserName(name: string): string {
  const plain = name.replace(/^Mobile /, '');
  return ({ 'Opera Touch': 'Opera', 'Opera Mobi': 'Opera' } as Record<string, string>)[plain] ?? plain;
}

/** Client-hint brands ("Google Chrome", "Microsoft Edge") → our browser names. "Chromium" alone says little. */
const hintBrands: Record<string, string> = {
  'Google Chrome': 'Chrome',
  'Microsoft Edge': 'Edge',
  Opera: 'Opera',
  'Opera GX': 'Opera GX',
  Brave: 'Brave',
  'Samsung Internet': 'Samsung Internet',
  Yandex: 'Yandex',
  YaBrowser: 'Yandex',
  Chromium: 'Chromium',
};

function browserFromHints(hints: ClientHints | null, uaName: string | null, uaVersion: string | null): Named {
  const fromUa: Named = { name: uaName ? browserName(uaName) : null, version: uaVersion };
  // A specific brand from the hints beats the UA string (Brave, for one, says "Chrome" there).
  const brand = hints?.brands.find((b) => b.brand !== 'Chromium' && hintBrands[b.brand]) ?? (fromUa.name ? undefined : hints?.brands.find((b) => b.brand === 'Chromium'));
  if (!brand) return fromUa;
  const name = hintBrands[brand.brand]!;
  // The UA has the full version (131.0.6778.86); keep it when it is the same browser and major version.
  const sameMajor = fromUa.name === name && brand.version !== null && uaVersion?.split('.')[0] === brand.version.split('.')[0];
  return { name, version: sameMajor ? uaVersion : brand.version };
}

/** Electron apps (Slack, Discord, Postman, VS Code…) put their own product token before "Chrome/". */
function electronApp(ua: string, parsedBrowser: string | undefined): Named | null {
  if (parsedBrowser !== 'Electron' && !/ Electron\/[\d.]+/.test(ua)) return null;
  const m = /([A-Za-z][\w.-]{0,40})\/([\w.]+)\s+Chrome\/[\d.]+\s+Electron\//.exec(ua);
  if (!m || m[1] === 'AppleWebKit') return { name: 'Electron app', version: null };
  const names: Record<string, string> = { discord: 'Discord', Code: 'VS Code', Teams: 'Microsoft Teams', WhatsApp: 'WhatsApp' };
  const raw = m[1]!;
  return { name: names[raw] ?? raw.charAt(0).toUpperCase() + raw.slice(1), version: m[2] ?? null };
}

// ── operating system ──────────────────────────────────────────────────────────────────────────────

/**
 * Values User-Agent reduction freezes: every Mac says 10_15_7, every ChromeOS 14541.0.0, every Windows
 * 10/11 "NT 10.0" and every reduced Android UA "Android 10; K". They tell nothing, so we report no version
 * unless a client hint gives the real one.
 */
function isFrozenVersion(os: string, version: string | undefined, model: string | undefined): boolean {
  if (version === undefined) return true;
  if (os === 'macOS') return version === '10.15.7' || version === '10.15'; // Firefox freezes at 10.15
  if (os === 'ChromeOS') return true;
  if (os === 'Windows') return version === '10'; // NT 10.0: Windows 10 and Windows 11 alike
  if (os === 'Android') return model === 'K';
  return false;
}

function isPlaceholderModel(model: string | undefined): boolean {
  return model === 'K' || model === 'Macintosh';
}

function osName(name: string, model: string | undefined): string {
  if (name === 'iOS' && model === 'iPad') return 'iPadOS';
  return ({ 'Mac OS': 'macOS', 'Chromium OS': 'ChromeOS', 'Chrome OS': 'ChromeOS' } as Record<string, string>)[name] ?? name;
}

/** Sec-CH-UA-Platform values → our OS names. */
const hintPlatforms: Record<string, string> = { Windows: 'Windows', macOS: 'macOS', Linux: 'Linux', Android: 'Android', 'Chrome OS': 'ChromeOS', ChromeOS: 'ChromeOS', iOS: 'iOS' };

function operatingSystem(result: UAParser.IResult, hints: ClientHints | null): Named {
  const uaName = result.os.name ? osName(result.os.name, result.device.model) : null;
  const uaVersion = uaName && !isFrozenVersion(uaName, result.os.version, result.device.model) ? result.os.version! : null;
  const hintName = hints?.platform ? (hintPlatforms[hints.platform] ?? null) : null;
  const name = hintName ?? uaName;
  if (name === null) return { name: null, version: null };
  const fallback = name === uaName ? uaVersion : null;
  if (hintName === null || !hints?.platformVersion) return { name, version: fallback };
  if (name === 'Windows') return { name, version: windowsVersion(hints.platformVersion) ?? fallback };
  return { name, version: trimVersion(hints.platformVersion) ?? fallback };
}

/**
 * Sec-CH-UA-Platform-Version on Windows is the Universal API contract version: 13 and above is Windows 11,
 * 1–10 is Windows 10, 0 is 8.1 or older (then the UA's "NT 6.x" says which).
 */
function windowsVersion(platformVersion: string): string | null {
  const major = Number(platformVersion.split('.')[0]);
  if (!Number.isInteger(major)) return null;
  if (major >= 13) return '11';
  if (major >= 1) return '10';
  return null;
}

/** "14.0.0" → "14", "15.1.0" → "15.1". */
function trimVersion(version: string): string | null {
  const trimmed = version.replace(/(\.0+)+$/, '');
  return /^[\w.]+$/.test(trimmed) && trimmed !== '' ? trimmed : null;
}

// ── type and label ────────────────────────────────────────────────────────────────────────────────

const desktopSystems = new Set(['Windows', 'macOS', 'Linux', 'ChromeOS', 'Ubuntu', 'Debian', 'Fedora', 'Arch', 'Mint', 'FreeBSD', 'OpenBSD', 'NetBSD', 'Solaris', 'Mandriva', 'SUSE', 'openSUSE', 'Gentoo', 'Kubuntu', 'Elementary OS']);

function typeOf(parsed: string | undefined, hints: ClientHints | null, os: string | null, isApp: boolean): string {
  if (parsed) return parsed; // mobile, tablet, console, smarttv, wearable, embedded, xr
  if (isApp) return 'app'; // Electron apps: Slack, Discord, VS Code
  if (hints?.mobile === true) return 'mobile';
  if (os !== null && desktopSystems.has(os)) return 'desktop';
  // Chrome on an Android tablet drops "Mobile" from its UA and sends Sec-CH-UA-Mobile: ?0.
  if (os === 'Android' && hints?.mobile === false) return 'tablet';
  return 'unknown';
}

function osLabel(os: string, version: string | null, model: string | null): string {
  if (os === 'iOS') return model === 'iPod' ? 'iPod' : 'iPhone';
  if (os === 'iPadOS') return 'iPad';
  if (os === 'Windows' && version !== null) return `Windows ${version}`;
  return os;
}

/** "Chrome on macOS", "Safari on iPhone", "Firefox on Windows 11", "Slack on Windows". */
function labelFor(browser: string | null, os: string | null, osVersion: string | null, model: string | null): string {
  const where = os === null ? null : osLabel(os, osVersion, model);
  if (browser && where) return `${browser} on ${where}`;
  if (browser) return browser;
  if (where) return `App on ${where}`;
  return unknownDevice.label;
}
