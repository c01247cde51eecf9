import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

const REAUTH = 'https://seshat.dev/problems/reauthentication-required';
const MINUTE = 60_000;

/** Issue 10.3: dangerous actions need a recent sign-in or the password again (default window 10 minutes). */
describe.each(STORE_KINDS)('step-up (%s)', (kind) => {
  let t: TestServer;
  let admin: Client;
  let alice: Client;
  let aliceId: string;
  beforeEach(async () => {
    t = await startTestServer({ store: kind });
    await t.addUser('admin@example.com', 'admin');
    aliceId = (await t.addUser('alice@example.com')).id;
    admin = new Client(t.url);
    alice = new Client(t.url);
    await admin.login('admin@example.com');
    await alice.login('alice@example.com');
  });
  afterEach(() => t.close());

  const guarded = (): [Client, string, string, unknown][] => [
    [alice, 'POST', '/api/sessions/revoke-others', {}],
    [alice, 'POST', '/api/api-keys', { name: 'ci' }],
    [admin, 'POST', `/api/admin/users/${aliceId}/sign-out`, { reason: 'test' }],
    [admin, 'PATCH', '/api/admin/settings', { anonymizeIp: true }],
    [admin, 'POST', `/api/admin/users/${aliceId}/password`, {}],
    [admin, 'POST', `/api/admin/users/${aliceId}/role`, { role: 'admin' }],
    [admin, 'POST', '/api/admin/sessions/revoke-all', { reason: 'test' }],
  ];

  it('refuses every guarded action with 401 reauthentication-required once the sign-in is older than 10 minutes, and changes nothing', async () => {
    t.clock.advance(11 * MINUTE);
    for (const [client, method, path, body] of guarded()) {
      const res = await client.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.json(), `${method} ${path}`).toMatchObject({ type: REAUTH, maxAgeSeconds: 600 });
      // A step-up refusal is not a sign-out: the cookie stays.
      expect(res.headers.get('set-cookie'), `${method} ${path}`).toBeNull();
    }
    expect((await alice.get('/api/auth/session')).status).toBe(200);
    expect(t.server.manager.settings.anonymizeIp).toBe(false);
    expect((await t.store.listApiKeys(aliceId, 0)).length).toBe(0);
  });

  it('the password again (POST /api/auth/reauthenticate) opens the window; a wrong one is a 400, audited', async () => {
    t.clock.advance(11 * MINUTE);
    const wrong = await alice.post('/api/auth/reauthenticate', { password: 'not my password' });
    expect(wrong.status).toBe(400);
    expect((await alice.post('/api/api-keys', { name: 'ci' })).status).toBe(401);
    const ok = await alice.post('/api/auth/reauthenticate', { password: PASSWORD });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { reauthenticatedAt: string; freshUntil: string };
    expect(Date.parse(body.freshUntil) - Date.parse(body.reauthenticatedAt)).toBe(10 * MINUTE);
    expect((await alice.post('/api/api-keys', { name: 'ci' })).status).toBe(201);
    const { session } = (await (await alice.get('/api/auth/session')).json()) as { session: { authenticatedAt: string; reauthenticatedAt: string } };
    expect(session.reauthenticatedAt).toBe(body.reauthenticatedAt);
    expect(session.authenticatedAt).toBe(body.reauthenticatedAt);
    // … for the window only.
    t.clock.advance(10 * MINUTE + 1000);
    expect((await alice.post('/api/sessions/revoke-others')).status).toBe(401);
    const audit = await t.store.listAudit({ userId: aliceId });
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.reauthenticated', 'auth.reauthentication-failed']));
  });

  it('the window is an admin setting; changing the password needs the current one, not a step-up', async () => {
    expect((await admin.patch('/api/admin/settings', { reauthenticationWindowSeconds: 3600 })).status).toBe(200);
    expect((await admin.patch('/api/admin/settings', { reauthenticationWindowSeconds: 5 })).status).toBe(400);
    t.clock.advance(30 * MINUTE);
    expect((await alice.post('/api/sessions/revoke-others')).status).toBe(200);
    t.clock.advance(31 * MINUTE);
    expect((await alice.post('/api/sessions/revoke-others')).status).toBe(401);
    expect((await alice.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' })).status).toBe(200);
    // The new token is a fresh sign-in.
    expect((await alice.post('/api/sessions/revoke-others')).status).toBe(200);
  });

  it('an API key is refused with 403 (no password to re-enter), however fresh its owner\'s sign-in', async () => {
    const { key } = (await (await alice.post('/api/api-keys', { name: 'ci' })).json()) as { key: string };
    const res = await fetch(t.url + '/api/api-keys', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"more"}' });
    expect(res.status).toBe(403);
  });
});
