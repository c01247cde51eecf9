import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Every endpoint that takes an id, and every unsafe (cookie-authenticated) endpoint, is listed here. The
 * coverage tests read the server's own OpenAPI document, so a new endpoint fails them until it is added.
 */
let t: TestServer;
let ann: Client;
let annOther: Client;
let bob: Client;
let bobSessionId: string;

beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
  await t.addUser('bob@example.com');
  ann = new Client(t.url);
  annOther = new Client(t.url);
  bob = new Client(t.url);
  await ann.login('ann@example.com');
  await annOther.login('ann@example.com');
  bobSessionId = (await bob.login('bob@example.com')).session.id;
});
afterAll(() => t.close());

async function openapiRoutes(): Promise<{ method: string; path: string }[]> {
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
}

/** Id-taking endpoints: how to aim each at someone else's resource. */
const idRoutes: Record<string, { method: string; path: (foreignId: string) => string; body?: unknown }> = {
  'GET /api/sessions/{id}': { method: 'GET', path: (id) => `/api/sessions/${id}` },
  'DELETE /api/sessions/{id}': { method: 'DELETE', path: (id) => `/api/sessions/${id}` },
};

describe('IDOR', () => {
  it('covers every id-taking endpoint in the OpenAPI document', async () => {
    const taking = (await openapiRoutes()).filter((r) => r.path.includes('{')).map((r) => `${r.method} ${r.path}`);
    expect(taking.length).toBeGreaterThan(0);
    expect(taking.filter((r) => !(r in idRoutes))).toEqual([]);
  });

  it("answers another user's session id exactly like a missing one (404, same body) and changes nothing", async () => {
    const missing = `ses_${'Z'.repeat(24)}`;
    for (const [name, route] of Object.entries(idRoutes)) {
      const foreign = await ann.request(route.method, route.path(bobSessionId), route.body);
      const absent = await ann.request(route.method, route.path(missing), route.body);
      expect(foreign.status, name).toBe(404);
      expect(absent.status, name).toBe(404);
      expect(await foreign.json(), name).toEqual(await absent.json());
    }
    // Bob's session is untouched, and ann's listing shows only ann's sessions.
    expect((await bob.get('/api/auth/session')).status).toBe(200);
    const list = (await (await ann.get('/api/sessions')).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).not.toContain(bobSessionId);
    expect(list.sessions.length).toBe(2);
  });
});

/** Unsafe endpoints: a request that would change something if it were accepted, and how to see that it did not. */
const unsafeRoutes: Record<string, { send: (c: Client, h: Record<string, string>) => Promise<Response>; unchanged: () => Promise<void> }> = {
  'POST /api/auth/logout': {
    send: (c, h) => raw(c, 'POST', '/api/auth/logout', undefined, h),
    unchanged: async () => expect((await ann.get('/api/auth/session')).status).toBe(200),
  },
  'POST /api/auth/password': {
    send: (c, h) => raw(c, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'attacker chosen 123' }, h),
    unchanged: async () => {
      expect((await new Client(t.url).post('/api/auth/login', { email: 'ann@example.com', password: 'attacker chosen 123' })).status).toBe(401);
    },
  },
  'DELETE /api/sessions/{id}': {
    send: async (c, h) => raw(c, 'DELETE', `/api/sessions/${(await annOther.login('ann@example.com')).session.id}`, undefined, h),
    unchanged: async () => expect((await annOther.get('/api/auth/session')).status).toBe(200),
  },
  'POST /api/sessions/revoke-others': {
    send: (c, h) => raw(c, 'POST', '/api/sessions/revoke-others', {}, h),
    unchanged: async () => expect((await annOther.get('/api/auth/session')).status).toBe(200),
  },
};
// Sign-in is not cookie-authenticated: there is no session to ride on (SameSite=Lax covers the cookie it sets).
const NOT_COOKIE_AUTHENTICATED = new Set(['POST /api/auth/login']);

/** A request with exactly these headers (the test Client would add Sec-Fetch-Site). */
function raw(c: Client, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(t.url + path, {
    method,
    headers: { cookie: c.cookie!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('CSRF', () => {
  it('covers every unsafe endpoint in the OpenAPI document', async () => {
    const unsafe = (await openapiRoutes()).filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)).map((r) => `${r.method} ${r.path}`);
    expect(unsafe.filter((r) => !(r in unsafeRoutes) && !NOT_COOKIE_AUTHENTICATED.has(r))).toEqual([]);
  });

  it('refuses cross-site Origin, Sec-Fetch-Site cross-site/same-site and requests with neither header: 403, nothing changed', async () => {
    const hostile: [string, Record<string, string>][] = [
      ['cross-site Origin', { origin: 'https://evil.example' }],
      ['Origin null', { origin: 'null' }],
      ['lookalike Origin', { origin: `${t.url}.evil.example` }],
      ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
      ['cross-site despite a trusted Origin', { 'sec-fetch-site': 'cross-site', origin: t.config.publicUrl }],
      ['no headers at all', {}],
    ];
    for (const [route, { send, unchanged }] of Object.entries(unsafeRoutes)) {
      for (const [name, headers] of hostile) {
        const res = await send(ann, headers);
        expect(res.status, `${route} with ${name}`).toBe(403);
        expect(res.headers.get('content-type'), `${route} with ${name}`).toMatch(/^application\/problem\+json/);
        await unchanged();
      }
    }
    // Positive controls: the browser's own same-origin request and a configured Origin are accepted.
    expect((await raw(ann, 'POST', '/api/sessions/revoke-others', {}, { origin: new URL(t.config.publicUrl).origin })).status).toBe(200);
    expect((await raw(ann, 'POST', '/api/sessions/revoke-others', {}, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});
