import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, ManualClock } from '../../src/core/clock.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import { assessSignIn, deviceKey, haversineKm, type SignInFacts } from '../../src/core/risk.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import type { SessionRecord } from '../../src/core/session.ts';
import { sessionEnricher } from '../../src/enrich.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

// Verified against the bundled DB-IP City Lite database (see test/geo/geoip.test.ts).
const LONDON = '81.2.69.160';
const LONDON_2 = '81.2.69.161';
const TOKYO = '133.242.0.3';
const FRANKFURT_V6 = '2a00:1450:4001:830::200e';
const OFFICE_LAN = '192.168.1.20';

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_MAC_NEWER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('risk rules (pure)', () => {
  const facts = (over: Partial<SignInFacts>): SignInFacts => ({ at: 0, deviceKey: 'chrome|macos', deviceLabel: 'Chrome on macOS', countryCode: 'GB', country: 'United Kingdom', latitude: 51.5, longitude: -0.1, ...over });

  it('computes great-circle distances', () => {
    // London → Tokyo is about 9,560 km; London → Paris about 344 km.
    expect(haversineKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 35.6762, longitude: 139.6503 })).toBeCloseTo(9559, -1);
    expect(haversineKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 })).toBeCloseTo(344, -1);
    expect(haversineKm({ latitude: 10, longitude: 20 }, { latitude: 10, longitude: 20 })).toBe(0);
  });

  it('raises nothing for a first sign-in, whatever it looks like', () => {
    expect(assessSignIn(facts({ countryCode: 'JP' }), [], [])).toEqual({ suspicious: false, reasons: [], signals: [], newDevice: false });
  });

  it('keys devices by browser and OS, not version or label detail', () => {
    expect(deviceKey({ browser: 'Chrome', os: 'Windows', label: 'Chrome on Windows 11' })).toBe(deviceKey({ browser: 'Chrome', os: 'Windows', label: 'Chrome on Windows' }));
    expect(deviceKey({ browser: null, os: null, label: 'Unknown device' })).toBe('unknown device');
  });

  it('flags travel faster than 1000 km/h but not plausible flights or short GeoIP jitter', () => {
    const london = facts({ at: 0 });
    const tokyo = { countryCode: 'JP', country: 'Japan', latitude: 35.69, longitude: 139.75 };
    expect(assessSignIn(facts({ ...tokyo, at: 2 * HOUR }), [london], []).signals).toContain('impossible-travel');
    expect(assessSignIn(facts({ ...tokyo, at: 14 * HOUR }), [london], []).signals).not.toContain('impossible-travel');
    // 9,560 km in 9.5 h is ~1,006 km/h: just over.
    expect(assessSignIn(facts({ ...tokyo, at: 9.5 * HOUR }), [london], []).signals).toContain('impossible-travel');
    // Paris one minute later: fast on paper, but under the minimum distance GeoIP can be trusted with.
    expect(assessSignIn(facts({ countryCode: 'FR', latitude: 48.86, longitude: 2.35, at: MINUTE }), [london], []).signals).not.toContain('impossible-travel');
  });

  it('compares with the most recent located sign-in and skips unlocated ones', () => {
    const unlocated = facts({ at: 3 * HOUR, countryCode: null, country: null, latitude: null, longitude: null });
    const tokyoEarlier = facts({ at: 0, countryCode: 'JP', country: 'Japan', latitude: 35.69, longitude: 139.75 });
    const risk = assessSignIn(facts({ at: 4 * HOUR }), [unlocated, tokyoEarlier], []);
    expect(risk.signals).toEqual(['new-country', 'impossible-travel']);
    expect(risk.reasons[1]).toMatch(/^Impossible travel: 9,5\d\d km from Japan in 240 min$/);
    expect(risk.travel).toMatchObject({ minutes: 240, fromCountry: 'Japan' });
  });

  it('counts only failures inside the window', () => {
    const now = 100 * MINUTE;
    const inside = [1, 2, 3, 4, 14].map((m) => now - m * MINUTE);
    expect(assessSignIn(facts({ at: now }), [facts({})], inside).signals).toEqual(['failed-attempts']);
    expect(assessSignIn(facts({ at: now }), [facts({})], [...inside.slice(1), now - 16 * MINUTE]).signals).toEqual([]);
  });
});

