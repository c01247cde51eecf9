import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

interface Key { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; requests24h: number }

/** A client with no cookie and no browser headers: a script. */
function script(url: string, key: string) {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { call, get: (p: string) => call('GET', p), post: (p: string, b: unknown = {}) => call('POST', p, b), delete: (p: string) => call('DELETE', p) };
}

describe('API keys over HTTP', () => {
  let t: TestServer;
  let alice: Client;
  let admin: Client;
  let aliceId: string;

  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    aliceId = (await t.addUser('alice@example.com')).id;
    await t.addUser('bob@example.com');
    alice = new Client(t.url);
    admin = new Client(t.url);
    await alice.login('alice@example.com');
    await admin.login('admin@example.com');
  });
  afterEach(() => t.close());

  async function createKey(c: Client, name = 'deploy') {
    const res = await c.post('/api/api-keys', { name });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return (await res.json()) as { id: string; name: string; key: string; prefix: string };
  }

  it('creates a key shown once, lists it without the key, deletes it', async () => {
    const created = await createKey(alice, 'deploy');
    expect(created.key).toMatch(/^sk_[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    expect(created.id).toMatch(/^key_/);
    const list = (await (await alice.get('/api/api-keys')).json()) as { apiKeys: Key[] };
    expect(list.apiKeys).toEqual([{ id: created.id, name: 'deploy', prefix: created.prefix, createdAt: new Date(t.clock.now()).toISOString(), lastUsedAt: null, requests24h: 0 }]);
    expect(JSON.stringify(list)).not.toContain(created.key.split('.')[1]);

    expect((await alice.delete(`/api/api-keys/${created.id}`)).status).toBe(204);
    expect(((await (await alice.get('/api/api-keys')).json()) as { apiKeys: Key[] }).apiKeys).toEqual([]);
    expect((await alice.delete(`/api/api-keys/${created.id}`)).status).toBe(404);
  });

  it('validates the name', async () => {
    for (const body of [{}, { name: '' }, { name: '  ' }, { name: 'x'.repeat(101) }, { name: 5 }, { name: 'ok', admin: true }]) {
      const res = await alice.post('/api/api-keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(((await (await alice.get('/api/api-keys')).json()) as { apiKeys: Key[] }).apiKeys).toEqual([]);
  });

  it("authenticates API calls as the owner, without CSRF headers, and counts usage", async () => {
    const { key, id } = await createKey(alice);
    const bot = script(t.url, key);
    const res = await bot.get('/api/sessions');
    expect(res.status).toBe(200);
    const { sessions } = (await res.json()) as { sessions: { id: string; current: boolean }[] };
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.current).toBe(false); // a key is no session
    // Keys are scoped to reading: ending a browser session needs one (issue 14.16, the lock-out loop).
    const other = new Client(t.url);
    const { session } = await other.login('alice@example.com');
    expect((await bot.delete(`/api/sessions/${session.id}`)).status).toBe(403);
    expect((await other.get('/api/sessions')).status).toBe(200);

    const listed = ((await (await alice.get('/api/api-keys')).json()) as { apiKeys: Key[] }).apiKeys[0]!;
    expect(listed).toMatchObject({ id, requests24h: 2, lastUsedAt: new Date(t.clock.now()).toISOString() });
  });

  it('a revoked key is refused at once; a wrong or malformed one is anonymous', async () => {
    const { key, id } = await createKey(alice);
    const bot = script(t.url, key);
    expect((await bot.get('/api/sessions')).status).toBe(200);
    expect((await alice.delete(`/api/api-keys/${id}`)).status).toBe(204);
    expect((await bot.get('/api/sessions')).status).toBe(401);
    for (const bad of [key.slice(0, -2) + 'AA', 'garbage', 'x'.repeat(5000), '']) {
      expect((await script(t.url, bad).get('/api/sessions')).status).toBe(401);
    }
  });

  it("a key never reaches admin endpoints, login, logout or key management — even an admin's key", async () => {
    const { key } = await createKey(admin, 'admin script');
    const bot = script(t.url, key);
    const adminCalls: [string, string, unknown?][] = [
      ['GET', '/api/admin/sessions'],
      ['GET', '/api/admin/users'],
      ['DELETE', '/api/admin/sessions/ses_aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['POST', `/api/admin/users/${aliceId}/sign-out`, { reason: 'x' }],
      ['POST', '/api/admin/sessions/revoke-all', {}],
      ['GET', '/api/admin/settings'],
      ['PATCH', '/api/admin/settings', { anonymizeIp: true }],
      ['GET', '/api/admin/audit'],
      ['GET', '/api/api-keys'],
      ['POST', '/api/api-keys', { name: 'more' }],
      ['POST', '/api/auth/logout', {}],
      ['GET', '/api/auth/session'],
      ['POST', '/api/auth/password', { currentPassword: 'correct horse battery', newPassword: 'hijacked password' }],
      ['POST', '/api/auth/login', { email: 'admin@example.com', password: 'correct horse battery' }],
    ];
    for (const [method, path, body] of adminCalls) {
      const res = await bot.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('set-cookie'), `${method} ${path}`).toBeNull();
    }
    expect(t.server.manager.settings.anonymizeIp).toBe(false);
    expect((await alice.get('/api/sessions')).status).toBe(200);
    // The key still works for the owner's own sessions.
    expect((await bot.get('/api/sessions')).status).toBe(200);
  });

  it("keys are private: another user's key id answers 404 and stays usable", async () => {
    const { key, id } = await createKey(alice);
    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    expect((await bob.delete(`/api/api-keys/${id}`)).status).toBe(404);
    expect((await admin.delete(`/api/api-keys/${id}`)).status).toBe(404);
    expect(((await (await bob.get('/api/api-keys')).json()) as { apiKeys: Key[] }).apiKeys).toEqual([]);
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(200);
  });

  it('key creation and deletion appear in the audit trail', async () => {
    const { id } = await createKey(alice, 'ci');
    await alice.delete(`/api/api-keys/${id}`);
    const { events } = (await (await admin.get(`/api/admin/audit?user=${aliceId}`)).json()) as { events: { action: string; actor: { id: string }; details: { keyId: string } }[] };
    const keyEvents = events.filter((e) => e.action.startsWith('api-key.'));
    expect(keyEvents.map((e) => e.action)).toEqual(['api-key.revoked', 'api-key.created']);
    for (const e of keyEvents) expect(e).toMatchObject({ actor: { id: aliceId }, details: { keyId: id } });
  });

  it('usage counted in memory is written periodically and on shutdown, not per request', async () => {
    await t.close();
    t = await startTestServer({ env: { SESHAT_API_KEY_USAGE_FLUSH_SECONDS: '3600' } });
    aliceId = (await t.addUser('alice@example.com')).id;
    alice = new Client(t.url);
    await alice.login('alice@example.com');
    const { key, id } = await createKey(alice);
    const bot = script(t.url, key);
    for (let i = 0; i < 3; i++) expect((await bot.get('/api/sessions')).status).toBe(200);
    expect((await t.store.listApiKeys(aliceId, 0))[0]).toMatchObject({ id, requests24h: 0 });
    await t.server.apiKeys.stop();
    expect((await t.store.listApiKeys(aliceId, 0))[0]).toMatchObject({ id, requests24h: 3 });
  });

  it('the periodic flush writes usage without being asked', async () => {
    await t.close();
    t = await startTestServer({ env: { SESHAT_API_KEY_USAGE_FLUSH_SECONDS: '0.05' } });
    aliceId = (await t.addUser('alice@example.com')).id;
    alice = new Client(t.url);
    await alice.login('alice@example.com');
    const { key } = await createKey(alice);
    expect((await script(t.url, key).get('/api/sessions')).status).toBe(200);
    const deadline = Date.now() + 5000;
    while ((await t.store.listApiKeys(aliceId, 0))[0]!.requests24h === 0) {
      if (Date.now() > deadline) throw new Error('usage was never flushed');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
