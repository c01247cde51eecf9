import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Privacy across the whole API: a non-admin can never see or revoke another user's session, through any
 * endpoint, by cookie or by API key. Admin endpoints answer 403; another user's session id on a "my sessions"
 * endpoint answers 404, byte for byte like an id that does not exist.
 */
describe('permissions: a non-admin, endpoint by endpoint', () => {
  let t: TestServer;
  let alice: Client;
  let bob: Client;
  let bobSession: string;
  let aliceKey: string;
  let ids: { alice: string; bob: string };
  const missing = 'ses_AAAAAAAAAAAAAAAAAAAAAAAA';

  beforeAll(async () => {
    t = await startTestServer();
    ids = { alice: (await t.addUser('alice@example.com')).id, bob: (await t.addUser('bob@example.com')).id };
    alice = new Client(t.url);
    bob = new Client(t.url);
    await alice.login('alice@example.com');
    bobSession = (await bob.login('bob@example.com')).session.id;
    aliceKey = ((await (await alice.post('/api/api-keys', { name: 'ci' })).json()) as { key: string }).key;
  });
  afterAll(() => t.close());

  const adminEndpoints = (): [string, string, unknown?][] => [
    ['GET', '/api/admin/sessions'],
    ['GET', `/api/admin/sessions?user=${ids.bob}`],
    ['GET', '/api/admin/users'],
    ['DELETE', `/api/admin/sessions/${bobSession}`],
    ['DELETE', `/api/admin/sessions/${bobSession}`, { reason: 'because' }],
    ['POST', `/api/admin/users/${ids.bob}/sign-out`, { reason: 'because' }],
    ['POST', '/api/admin/sessions/revoke-all', {}],
    ['GET', '/api/admin/settings'],
    ['PATCH', '/api/admin/settings', { idleTimeoutSeconds: 60 }],
    ['GET', '/api/admin/audit'],
    ['GET', `/api/admin/audit?user=${ids.bob}`],
  ];

  async function bobIsUntouched() {
    expect((await bob.get('/api/sessions')).status).toBe(200);
    expect(t.server.manager.settings.idleTimeoutSeconds).toBe(7 * 86400);
  }

  it('admin endpoints: 401 anonymous, 403 problem+json for a user by cookie or by API key', async () => {
    const anon = new Client(t.url);
    const bearer = { authorization: `Bearer ${aliceKey}` };
    for (const [method, path, body] of adminEndpoints()) {
      expect((await anon.request(method, path, body)).status, `anonymous ${method} ${path}`).toBe(401);
      const res = await alice.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 403, title: 'Forbidden' });
      const viaKey = await fetch(t.url + path, { method, headers: { ...bearer, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      expect(viaKey.status, `key ${method} ${path}`).toBe(403);
    }
    await bobIsUntouched();
  });

  it("another user's session id on my-session endpoints is a 404 exactly like a missing one", async () => {
    const bearer = { authorization: `Bearer ${aliceKey}` };
    for (const headers of [{}, bearer]) {
      const client = 'authorization' in headers ? new Client(t.url) : alice;
      for (const method of ['GET', 'DELETE']) {
        const theirs = await client.request(method, `/api/sessions/${bobSession}`, undefined, headers);
        const none = await client.request(method, `/api/sessions/${missing}`, undefined, headers);
        // An API key may read sessions but never end one (keys are scoped): 403 before any lookup, so it tells
        // nothing either.
        const expected = 'authorization' in headers && method === 'DELETE' ? 403 : 404;
        expect(theirs.status).toBe(expected);
        expect(none.status).toBe(expected);
        expect(await theirs.text()).toBe(await none.text());
        expect([...theirs.headers.keys()].sort()).toEqual([...none.headers.keys()].sort());
      }
    }
    await bobIsUntouched();
  });

  it("listing and bulk revocation only ever cover the caller's own sessions", async () => {
    const { sessions } = (await (await alice.get('/api/sessions')).json()) as { sessions: { id: string }[] };
    expect(sessions.map((s) => s.id)).not.toContain(bobSession);
    expect(JSON.stringify(sessions)).not.toContain(ids.bob);
    expect(await (await alice.post('/api/sessions/revoke-others')).json()).toEqual({ revoked: 0 });
    const viaKey = await fetch(t.url + '/api/sessions', { headers: { authorization: `Bearer ${aliceKey}` } });
    expect(((await viaKey.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id)).not.toContain(bobSession);
    await bobIsUntouched();
  });

  it("an admin's role does not widen the my-sessions endpoints (owner rule there), only the admin ones", async () => {
    await t.addUser('root@example.com', 'admin');
    const root = new Client(t.url);
    await root.login('root@example.com');
    expect((await root.get(`/api/sessions/${bobSession}`)).status).toBe(404);
    expect((await root.delete(`/api/sessions/${bobSession}`)).status).toBe(404);
    const team = (await (await root.get(`/api/admin/sessions?user=${ids.bob}`)).json()) as { sessions: { id: string }[] };
    expect(team.sessions.map((s) => s.id)).toEqual([bobSession]);
    await bobIsUntouched();
  });
});
