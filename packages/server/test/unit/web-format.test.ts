import { describe, expect, it } from 'vitest';
import { describeDetails } from '../../web/src/audit-details.ts';
import { lastActiveText, maskId, placeOf } from '../../web/src/format.ts';
import { fmtFor } from '../../web/src/i18n/fmt.ts';

const en = fmtFor('en', 'UTC');
const de = fmtFor('de', 'UTC');

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('web UI formatting', () => {
  it('says "Active now" under 5 minutes, then relative times, then a date after 7 days', () => {
    expect(lastActiveText(en, ago(0), now)).toBe('Active now');
    expect(lastActiveText(en, ago(5 * MINUTE - 1000), now)).toBe('Active now');
    // A clock a little ahead of the browser's is still "now", never "in 3 seconds".
    expect(lastActiveText(en, new Date(now + 3000).toISOString(), now)).toBe('Active now');
    expect(lastActiveText(en, ago(5 * MINUTE), now)).toMatch(/^5 min(ute)?s? ago$/);
    expect(lastActiveText(en, ago(3 * 60 * MINUTE), now)).toMatch(/^3 hours? ago$/);
    expect(lastActiveText(en, ago(1 * DAY), now)).toBe('Yesterday');
    expect(lastActiveText(en, ago(7 * DAY), now)).toBe('7 days ago');
    const old = lastActiveText(en, ago(8 * DAY), now);
    expect(old).not.toMatch(/ago/);
    // After a week: date and time, with the time zone.
    expect(old).toBe('Nov 15, 2026, 12:00 PM UTC');
    expect(lastActiveText(de, ago(1 * DAY), now)).toBe('Gestern');
  });

  it('names places: "City, Country", the local network, or unknown', () => {
    const berlin = { city: 'Berlin', region: 'Berlin', country: 'Germany', countryCode: 'DE' };
    expect(placeOf(en, berlin, '203.0.113.9')).toEqual({ text: 'Berlin, Germany', kind: 'geo' });
    // City, region, country; no district; the country in the UI's language.
    const district = { city: 'Berlin (Charlottenburg-Wilmersdorf)', region: 'Land Berlin', country: 'Germany', countryCode: 'DE' };
    expect(placeOf(en, district, '203.0.113.9').text).toBe('Berlin, Land Berlin, Germany');
    expect(placeOf(de, { city: 'Madrid', region: 'Madrid', country: 'Spain', countryCode: 'ES' }, '203.0.113.9').text).toBe('Madrid, Spanien');
    expect(placeOf(en, { city: null, region: null, country: 'Germany', countryCode: 'DE' }, '203.0.113.9')).toEqual({ text: 'Germany', kind: 'geo' });
    // The server's own marker for private ranges, and private addresses without any location.
    expect(placeOf(en, { city: null, region: null, country: 'Local network', countryCode: null }, '10.0.0.2')).toEqual({ text: 'Local network', kind: 'local' });
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.0.9', '::1', 'fd00::1', '::ffff:192.168.1.1']) {
      expect(placeOf(en, null, ip).kind, ip).toBe('local');
    }
    expect(placeOf(en, null, '8.8.8.8')).toEqual({ text: 'Unknown location', kind: 'unknown' });
    expect(placeOf(en, null, null)).toEqual({ text: 'Unknown location', kind: 'unknown' });
  });

  it('masks session ids', () => {
    expect(maskId('ses_abcdefghijklmnop')).toBe('ses_abcd…mnop');
    expect(maskId('ses_short')).toBe('ses_short');
  });

  it('summarises audit details, including settings changes', () => {
    expect(describeDetails(en, { count: 2 })).toEqual(['2 sessions']);
    expect(describeDetails(en, { device: 'Chrome on macOS', country: 'Germany', persistent: true, risk: ['New device: Chrome on macOS'] })).toEqual([
      'Chrome on macOS, Germany',
      'Kept signed in',
      'Unusual: New device: Chrome on macOS',
    ]);
    expect(
      describeDetails(en, {
        before: { idleTimeoutSeconds: 7 * 86400, rememberMe: { enabled: true, durationSeconds: 30 * 86400 }, anonymizeIp: false },
        after: { idleTimeoutSeconds: null, rememberMe: { enabled: false, durationSeconds: 30 * 86400 }, anonymizeIp: false },
      }),
    ).toEqual(['Idle timeout: 7 days → Never', 'Remember me: on → off']);
    // A failed sign-in's e-mail is already the row's target: not repeated.
    expect(describeDetails(en, { email: 'a@example.com' }, ['Anonymous', 'a@example.com'])).toEqual([]);
    expect(describeDetails(en, { deviceKey: 'chrome|macos', latitude: 1 })).toEqual([]);
    expect(describeDetails(en, null)).toEqual([]);
  });
});

describe('risk wording', () => {
  it('says in one line what was unusual, with no speeds, in the UI language', async () => {
    const { riskLine, riskReasons } = await import('../../web/src/risk-text.ts');
    const session = {
      location: { city: 'Frankfurt am Main', region: 'Hesse', country: 'Germany', countryCode: 'DE' },
      risk: { suspicious: true, reasons: [], signals: ['new-country', 'impossible-travel'] as const, travel: { km: 9548, minutes: 2, fromCountry: 'Brazil', fromCountryCode: 'BR' } },
    };
    const s = { ...session, risk: { ...session.risk, signals: [...session.risk.signals] } };
    expect(riskLine(en, s)).toBe('Signed in from Germany 2 min after Brazil');
    expect(riskLine(de, s)).toBe('Anmeldung aus Deutschland 2 Min. nach Brasilien');
    expect(riskReasons(en, s, s.risk).join(' ')).not.toMatch(/km\/h/);
    expect(riskLine(en, { ...s, risk: { ...s.risk, signals: ['impossible-travel'], travel: { ...s.risk.travel, minutes: 0 } } })).toBe('Signed in from Germany moments after Brazil');
    // Sessions stored before signals were kept: the generic line, the server's reasons.
    expect(riskLine(en, { location: null, risk: { suspicious: true, reasons: ['x'] } })).toBe('This sign-in looked unusual');
  });
});
