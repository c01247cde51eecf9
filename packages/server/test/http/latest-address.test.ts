import { afterEach, describe, expect, it } from 'vitest';
import { loadNetworks } from '../../src/network.ts';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

// Checked against the bundled DB-IP database (test/geo/geoip.test.ts).
const LONDON = '81.2.69.160';
const TOKYO = '133.242.0.3';
// London too, on other networks: Andrews & Arnold above, BT here (@ip-location-db/asn).
const LONDON_BT = '86.128.0.1';

interface SessionView {
  id: string;
  ip: string | null;
  signInIp: string | null;
  location: { countryCode: string | null } | null;
  signInLocation: { countryCode: string | null } | null;
  risk: { suspicious: boolean; reasons: string[] } | null;
}

describe.each(STORE_KINDS)('latest address of a session and IP anonymisation (%s)', (store) => {
  let t: TestServer;
  afterEach(() => t?.close());

  const start = async () => {
    t = await startTestServer({ store, env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('alice@example.com');
  };
  const mine = async (client: Client, id: string) => (await (await client.get(`/api/sessions/${id}`)).json()) as SessionView;

  it('records the latest address and its place on the batched touch, keeps the sign-in one, and flags a cookie used from another country (issue #14, item 14)', async () => {
    await start();
    const alice = new Client(t.url, { 'x-forwarded-for': LONDON });
    const { session } = await alice.login('alice@example.com');
    expect(await mine(alice, session.id)).toMatchObject({ ip: LONDON, signInIp: LONDON, location: { countryCode: 'GB' }, signInLocation: { countryCode: 'GB' } });

    // The same cookie, now from Tokyo (a stolen cookie, or a trip): the next batch records where it is.
    const thief = new Client(t.url, { 'x-forwarded-for': TOKYO });
    thief.cookie = alice.cookie;
    expect((await thief.get('/api/sessions')).status).toBe(200);
    await t.server.manager.flushActivity();
    await expect.poll(async () => (await mine(alice, session.id)).risk?.suspicious).toBe(true);
    const seen = await mine(alice, session.id);
    expect(seen).toMatchObject({ ip: TOKYO, signInIp: LONDON, location: { countryCode: 'JP' }, signInLocation: { countryCode: 'GB' } });
    expect(seen.risk!.reasons).toContain('Used from Japan after signing in from United Kingdom');

    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const { events } = (await (await admin.get('/api/admin/audit?action=session.suspicious')).json()) as { events: { sessionId: string; reason: string; details: Record<string, unknown> }[] };
    expect(events).toEqual([expect.objectContaining({ sessionId: session.id, details: expect.objectContaining({ signal: 'cookie-elsewhere', signInCountry: 'GB', country: 'JP' }) })]);
    // Once per country: more requests from Tokyo add nothing.
    await thief.get('/api/sessions');
    await t.server.manager.flushActivity();
    const again = (await (await admin.get('/api/admin/audit?action=session.suspicious')).json()) as { events: unknown[] };
    expect(again.events).toHaveLength(1);
  });

  it('flags a cookie used from another network in the same country (issue #14, item 14)', async () => {
    await loadNetworks();
    await start();
    const alice = new Client(t.url, { 'x-forwarded-for': LONDON });
    const { session } = await alice.login('alice@example.com');
    const thief = new Client(t.url, { 'x-forwarded-for': LONDON_BT });
    thief.cookie = alice.cookie;
    expect((await thief.get('/api/sessions')).status).toBe(200);
    await t.server.manager.flushActivity();
    await expect.poll(async () => (await mine(alice, session.id)).risk?.suspicious).toBe(true);
    const seen = await mine(alice, session.id);
    expect(seen).toMatchObject({ ip: LONDON_BT, signInIp: LONDON, location: { countryCode: 'GB' } });
    expect(seen.risk!.reasons).toContain('Used from the network British Telecommunications PLC after signing in from Andrews & Arnold Ltd');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const { events } = (await (await admin.get('/api/admin/audit?action=session.suspicious')).json()) as { events: { sessionId: string; details: Record<string, unknown> }[] };
    expect(events).toEqual([expect.objectContaining({ sessionId: session.id, details: { signal: 'network-changed', signInNetwork: 'Andrews & Arnold Ltd', network: 'British Telecommunications PLC' } })]);
  });

  it("does not flag a move to a network the person signs in from on another device (home and office, Wi-Fi and mobile data)", async () => {
    await loadNetworks();
    await start();
    const laptop = new Client(t.url, { 'x-forwarded-for': LONDON_BT });
    await laptop.login('alice@example.com');
    const phone = new Client(t.url, { 'x-forwarded-for': LONDON });
    const { session } = await phone.login('alice@example.com');
    phone.headers['x-forwarded-for'] = LONDON_BT; // the phone joins the home network the laptop uses
    expect((await phone.get('/api/sessions')).status).toBe(200);
    await t.server.manager.flushActivity();
    // flushActivity resolves once the risk checks the batch started have finished.
    expect(await mine(phone, session.id)).toMatchObject({ ip: LONDON_BT, signInIp: LONDON, risk: { suspicious: false, reasons: [] } });
  });

  it('switching anonymizeIp on anonymises addresses already stored, sessions and audit trail, with the counts in an audit event (issue #14, item 15)', async () => {
    await start();
    const alice = new Client(t.url, { 'x-forwarded-for': LONDON });
    const { session } = await alice.login('alice@example.com');
    const admin = new Client(t.url, { 'x-forwarded-for': TOKYO });
    await admin.login('admin@example.com');
    expect((await admin.patch('/api/admin/settings', { anonymizeIp: true })).status).toBe(200);
    const done = async () => {
      const { events } = (await (await admin.get('/api/admin/audit?action=ips.anonymized')).json()) as { events: { details: Record<string, { changed: number }> }[] };
      return events[0] ?? null;
    };
    await expect.poll(done).not.toBeNull();
    const event = (await done())!;
    expect(event.details.sessions!.changed).toBeGreaterThanOrEqual(2);
    expect(event.details.auditEvents!.changed).toBeGreaterThanOrEqual(2);
    const row = (await t.store.findSession(session.id))!;
    expect(row).toMatchObject({ ip: '81.2.69.0', signInIp: '81.2.69.0' });
    const { items } = await t.store.listAudit({ limit: 100 });
    for (const e of items) if (e.ip !== null) expect(e.ip, e.action).toMatch(/\.0$|::$/);
  });
});
