import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/** A script holding a bearer key: no cookie, no browser headers. */
function script(url: string, key: string) {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { call, get: (p: string) => call('GET', p), post: (p: string, b: unknown = {}) => call('POST', p, b), delete: (p: string) => call('DELETE', p) };
}

/**
 * Issue 14.16: an attacker with only a stolen session cookie mints an API key. Every containment step must end
 * that key too, and a key must never be able to end browser sessions or manage keys.
 */
describe.each(STORE_KINDS)('API keys under containment (%s)', (kind) => {
  let t: TestServer;
  let owner: Client;
  let attacker: Client;
  let admin: Client;
  let aliceId: string;

  beforeEach(async () => {
    t = await startTestServer({ store: kind });
    await t.addUser('admin@example.com', 'admin');
    aliceId = (await t.addUser('alice@example.com')).id;
    owner = new Client(t.url);
    attacker = new Client(t.url); // holds a copy of one of Alice's session cookies
    admin = new Client(t.url);
    await owner.login('alice@example.com');
    await attacker.login('alice@example.com');
    await admin.login('admin@example.com');
  });
  afterEach(() => t.close());

  async function stolenKey(): Promise<{ key: string; id: string }> {
    const res = await attacker.post('/api/api-keys', { name: 'backdoor' });
    expect(res.status).toBe(201);
    return (await res.json()) as { key: string; id: string };
  }

  it('the lock-out loop fails: a key calling revoke-others again and again never signs the owner out', async () => {
    const { key } = await stolenKey();
    const bot = script(t.url, key);
    for (let round = 0; round < 5; round++) {
      const res = await bot.post('/api/sessions/revoke-others');
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      t.clock.advance(500);
      expect((await owner.get('/api/auth/session')).status).toBe(200);
    }
    // Nor can it end one session at a time, or manage keys.
    const { sessions } = (await (await bot.get('/api/sessions')).json()) as { sessions: { id: string }[] };
    expect(sessions.length).toBeGreaterThan(0); // reading is in its scope
    expect((await bot.delete(`/api/sessions/${sessions[0]!.id}`)).status).toBe(403);
    expect((await bot.post('/api/api-keys', { name: 'more' })).status).toBe(403);
    expect((await bot.get('/api/api-keys')).status).toBe(403);
    expect((await owner.get('/api/auth/session')).status).toBe(200);
  });

  it("a password change that signs out the other sessions revokes the person's API keys", async () => {
    const { key } = await stolenKey();
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(200);
    const res = await owner.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' });
    expect(res.status).toBe(200);
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(401);
    expect((await attacker.get('/api/auth/session')).status).toBe(401);
    const { events } = (await (await admin.get(`/api/admin/audit?user=${aliceId}&action=api-keys.revoked`)).json()) as { events: { reason: string; details: { count: number } }[] };
    expect(events[0]).toMatchObject({ reason: 'password-changed', details: { count: 1 } });
  });

  it("an admin's force sign-out revokes the person's API keys, and says how many", async () => {
    const { key } = await stolenKey();
    const res = await admin.post(`/api/admin/users/${aliceId}/sign-out`, { reason: 'Cookie theft reported' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2, apiKeysRevoked: 1 });
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(401);
  });

  it('revoke-all (invalidate-all) revokes every API key too', async () => {
    const { key } = await stolenKey();
    const adminKey = (await (await admin.post('/api/api-keys', { name: 'ops' })).json()) as { key: string };
    const res = await admin.post('/api/admin/sessions/revoke-all', { reason: 'Incident' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ apiKeysRevoked: 2 });
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(401);
    expect((await script(t.url, adminKey.key).get('/api/sessions')).status).toBe(401);
  });

  it("the library's forceSignOut (the CLI's path) revokes the keys in the same transaction", async () => {
    const { key } = await stolenKey();
    expect(await t.server.manager.forceSignOut(null, aliceId, 'Operator at the CLI')).toBe(2);
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(401);
  });

  it("admins list and revoke anyone's keys, with a reason in the audit trail; others may not", async () => {
    const { id, key } = await stolenKey();
    const listed = await admin.get(`/api/admin/users/${aliceId}/api-keys`);
    expect(listed.status).toBe(200);
    const { apiKeys } = (await listed.json()) as { apiKeys: { id: string; name: string }[] };
    expect(apiKeys).toMatchObject([{ id, name: 'backdoor' }]);
    expect(JSON.stringify(apiKeys)).not.toContain(key.split('.')[1]);

    // Not for the owner, nor for a key.
    expect((await owner.get(`/api/admin/users/${aliceId}/api-keys`)).status).toBe(403);
    expect((await owner.delete(`/api/admin/api-keys/${id}`, {})).status).toBe(403);
    expect((await script(t.url, key).call('DELETE', `/api/admin/api-keys/${id}`)).status).toBe(403);
    expect((await admin.get('/api/admin/users/usr_AAAAAAAAAAAAAAAA/api-keys')).status).toBe(404);

    expect((await admin.delete(`/api/admin/api-keys/${id}`, { reason: 'Not created by Alice' })).status).toBe(204);
    expect((await admin.delete(`/api/admin/api-keys/${id}`, {})).status).toBe(404);
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(401);
    const { events } = (await (await admin.get(`/api/admin/audit?user=${aliceId}&action=api-key.revoked`)).json()) as { events: { reason: string; actor: { email: string } }[] };
    expect(events[0]).toMatchObject({ reason: 'Not created by Alice', actor: { email: 'admin@example.com' } });
  });
});