/** The whole path: SessionManager + the default enricher + a real SQLite store, with a manual clock. */
describe('sign-in risk through SessionManager', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let manager: SessionManager;
  let newDevice: SessionRecord[];
  let suspicious: SessionRecord[];

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.migrate();
    clock = new ManualClock(Date.UTC(2026, 5, 1, 9));
    manager = new SessionManager({ store, clock, policy: roleBasedPolicy(['admin']), enrich: sessionEnricher({ store, clock }) });
    await manager.start();
    newDevice = [];
    suspicious = [];
    manager.events.on('session.new-device', (s) => newDevice.push(s));
    manager.events.on('session.suspicious', (s) => suspicious.push(s));
  });
  afterEach(async () => {
    await manager.stop();
    await store.close();
  });

  const signIn = async (ip: string, userAgent: string, userId = 'usr_alice') =>
    (await manager.createSession({ userId, remember: false, ip, userAgent, headers: { 'user-agent': userAgent } })).session;

  const failSignIn = (userId: string, ip: string) =>
    manager.audit.record({ action: 'auth.sign-in-failed', actorId: null, targetUserId: userId, sessionId: null, reason: null, ip, details: { email: 'x@example.com' } });

  it('enriches the session with device and location, and a first sign-in is not suspicious', async () => {
    const first = await signIn(LONDON, CHROME_MAC);
    expect(first.device.label).toBe('Chrome on macOS');
    expect(first.location).toMatchObject({ city: 'London', countryCode: 'GB' });
    expect(first.ip).toBe(LONDON);
    expect(first.risk).toMatchObject({ suspicious: false, reasons: [] });
    expect(newDevice).toEqual([]);
    expect(suspicious).toEqual([]);
  });

  it('writes device and place into the sign-in audit event for later comparisons', async () => {
    const s = await signIn(LONDON, CHROME_MAC);
    const { items } = await store.listAudit({ userId: 'usr_alice', action: 'auth.sign-in' });
    expect(items[0]).toMatchObject({ sessionId: s.id, ip: LONDON, details: { device: 'Chrome on macOS', deviceKey: 'chrome|macos', countryCode: 'GB', country: 'United Kingdom', latitude: 51.5143, longitude: -0.0912 } });
  });

  it('the same browser and OS again (even a newer version, from the same city) is not new', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(HOUR);
    const again = await signIn(LONDON_2, CHROME_MAC_NEWER);
    expect(again.risk).toMatchObject({ suspicious: false, reasons: [] });
    expect(newDevice).toEqual([]);
  });

  it('new device: emits session.new-device ("new sign-in") and notes the reason, without calling it suspicious', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(HOUR);
    const other = await signIn(LONDON, FIREFOX_LINUX);
    expect(other.risk).toMatchObject({ suspicious: false, reasons: ['New device: Firefox on Linux'] });
    expect(newDevice.map((s) => s.id)).toEqual([other.id]);
    expect(suspicious).toEqual([]);
    // Another user's history is not this user's.
    const bob = await signIn(LONDON, FIREFOX_LINUX, 'usr_bob');
    expect(bob.risk?.suspicious).toBe(false);
  });

  it('new country: a country not seen in earlier sign-ins', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(3 * 24 * HOUR); // slow enough not to be impossible travel
    const s = await signIn(FRANKFURT_V6, CHROME_MAC);
    expect(s.location?.countryCode).toBe('DE');
    expect(s.risk).toMatchObject({ suspicious: true, reasons: ['New country: Germany'] });
    expect(newDevice).toEqual([]);
  });

  it('impossible travel: London, then Tokyo an hour later', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(HOUR);
    const s = await signIn(TOKYO, CHROME_MAC);
    expect(s.location?.countryCode).toBe('JP');
    expect(s.risk?.suspicious).toBe(true);
    expect(s.risk?.reasons).toEqual(['New country: Japan', expect.stringMatching(/^Impossible travel: 9,5\d\d km from United Kingdom in 60 min$/)]);
    expect(suspicious.map((x) => x.id)).toEqual([s.id]);
  });

  it('Tokyo a day after London is a new country but possible travel', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(24 * HOUR);
    const s = await signIn(TOKYO, CHROME_MAC);
    expect(s.risk?.reasons).toEqual(['New country: Japan']);
  });

  it('sign-ins from the local network are neither located nor compared', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(MINUTE);
    const s = await signIn(OFFICE_LAN, CHROME_MAC);
    expect(s.location).toMatchObject({ country: 'Local network', countryCode: null });
    expect(s.risk).toMatchObject({ suspicious: false, reasons: [] });
  });

  it('many failed sign-ins just before: at least 5 in the previous 15 minutes', async () => {
    await signIn(LONDON, CHROME_MAC);
    clock.advance(HOUR);
    for (let i = 0; i < 4; i++) {
      await failSignIn('usr_alice', LONDON);
      clock.advance(MINUTE);
    }
    await failSignIn('usr_bob', LONDON); // someone else's failures do not count
    expect((await signIn(LONDON, CHROME_MAC)).risk).toMatchObject({ suspicious: false, reasons: [] });

    await failSignIn('usr_alice', LONDON);
    clock.advance(MINUTE);
    expect((await signIn(LONDON, CHROME_MAC)).risk).toMatchObject({ suspicious: true, reasons: ['5 failed sign-in attempts in the 15 minutes before'] });

    clock.advance(15 * MINUTE); // the burst is now outside the window
    expect((await signIn(LONDON, CHROME_MAC)).risk).toMatchObject({ suspicious: false, reasons: [] });
  });

  it('anonymizeIp: located from the full address, stored as the /24 or /48 prefix everywhere', async () => {
    await manager.updateSettings({ userId: 'usr_admin', role: 'admin' }, { anonymizeIp: true });
    const v4 = await signIn(LONDON, CHROME_MAC);
    expect(v4.ip).toBe('81.2.69.0');
    expect(v4.location?.city).toBe('London');
    const v6 = await signIn(FRANKFURT_V6, CHROME_MAC);
    expect(v6.ip).toBe('2a00:1450:4001::');
    expect(v6.location?.city).toBe('Frankfurt am Main');
    expect((await store.findSession(v4.id))?.ip).toBe('81.2.69.0');
    const { items } = await store.listAudit({ userId: 'usr_alice', action: 'auth.sign-in' });
    expect(items.map((e) => e.ip)).toEqual(['2a00:1450:4001::', '81.2.69.0']);
  });
});
