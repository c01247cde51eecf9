import { describe, expect, it } from 'vitest';
import { describeDetails } from '../../web/src/audit-details.ts';
import { lastActiveText, maskId, placeOf } from '../../web/src/format.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('web UI formatting', () => {
  it('says "Active now" under 5 minutes, then relative times, then a date after 7 days', () => {
    expect(lastActiveText(ago(0), now)).toBe('Active now');
    expect(lastActiveText(ago(5 * MINUTE - 1000), now)).toBe('Active now');
    // A clock a little ahead of the browser's is still "now", never "in 3 seconds".
    expect(lastActiveText(new Date(now + 3000).toISOString(), now)).toBe('Active now');
    expect(lastActiveText(ago(5 * MINUTE), now)).toMatch(/^5 min(ute)?s? ago$/);
    expect(lastActiveText(ago(3 * 60 * MINUTE), now)).toMatch(/^3 hours? ago$/);
    expect(lastActiveText(ago(1 * DAY), now)).toBe('yesterday');
    expect(lastActiveText(ago(7 * DAY), now)).toBe('7 days ago');
    const old = lastActiveText(ago(8 * DAY), now);
    expect(old).not.toMatch(/ago/);
    expect(old).toMatch(/2026/);
  });

  it('names places: "City, Country", the local network, or unknown', () => {
    const berlin = { city: 'Berlin', region: 'Berlin', country: 'Germany', countryCode: 'DE' };
    expect(placeOf(berlin, '203.0.113.9')).toEqual({ text: 'Berlin, Germany', kind: 'geo' });
    expect(placeOf({ city: null, region: null, country: 'Germany', countryCode: 'DE' }, '203.0.113.9')).toEqual({ text: 'Germany', kind: 'geo' });
    // The server's own marker for private ranges, and private addresses without any location.
    expect(placeOf({ city: null, region: null, country: 'Local network', countryCode: null }, '10.0.0.2')).toEqual({ text: 'Local network', kind: 'local' });
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.0.9', '::1', 'fd00::1', '::ffff:192.168.1.1']) {
      expect(placeOf(null, ip).kind, ip).toBe('local');
    }
    expect(placeOf(null, '8.8.8.8')).toEqual({ text: 'Unknown location', kind: 'unknown' });
    expect(placeOf(null, null)).toEqual({ text: 'Unknown location', kind: 'unknown' });
  });

  it('masks session ids', () => {
    expect(maskId('ses_abcdefghijklmnop')).toBe('ses_abcd…mnop');
    expect(maskId('ses_short')).toBe('ses_short');
  });

  it('summarises audit details, including settings changes', () => {
    expect(describeDetails({ count: 2 })).toEqual(['2 sessions']);
    expect(describeDetails({ device: 'Chrome on macOS', country: 'Germany', persistent: true, risk: ['New device: Chrome on macOS'] })).toEqual([
      'Chrome on macOS, Germany',
      'Kept signed in',
      'Suspicious: New device: Chrome on macOS',
    ]);
    expect(
      describeDetails({
        before: { idleTimeoutSeconds: 7 * 86400, rememberMe: { enabled: true, durationSeconds: 30 * 86400 }, anonymizeIp: false },
        after: { idleTimeoutSeconds: null, rememberMe: { enabled: false, durationSeconds: 30 * 86400 }, anonymizeIp: false },
      }),
    ).toEqual(['Idle timeout: 7 days → never', 'Remember me: on → off']);
    expect(describeDetails({ deviceKey: 'chrome|macos', latitude: 1 })).toEqual([]);
    expect(describeDetails(null)).toEqual([]);
  });
});
