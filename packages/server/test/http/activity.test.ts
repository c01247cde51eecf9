import { afterEach, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

interface Activity {
  events: { type: string; current: boolean; device: string | null; ip: string | null; actor: { kind: string; name: string | null }; reason: string | null; count: number | null; newDevice: boolean }[];
  nextCursor: string | null;
}

describe.each(STORE_KINDS)('GET /api/activity (%s)', (kind) => {
  let t: TestServer;
  afterEach(() => t?.close());

  it("lists your sign-ins, failed attempts against your account and who ended your sessions, newest first, page by page", async () => {
    t = await startTestServer({ store: kind });
    const alice = await t.addUser('alice@example.com');
    await t.addUser('bob@example.com');
    await t.addUser('admin@example.com', 'admin');
    const first = new Client(t.url);
    await first.login('alice@example.com');
    expect((await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: 'wrong password here' })).status).toBe(401);
    await new Client(t.url).login('bob@example.com');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    expect((await admin.post(`/api/admin/users/${alice.id}/sign-out`, { reason: 'laptop stolen' })).status).toBe(200);
    const now = new Client(t.url);
    await now.login('alice@example.com');

    const res = await now.get('/api/activity');
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as Activity;
    expect(events.map((e) => e.type)).toEqual(['auth.sign-in', 'user.force-signed-out', 'auth.sign-in-failed', 'auth.sign-in']);
    expect(events[0]).toMatchObject({ current: true, actor: { kind: 'you' }, device: expect.any(String) });
    // The administrator's words stay hidden unless the setting shows them.
    expect(events[1]).toMatchObject({ actor: { kind: 'administrator', name: 'admin' }, reason: null, count: 1 });
    expect(events[2]).toMatchObject({ actor: { kind: 'someone' }, ip: expect.any(String) });
    expect(events[3]).toMatchObject({ current: false, newDevice: expect.any(Boolean) });

    const page1 = (await (await now.get('/api/activity?limit=2')).json()) as Activity;
    expect(page1.events.map((e) => e.type)).toEqual(['auth.sign-in', 'user.force-signed-out']);
    const page2 = (await (await now.get(`/api/activity?limit=2&cursor=${page1.nextCursor}`)).json()) as Activity;
    expect(page2.events.map((e) => e.type)).toEqual(['auth.sign-in-failed', 'auth.sign-in']);

    // The admin's own activity: their sign-in, not what they did to alice.
    const adminActivity = (await (await admin.get('/api/activity')).json()) as Activity;
    expect(adminActivity.events.map((e) => e.type)).toEqual(['auth.sign-in']);
    expect((await admin.patch('/api/admin/settings', { showAdminReasonToUser: true })).status).toBe(200);
    const shown = (await (await now.get('/api/activity')).json()) as Activity;
    expect(shown.events[1]).toMatchObject({ reason: 'laptop stolen' });

    expect((await new Client(t.url).get('/api/activity')).status).toBe(401);
    expect((await now.get('/api/activity?cursor=not-a-cursor')).status).toBe(400);
  });
});
