import type { Location } from './api.ts';
import type { Fmt } from './i18n/fmt.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** API.md: a session is "active" under 5 minutes since its last request. */
export const ACTIVE_WINDOW_MS = 5 * MINUTE;

/** Sentence case, whatever the locale's relative-time formatter returns ("yesterday" → "Yesterday"). */
const capitalise = (text: string, locale: string) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);

/** "Active now" (< 5 min), "10 minutes ago", "Yesterday", "3 days ago", then date and time after 7 days. */
export function lastActiveText(f: Fmt, iso: string, now: number = Date.now()): string {
  const elapsed = Math.max(0, now - Date.parse(iso));
  if (elapsed < ACTIVE_WINDOW_MS) return f.t('time.activeNow');
  return timeAgo(f, iso, now);
}

export function timeAgo(f: Fmt, iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  const elapsed = Math.max(0, now - at);
  const relative = (value: number, unit: 'second' | 'minute' | 'hour' | 'day') =>
    capitalise(f.intl.formatRelativeTime(-value, unit, { numeric: 'auto' }), f.intl.locale);
  if (elapsed < MINUTE) return relative(Math.round(elapsed / 1000), 'second');
  if (elapsed < HOUR) return relative(Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return relative(Math.floor(elapsed / HOUR), 'hour');
  if (elapsed <= 7 * DAY) return relative(Math.floor(elapsed / DAY), 'day');
  return dateTime(f, iso);
}

/** Date and time to the minute, with the time zone ("23 Nov 2026, 14:05 UTC"). */
export function dateTime(f: Fmt, iso: string): string {
  return f.intl.formatDate(Date.parse(iso), { dateStyle: 'medium', timeStyle: 'short' }) + ` ${zoneName(f, iso)}`;
}

/** To the second, with the time zone: the audit log, where order within a minute matters. */
export function exactTime(f: Fmt, iso: string): string {
  return f.intl.formatDate(Date.parse(iso), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
}

function zoneName(f: Fmt, iso: string): string {
  const parts = new Intl.DateTimeFormat(f.intl.locale, { timeZoneName: 'short', ...(f.intl.timeZone ? { timeZone: f.intl.timeZone } : {}) }).formatToParts(Date.parse(iso));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** "1 day", "8 hours", "15 minutes" in the locale (Intl unit formatting, plural-aware). */
export function durationText(f: Fmt, seconds: number): string {
  const unit = (value: number, u: 'day' | 'hour' | 'minute') => f.intl.formatNumber(value, { style: 'unit', unit: u, unitDisplay: 'long' });
  const days = seconds / 86400;
  if (Number.isInteger(days)) return unit(days, 'day');
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return unit(hours, 'hour');
  return unit(Math.round(seconds / 60), 'minute');
}

/** Private, loopback and link-local addresses: the session came from the local network. */
export function isLocalAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}

export type PlaceKind = 'geo' | 'local' | 'unknown';

/**
 * A city-level name: "(Charlottenburg-Wilmersdorf)"-style district suffixes are dropped, since an IP
 * database is not that precise and the detail suggests it is.
 */
const cityName = (city: string | null) => (city ? city.replace(/\s*\([^)]*\)\s*$/, '').trim() || null : null);

/** "Berlin, Berlin, Germany" → "Berlin, Germany"; "Munich, Bavaria, Germany"; "Local network"; "Unknown location". */
export function placeOf(f: Fmt, location: Location | null, ip: string | null): { text: string; kind: PlaceKind } {
  // The server's GeoIP names private ranges itself ({country: "Local network"}, nothing else): not a guess from IP data.
  if (location && !location.city && !location.region && !location.countryCode && location.country === 'Local network') {
    return { text: f.t('place.local'), kind: 'local' };
  }
  if (location) {
    const city = cityName(location.city);
    const region = location.region && location.region !== city ? location.region : null;
    const country = countryName(f, location);
    const parts = [city, region, country].filter((p): p is string => Boolean(p));
    if (parts.length > 0) return { text: parts.join(', '), kind: 'geo' };
  }
  if (ip && isLocalAddress(ip)) return { text: f.t('place.local'), kind: 'local' };
  return { text: f.t('place.unknown'), kind: 'unknown' };
}

/** The country in the UI's language from its ISO code ("DE" → "Deutschland"), else as the database names it. */
export function countryName(f: Fmt, location: Pick<Location, 'country' | 'countryCode'>): string | null {
  if (location.countryCode) {
    try {
      const name = new Intl.DisplayNames([f.intl.locale], { type: 'region' }).of(location.countryCode.toUpperCase());
      if (name && name !== location.countryCode.toUpperCase()) return name;
    } catch {
      // Not a region code Intl knows; fall through to the database's name.
    }
  }
  return location.country;
}

/** `ses_1a2b3c4d5e6f` → `ses_1a2b…5e6f`: enough to tell sessions apart, not to be copied around. */
export function maskId(id: string): string {
  const underscore = id.indexOf('_');
  const prefix = underscore >= 0 ? id.slice(0, underscore + 1) : '';
  const rest = id.slice(prefix.length);
  if (rest.length <= 8) return id;
  return `${prefix}${rest.slice(0, 4)}…${rest.slice(-4)}`;
}
