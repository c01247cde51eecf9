import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

interface Overview {
  days: number;
  daily: { day: string; signIns: number; failedSignIns: number; ended: Record<string, number>; activeSessions: number | null; boundSessions: number | null }[];
  activeSessions: number;
  boundSessions: number;
  countries: { countryCode: string | null; sessions: number }[];
  deviceTypes: { deviceType: string | null; sessions: number }[];
  topUsers: { namesShown: boolean; users: { user: { id: string; name: string } | null; sessions: number }[] };
}

/** Issue 13 item 8: `GET /api/admin/overview`, from daily rollups, with names only where team access allows. */
describe.each(STORE_KINDS)('admin overview (%s)', (kind) => {
  let t: TestServer;
  let owner: Client;
  let auditor: Client;
  let bobId: string;

  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    await t.addUser('owner@example.com', 'owner');
    await t.addUser('auditor@example.com', 'auditor');
    bobId = (await t.addUser('bob@example.com')).id;
    owner = new Client(t.url);
    auditor = new Client(t.url);
    await owner.login('owner@example.com');
    await auditor.login('auditor@example.com');
  }, 60_000);
  afterAll(() => t?.close());

  const overview = async (client: Client, query = '') => {
    const response = await client.get(`/api/admin/overview${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    return (await response.json()) as Overview;
  };

  it("counts today's sign-ins, failed sign-ins and sign-outs, and shows live sessions by person, place and device", async () => {
    const before = (await overview(owner, '?days=7')).daily.at(-1)!;
    const bob = new Client(t.url, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1' });
    await bob.login('bob@example.com');
    await new Client(t.url).login('bob@example.com');
    expect((await new Client(t.url).post('/api/auth/login', { email: 'bob@example.com', password: 'wrong password!' })).status).toBe(401);
    const leaving = new Client(t.url);
    await leaving.login('bob@example.com');
    expect((await leaving.post('/api/auth/logout')).status).toBe(204);

    const body = await overview(owner, '?days=7');
    expect(body.days).toBe(7);
    expect(body.daily).toHaveLength(7);
    const today = body.daily.at(-1)!;
    expect(today.signIns - before.signIns).toBe(3);
    expect(today.failedSignIns - before.failedSignIns).toBe(1);
    expect(today.ended['signed-out']! - before.ended['signed-out']!).toBe(1);
    expect(Object.keys(today.ended)).toEqual(expect.arrayContaining(['admin', 'idle-timeout', 'expired']));
    expect(today.activeSessions).toBe(body.activeSessions);
    expect(body.activeSessions).toBe(4); // owner, auditor, bob twice
    expect(body.boundSessions).toBe(0);
    expect(body.topUsers).toEqual({ namesShown: true, users: [expect.objectContaining({ user: expect.objectContaining({ id: bobId, name: 'bob' }), sessions: 2 }), expect.anything(), expect.anything()] });
    expect(body.deviceTypes).toEqual(expect.arrayContaining([{ deviceType: 'mobile', sessions: 1 }]));
    expect(body.countries.reduce((n, c) => n + c.sessions, 0)).toBe(4);
  });

  it('counts every failed sign-in, also those the audit trail groups', async () => {
    const before = (await overview(owner, '?days=7')).daily.at(-1)!.failedSignIns;
    const guesser = new Client(t.url);
    for (let i = 0; i < 7; i++) {
      t.clock.advance(61_000); // past the throttle's wait after the free failures
      expect((await guesser.post('/api/auth/login', { email: 'carol@example.com', password: `guess number ${i}` })).status).toBe(401);
    }
    expect((await overview(owner, '?days=7')).daily.at(-1)!.failedSignIns - before).toBe(7);
  });

  it('takes 7, 30 or 90 days and refuses anything else', async () => {
    expect((await overview(owner)).daily).toHaveLength(30);
    expect((await overview(auditor, '?days=90')).daily).toHaveLength(90);
    const bad = await owner.get('/api/admin/overview?days=365');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it("shows counts without names while team session access is off, and refuses people without team permissions", async () => {
    await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: 'off' });
    try {
      const body = await overview(auditor, '?days=7');
      expect(body.topUsers.namesShown).toBe(false);
      expect(body.topUsers.users.every((u) => u.user === null)).toBe(true);
      expect(body.topUsers.users[0]!.sessions).toBe(2);
    } finally {
      await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: 'full' });
    }
    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    expect((await bob.get('/api/admin/overview')).status).toBe(403);
    expect((await new Client(t.url).get('/api/admin/overview')).status).toBe(401);
  });

  it('keeps the active-session snapshot of a past day, taken by the background pass', async () => {
    await t.server.manager.collectGarbage();
    const day = new Date(t.clock.now()).toISOString().slice(0, 10);
    t.clock.advance(86_400_000);
    const body = await overview(owner, '?days=7');
    const yesterday = body.daily.find((d) => d.day === day)!;
    expect(yesterday.activeSessions).toBeGreaterThan(0);
  });
});
