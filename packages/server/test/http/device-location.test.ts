import { afterEach, describe, expect, it } from 'vitest';
import { ACCEPT_CH, MINUTE } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { createServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const WINDOWS_11_HINTS = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'sec-ch-ua-platform-version': '"15.0.0"',
};
// Checked against the bundled DB-IP database (test/geo/geoip.test.ts).
const LONDON = '81.2.69.160';
const TOKYO = '133.242.0.3';

interface SessionJson {
  id: string;
  current: boolean;
  ip: string | null;
  location: { city: string | null; region: string | null; country: string | null; countryCode: string | null; latitude?: number | null; longitude?: number | null } | null;
  device: { label: string; browser: string | null; os: string | null; osVersion: string | null; deviceType: string };
  risk: { suspicious: boolean; reasons: string[] } | null;
}

async function sessions(client: Client): Promise<SessionJson[]> {
  const response = await client.get('/api/sessions');
  expect(response.status).toBe(200);
  return ((await response.json()) as { sessions: SessionJson[] }).sessions;
}

let t: TestServer;
afterEach(async () => {
  await t?.close();
});

describe('client IP without trusted proxies (the default)', () => {
  it('ignores X-Forwarded-For: the socket address is the client, shown as the local network', async () => {
    t = await startTestServer();
    await t.addUser('alice@example.com');
    const alice = new Client(t.url, { 'user-agent': CHROME_MAC, 'x-forwarded-for': LONDON });
    const login = await alice.post('/api/auth/login', { email: 'alice@example.com', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.headers.get('accept-ch')).toBe(ACCEPT_CH);

    const [mine] = await sessions(alice);
    expect(mine).toMatchObject({
      current: true,
      ip: '127.0.0.1',
      location: { city: null, region: null, country: 'Local network', countryCode: null },
      device: { label: 'Chrome on macOS', browser: 'Chrome', os: 'macOS', deviceType: 'desktop' },
      risk: { suspicious: false, reasons: [] },
    });
  });

  it('asks for client hints on every response, errors and pages alike', async () => {
    t = await startTestServer();
    for (const path of ['/api/sessions', '/api/openapi.json', '/nowhere']) {
      expect((await fetch(t.url + path)).headers.get('accept-ch')).toBe('Sec-CH-UA, Sec-CH-UA-Mobile, Sec-CH-UA-Platform, Sec-CH-UA-Platform-Version, Sec-CH-UA-Model');
    }
  });
});

describe('behind a trusted proxy', () => {
  const start = () => startTestServer({ env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });

  it('reads X-Forwarded-For right to left: device, location and risk show in GET /api/sessions', async () => {
    t = await start();
    await t.addUser('alice@example.com');
    // "198.51.100.9" was written by the client itself; only the address our proxy appended is believed.
    const laptop = new Client(t.url, { 'user-agent': CHROME_MAC, 'x-forwarded-for': `198.51.100.9, ${LONDON}` });
    await laptop.login('alice@example.com');
    const [first] = await sessions(laptop);
    expect(first).toMatchObject({
      ip: LONDON,
      location: { city: 'London', region: 'England', country: 'United Kingdom', countryCode: 'GB', latitude: 51.5143, longitude: -0.0912 },
      device: { label: 'Chrome on macOS' },
      risk: { suspicious: false, reasons: [] },
    });

    // Half an hour later: a Windows 11 PC in Tokyo.
    t.clock.advance(30 * MINUTE);
    const stranger = new Client(t.url, { 'user-agent': CHROME_WINDOWS, 'x-forwarded-for': TOKYO, ...WINDOWS_11_HINTS });
    await stranger.login('alice@example.com');

    const list = await sessions(laptop);
    expect(list.map((s) => s.current)).toEqual([true, false]);
    const tokyo = list[1]!;
    expect(tokyo).toMatchObject({
      ip: TOKYO,
      location: { country: 'Japan', countryCode: 'JP', region: 'Tokyo' },
      device: { label: 'Chrome on Windows 11', os: 'Windows', osVersion: '11', deviceType: 'desktop' },
    });
    expect(tokyo.risk?.suspicious).toBe(true);
    expect(tokyo.risk?.reasons).toEqual([
      'New device: Chrome on Windows 11',
      'New country: Japan',
      expect.stringMatching(/^Impossible travel: 9,5\d\d km from United Kingdom in 30 min/),
    ]);
  });

  it('flags a sign-in right after many failed attempts', async () => {
    t = await start();
    await t.addUser('bob@example.com');
    const attacker = new Client(t.url, { 'user-agent': CHROME_MAC, 'x-forwarded-for': LONDON });
    await attacker.login('bob@example.com'); // an earlier, ordinary sign-in
    for (let i = 0; i < 5; i++) {
      expect((await attacker.post('/api/auth/login', { email: 'bob@example.com', password: 'wrong password' })).status).toBe(401);
    }
    const session = (await attacker.login('bob@example.com')).session as unknown as SessionJson;
    expect(session.risk).toMatchObject({ suspicious: true, reasons: ['5 failed sign-in attempts in the 15 minutes before'] });
  });

  it('stores only the /24 or /48 prefix when anonymizeIp is on, but still locates the full address', async () => {
    t = await start();
    const admin = await t.addUser('admin@example.com', 'admin');
    await t.server.manager.updateSettings({ userId: admin.id, role: 'admin' }, { anonymizeIp: true });
    const client = new Client(t.url, { 'user-agent': CHROME_MAC, 'x-forwarded-for': LONDON });
    await client.login('admin@example.com');
    const [mine] = await sessions(client);
    expect(mine).toMatchObject({ ip: '81.2.69.0', location: { city: 'London', countryCode: 'GB' } });
    const { items } = await t.store.listAudit({ userId: admin.id, action: 'auth.sign-in' });
    expect(items[0]?.ip).toBe('81.2.69.0');
    // Failed attempts are recorded with the prefix too.
    const ipv6 = new Client(t.url, { 'x-forwarded-for': '2a00:1450:4001:830::200e' });
    expect((await ipv6.post('/api/auth/login', { email: 'admin@example.com', password: 'wrong password' })).status).toBe(401);
    const failed = await t.store.listAudit({ userId: admin.id, action: 'auth.sign-in-failed' });
    expect(failed.items.map((e) => e.ip)).toEqual(['2a00:1450:4001::']);
  });
});

describe('SESHAT_GEOIP_DB', () => {
  it('off: sessions carry no location', async () => {
    t = await startTestServer({ env: { SESHAT_GEOIP_DB: 'off', SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    await t.addUser('carol@example.com');
    const client = new Client(t.url, { 'user-agent': CHROME_MAC, 'x-forwarded-for': LONDON });
    await client.login('carol@example.com');
    expect((await sessions(client))[0]).toMatchObject({ ip: LONDON, location: null, device: { label: 'Chrome on macOS' } });
  });

  it('a path that cannot be read fails at start, not at the first sign-in', async () => {
    const config = loadConfig({ DATABASE_URL: ':memory:', SESHAT_GEOIP_DB: '/nonexistent/GeoLite2-City.mmdb' });
    expect(config.geoip).toEqual(['/nonexistent/GeoLite2-City.mmdb']);
    const store = new SqliteStore(':memory:');
    await expect(createServer({ config, store, logger: false })).rejects.toThrow(/nonexistent/);
    await store.close();
  });

  it('takes comma-separated paths (an IPv4 and an IPv6 file)', () => {
    expect(loadConfig({ SESHAT_GEOIP_DB: '/db/v4.mmdb, /db/v6.mmdb' }).geoip).toEqual(['/db/v4.mmdb', '/db/v6.mmdb']);
    expect(loadConfig({}).geoip).toBe('bundled');
  });
});
