import type { Location } from './api.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** API.md: a session is "active" under 5 minutes since its last request. */
export const ACTIVE_WINDOW_MS = 5 * MINUTE;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absoluteDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const absoluteDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Active now" (< 5 min), "10 minutes ago", "yesterday", "3 days ago", then the date after 7 days. */
export function lastActiveText(iso: string, now: number = Date.now()): string {
  const elapsed = Math.max(0, now - Date.parse(iso));
  if (elapsed < ACTIVE_WINDOW_MS) return 'Active now';
  return timeAgo(iso, now);
}

export function timeAgo(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  const elapsed = Math.max(0, now - at);
  if (elapsed < MINUTE) return relative.format(-Math.round(elapsed / 1000), 'second');
  if (elapsed < HOUR) return relative.format(-Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return relative.format(-Math.floor(elapsed / HOUR), 'hour');
  if (elapsed <= 7 * DAY) return relative.format(-Math.floor(elapsed / DAY), 'day');
  return absoluteDate.format(at);
}

export function dateTime(iso: string): string {
  return absoluteDateTime.format(Date.parse(iso));
}

export function durationText(seconds: number): string {
  const days = seconds / 86400;
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.round(seconds / 60)} minutes`;
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

/** "Berlin, Germany"; "Local network" for private addresses; "Unknown location" otherwise. */
export function placeOf(location: Location | null, ip: string | null): { text: string; kind: PlaceKind } {
  // The server's GeoIP names private ranges itself ({country: "Local network"}, nothing else): not a guess from IP data.
  if (location && !location.city && !location.region && !location.countryCode && location.country === 'Local network') {
    return { text: 'Local network', kind: 'local' };
  }
  if (location) {
    const parts = [location.city ?? location.region, location.country ?? location.countryCode].filter((p): p is string => Boolean(p));
    if (parts.length > 0) return { text: parts.join(', '), kind: 'geo' };
  }
  if (ip && isLocalAddress(ip)) return { text: 'Local network', kind: 'local' };
  return { text: 'Unknown location', kind: 'unknown' };
}

/** `ses_1a2b3c4d5e6f` → `ses_1a2b…5e6f`: enough to tell sessions apart, not to be copied around. */
export function maskId(id: string): string {
  const underscore = id.indexOf('_');
  const prefix = underscore >= 0 ? id.slice(0, underscore + 1) : '';
  const rest = id.slice(prefix.length);
  if (rest.length <= 8) return id;
  return `${prefix}${rest.slice(0, 4)}…${rest.slice(-4)}`;
}
