import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Every endpoint that takes an id, and every unsafe (cookie-authenticated) endpoint, is listed here. The
 * coverage tests read the server's own OpenAPI document, so a new endpoint fails them until it is added.
 * Entries for endpoints this build does not have are skipped.
 */
let t: TestServer;
let ann: Client;
let annOther: Client;
let bob: Client;
let root: Client;
let bobId: string;
let bobSessionId: string;
let routes: Set<string>;

beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
  bobId = (await t.addUser('bob@example.com')).id;
  await t.addUser('root@example.com', 'admin');
  ann = new Client(t.url);
  annOther = new Client(t.url);
  bob = new Client(t.url);
  root = new Client(t.url);
  await ann.login('ann@example.com');
  await annOther.login('ann@example.com');
  bobSessionId = (await bob.login('bob@example.com')).session.id;
  await root.login('root@example.com');
  routes = new Set((await openapiRoutes()).map((r) => `${r.method} ${r.path}`));
});
afterAll(() => t.close());

async function openapiRoutes(): Promise<{ method: string; path: string }[]> {
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
}

const flip = (s: string) => s.slice(0, -1) + (s.at(-1) === 'A' ? 'B' : 'A');
const alive = async (c: Client) => expect((await c.get('/api/auth/session')).status).toBe(200);

/** Bob's API key (created on first use). */
let bobKey: { id: string; key: string } | undefined;
async function bobApiKey(): Promise<{ id: string; key: string }> {
  if (!bobKey) {
    const res = await bob.post('/api/api-keys', { name: 'bob-key' });
    expect(res.status).toBe(201);
    bobKey = (await res.json()) as { id: string; key: string };
  }
  return bobKey;
}
const keyWorks = async () => {
  const { key } = await bobApiKey();
  expect((await fetch(`${t.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
};

interface IdRoute {
  method: string;
  path: (id: string) => string;
  body?: unknown;
  /** Bob's resource, which ann must not reach. */
  foreign: () => Promise<string>;
  /** A well-formed id that names nothing. */
  missing: () => Promise<string>;
  unchanged: () => Promise<void>;
}

/** An endpoint and a delivery of the admin's (made once), for the webhook routes. */
let webhook: Promise<{ endpointId: string; deliveryId: string }> | undefined;
function rootWebhook() {
  webhook ??= (async () => {
    const endpoint = (await (await root.post('/api/admin/webhooks', { url: 'http://127.0.0.1:9/idor' })).json()) as { id: string };
    const delivery = (await (await root.post(`/api/admin/webhooks/${endpoint.id}/test`)).json()) as { id: string };
    return { endpointId: endpoint.id, deliveryId: delivery.id };
  })();
  return webhook;
}
const webhookState = async () => (await (await root.get(`/api/admin/webhooks/${(await rootWebhook()).endpointId}`)).json()) as { enabled: boolean; url: string };
const webhookUnchanged = async () => expect(await webhookState()).toMatchObject({ enabled: true, url: 'http://127.0.0.1:9/idor' });
const deliveryCount = async () => ((await (await root.get(`/api/admin/webhooks/deliveries?endpoint=${(await rootWebhook()).endpointId}`)).json()) as { deliveries: unknown[] }).deliveries.length;
const webhookTarget = { foreign: async () => (await rootWebhook()).endpointId, missing: async () => `whe_${'Z'.repeat(16)}`, unchanged: webhookUnchanged };

const sessionTarget = { foreign: async () => bobSessionId, missing: async () => `ses_${'Z'.repeat(24)}`, unchanged: () => alive(bob) };
const idRoutes: Record<string, IdRoute> = {
  'GET /api/admin/webhooks/{id}': { method: 'GET', path: (id) => `/api/admin/webhooks/${id}`, ...webhookTarget },
  'PATCH /api/admin/webhooks/{id}': { method: 'PATCH', path: (id) => `/api/admin/webhooks/${id}`, body: { enabled: false }, ...webhookTarget },
  'DELETE /api/admin/webhooks/{id}': { method: 'DELETE', path: (id) => `/api/admin/webhooks/${id}`, ...webhookTarget },
  'POST /api/admin/webhooks/{id}/test': { method: 'POST', path: (id) => `/api/admin/webhooks/${id}/test`, ...webhookTarget },
  'POST /api/admin/webhooks/deliveries/{id}/replay': {
    method: 'POST', path: (id) => `/api/admin/webhooks/deliveries/${id}/replay`,
    foreign: async () => (await rootWebhook()).deliveryId, missing: async () => `dlv_${'Z'.repeat(22)}`, unchanged: webhookUnchanged,
  },
  'GET /api/sessions/{id}': { method: 'GET', path: (id) => `/api/sessions/${id}`, ...sessionTarget },
  'DELETE /api/sessions/{id}': { method: 'DELETE', path: (id) => `/api/sessions/${id}`, ...sessionTarget },
  'DELETE /api/admin/sessions/{id}': { method: 'DELETE', path: (id) => `/api/admin/sessions/${id}`, body: { reason: 'idor test' }, ...sessionTarget },
  'POST /api/admin/users/{id}/sign-out': {
    method: 'POST', path: (id) => `/api/admin/users/${id}/sign-out`, body: { reason: 'idor test' },
    foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'POST /api/admin/users/{id}/disable': {
    method: 'POST', path: (id) => `/api/admin/users/${id}/disable`, body: { reason: 'idor test' },
    foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'POST /api/admin/users/{id}/enable': {
    method: 'POST', path: (id) => `/api/admin/users/${id}/enable`, body: {},
    foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'DELETE /api/api-keys/{id}': {
    method: 'DELETE', path: (id) => `/api/api-keys/${id}`,
    foreign: async () => (await bobApiKey()).id, missing: async () => flip((await bobApiKey()).id), unchanged: keyWorks,
  },
  'POST /api/sessions/{id}/report': { method: 'POST', path: (id) => `/api/sessions/${id}/report`, body: {}, ...sessionTarget },
  'GET /api/admin/users/{id}': {
    method: 'GET', path: (id) => `/api/admin/users/${id}`, foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'GET /api/admin/users/{id}/api-keys': {
    method: 'GET', path: (id) => `/api/admin/users/${id}/api-keys`, foreign: async () => bobId, missing: async () => flip(bobId), unchanged: keyWorks,
  },
  'DELETE /api/admin/api-keys/{id}': {
    method: 'DELETE', path: (id) => `/api/admin/api-keys/${id}`, body: { reason: 'idor test' },
    foreign: async () => (await bobApiKey()).id, missing: async () => flip((await bobApiKey()).id), unchanged: keyWorks,
  },
  'POST /api/admin/users/{id}/password': {
    method: 'POST', path: (id) => `/api/admin/users/${id}/password`, body: {}, foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'POST /api/admin/users/{id}/role': {
    method: 'POST', path: (id) => `/api/admin/users/${id}/role`, body: { role: 'admin' }, foreign: async () => bobId, missing: async () => flip(bobId),
    unchanged: async () => expect((await bob.get('/api/admin/users')).status).toBe(403),
  },
  'GET /api/admin/users/{id}/effective-policy': {
    method: 'GET', path: (id) => `/api/admin/users/${id}/effective-policy`, foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  'PUT /api/admin/users/{id}/policy': {
    method: 'PUT', path: (id) => `/api/admin/users/${id}/policy`, body: { idleTimeoutSeconds: 60 }, foreign: async () => bobId, missing: async () => flip(bobId),
    unchanged: async () => expect(await t.store.findSessionPolicy(`user:${bobId}`)).toBeNull(),
  },
  'DELETE /api/admin/users/{id}/policy': {
    method: 'DELETE', path: (id) => `/api/admin/users/${id}/policy`, foreign: async () => bobId, missing: async () => flip(bobId), unchanged: () => alive(bob),
  },
  // A role is nobody's resource (the roles are public): any role answers a non-admin the same 403.
  'PUT /api/admin/policies/roles/{role}': {
    method: 'PUT', path: (role) => `/api/admin/policies/roles/${role}`, body: { idleTimeoutSeconds: 60 }, foreign: async () => 'user', missing: async () => 'auditor',
    unchanged: async () => expect(await t.store.listSessionPolicies()).toEqual([]),
  },
  'DELETE /api/admin/policies/roles/{role}': {
    method: 'DELETE', path: (role) => `/api/admin/policies/roles/${role}`, foreign: async () => 'user', missing: async () => 'auditor', unchanged: () => alive(bob),
  },
};

describe('IDOR', () => {
  it('covers every id-taking endpoint in the OpenAPI document', async () => {
    const taking = [...routes].filter((r) => r.includes('{'));
    expect(taking.length).toBeGreaterThan(0);
    expect(taking.filter((r) => !(r in idRoutes))).toEqual([]);
  });

  it("answers another user's id exactly like a missing one (same status and body, 404 — or 403 on admin-only endpoints) and changes nothing", async () => {
    let checked = 0;
    for (const [name, route] of Object.entries(idRoutes)) {
      if (!routes.has(name)) continue;
      const foreign = await ann.request(route.method, route.path(await route.foreign()), route.body);
      const absent = await ann.request(route.method, route.path(await route.missing()), route.body);
      expect(foreign.status, name).toBe(absent.status);
      expect([403, 404], name).toContain(foreign.status);
      if (!name.includes('/admin/')) expect(foreign.status, name).toBe(404);
      expect(await foreign.json(), name).toEqual(await absent.json());
      await route.unchanged();
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    // Ann's listing shows only ann's sessions.
    const list = (await (await ann.get('/api/sessions')).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).not.toContain(bobSessionId);
    expect(list.sessions.length).toBe(2);
  });
});

/** A request with exactly these headers (the test Client would add Sec-Fetch-Site). */
function raw(c: Client, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(t.url + path, {
    method,
    headers: { cookie: c.cookie!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Unsafe endpoints: a request from a signed-in user that would change something if accepted, and the proof it did not. */
let deliveriesBefore = 0;
const unsafeRoutes: Record<string, { send: (h: Record<string, string>) => Promise<Response>; unchanged: () => Promise<void> }> = {
  'POST /api/admin/webhooks': {
    send: (h) => raw(root, 'POST', '/api/admin/webhooks', { url: 'http://127.0.0.1:9/csrf' }, h),
    unchanged: async () => expect(await (await root.get('/api/admin/webhooks')).text()).not.toContain('/csrf'),
  },
  'PATCH /api/admin/webhooks/{id}': { send: async (h) => raw(root, 'PATCH', `/api/admin/webhooks/${(await rootWebhook()).endpointId}`, { enabled: false }, h), unchanged: webhookUnchanged },
  'DELETE /api/admin/webhooks/{id}': { send: async (h) => raw(root, 'DELETE', `/api/admin/webhooks/${(await rootWebhook()).endpointId}`, undefined, h), unchanged: webhookUnchanged },
  'POST /api/admin/webhooks/{id}/test': {
    send: async (h) => {
      deliveriesBefore = await deliveryCount();
      return raw(root, 'POST', `/api/admin/webhooks/${(await rootWebhook()).endpointId}/test`, undefined, h);
    },
    unchanged: async () => expect(await deliveryCount()).toBe(deliveriesBefore),
  },
  'POST /api/admin/webhooks/deliveries/{id}/replay': {
    send: async (h) => raw(root, 'POST', `/api/admin/webhooks/deliveries/${(await rootWebhook()).deliveryId}/replay`, undefined, h),
    unchanged: webhookUnchanged,
  },
  'POST /api/auth/logout': { send: (h) => raw(ann, 'POST', '/api/auth/logout', undefined, h), unchanged: () => alive(ann) },
  'POST /api/auth/password': {
    send: (h) => raw(ann, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'attacker chosen 123' }, h),
    unchanged: async () => {
      expect((await new Client(t.url).post('/api/auth/login', { email: 'ann@example.com', password: 'attacker chosen 123' })).status).toBe(401);
    },
  },
  'POST /api/sessions/{id}/report': { send: (h) => raw(bob, 'POST', `/api/sessions/${bobSessionId}/report`, {}, h), unchanged: () => alive(bob) },
  'POST /api/auth/reauthenticate': {
    send: (h) => raw(ann, 'POST', '/api/auth/reauthenticate', { password: PASSWORD }, h),
    unchanged: async () => expect(((await (await ann.get('/api/auth/session')).json()) as { session: { reauthenticatedAt: string | null } }).session.reauthenticatedAt).toBeNull(),
  },
  'DELETE /api/sessions/{id}': {
    send: async (h) => raw(ann, 'DELETE', `/api/sessions/${(await annOther.login('ann@example.com')).session.id}`, undefined, h),
    unchanged: () => alive(annOther),
  },
  'POST /api/sessions/revoke-others': { send: (h) => raw(ann, 'POST', '/api/sessions/revoke-others', {}, h), unchanged: () => alive(annOther) },
  'DELETE /api/admin/sessions/{id}': { send: (h) => raw(root, 'DELETE', `/api/admin/sessions/${bobSessionId}`, { reason: 'csrf' }, h), unchanged: () => alive(bob) },
  'POST /api/admin/users/{id}/sign-out': { send: (h) => raw(root, 'POST', `/api/admin/users/${bobId}/sign-out`, { reason: 'csrf' }, h), unchanged: () => alive(bob) },
  'POST /api/admin/sessions/revoke-all': { send: (h) => raw(root, 'POST', '/api/admin/sessions/revoke-all', { reason: 'csrf' }, h), unchanged: () => alive(bob) },
  'POST /api/admin/sessions/revoke-matching': {
    send: (h) => raw(root, 'POST', '/api/admin/sessions/revoke-matching', { filter: { users: [bobId] }, reason: 'csrf' }, h),
    unchanged: () => alive(bob),
  },
  'POST /api/admin/users/{id}/disable': { send: (h) => raw(root, 'POST', `/api/admin/users/${bobId}/disable`, { reason: 'csrf' }, h), unchanged: () => alive(bob) },
  'POST /api/admin/users/{id}/enable': {
    send: (h) => raw(root, 'POST', `/api/admin/users/${bobId}/enable`, {}, h),
    // Only meaningful on a disabled account: the refusal leaves it disabled.
    unchanged: async () => expect((await t.server.users.find(bobId))!.disabledAt).toBeNull(),
  },
  // Changes nothing, but is a cookie-authenticated POST like any other: the same CSRF refusal.
  'POST /api/admin/settings/preview': {
    send: (h) => raw(root, 'POST', '/api/admin/settings/preview', { idleTimeoutSeconds: 60 }, h),
    unchanged: async () => expect(((await (await root.get('/api/admin/settings')).json()) as { idleTimeoutSeconds: number }).idleTimeoutSeconds).not.toBe(60),
  },
  'PATCH /api/admin/settings': {
    send: (h) => raw(root, 'PATCH', '/api/admin/settings', { idleTimeoutSeconds: 60 }, h),
    unchanged: async () => expect(((await (await root.get('/api/admin/settings')).json()) as { idleTimeoutSeconds: number }).idleTimeoutSeconds).not.toBe(60),
  },
  'POST /api/api-keys': {
    send: (h) => raw(ann, 'POST', '/api/api-keys', { name: 'csrf' }, h),
    unchanged: async () => expect(((await (await ann.get('/api/api-keys')).json()) as { apiKeys: unknown[] }).apiKeys).toEqual([]),
  },
  'DELETE /api/api-keys/{id}': { send: async (h) => raw(bob, 'DELETE', `/api/api-keys/${(await bobApiKey()).id}`, undefined, h), unchanged: keyWorks },
  'DELETE /api/admin/api-keys/{id}': { send: async (h) => raw(root, 'DELETE', `/api/admin/api-keys/${(await bobApiKey()).id}`, { reason: 'csrf' }, h), unchanged: keyWorks },
  'POST /api/admin/users/{id}/password': { send: (h) => raw(root, 'POST', `/api/admin/users/${bobId}/password`, {}, h), unchanged: () => alive(bob) },
  'POST /api/admin/users/{id}/role': {
    send: (h) => raw(root, 'POST', `/api/admin/users/${bobId}/role`, { role: 'admin' }, h),
    unchanged: async () => expect((await bob.get('/api/admin/users')).status).toBe(403),
  },
  // Changes nothing, but is a cookie-authenticated POST like any other: the same CSRF refusal.
  'POST /api/admin/policies/preview': {
    send: (h) => raw(root, 'POST', '/api/admin/policies/preview', { role: 'user', policy: { idleTimeoutSeconds: 60 } }, h),
    unchanged: async () => expect(await t.store.findSessionPolicy('role:user')).toBeNull(),
  },
  'PUT /api/admin/policies/roles/{role}': {
    send: (h) => raw(root, 'PUT', '/api/admin/policies/roles/user', { idleTimeoutSeconds: 60 }, h),
    unchanged: async () => expect(await t.store.findSessionPolicy('role:user')).toBeNull(),
  },
  'DELETE /api/admin/policies/roles/{role}': {
    // A policy to remove (written straight to the store), which the refused request leaves in place.
    send: async (h) => (await t.store.saveSessionPolicy({ subject: 'role:auditor', policy: { idleTimeoutSeconds: 3600 }, updatedAt: 0 }), raw(root, 'DELETE', '/api/admin/policies/roles/auditor', undefined, h)),
    unchanged: async () => {
      expect(await t.store.findSessionPolicy('role:auditor')).not.toBeNull();
      await t.store.deleteSessionPolicy('role:auditor');
    },
  },
  'PUT /api/admin/users/{id}/policy': {
    send: (h) => raw(root, 'PUT', `/api/admin/users/${bobId}/policy`, { idleTimeoutSeconds: 60 }, h),
    unchanged: async () => expect(await t.store.findSessionPolicy(`user:${bobId}`)).toBeNull(),
  },
  'DELETE /api/admin/users/{id}/policy': {
    send: async (h) => (await t.store.saveSessionPolicy({ subject: `user:${bobId}`, policy: { idleTimeoutSeconds: 3600 }, updatedAt: 0 }), raw(root, 'DELETE', `/api/admin/users/${bobId}/policy`, undefined, h)),
    unchanged: async () => {
      expect(await t.store.findSessionPolicy(`user:${bobId}`)).not.toBeNull();
      await t.store.deleteSessionPolicy(`user:${bobId}`); // the next route's check expects none
    },
  },
};
// Sign-in is not cookie-authenticated; its own cross-site rule (login CSRF) is tested in login.test.ts.
// Nor is the e-mail's "This wasn't me": a signed token in the body is its only authority (sign-in-notifications.test.ts).
const NOT_COOKIE_AUTHENTICATED = new Set(['POST /api/auth/login', 'POST /api/auth/not-me']);

describe('CSRF', () => {
  it('covers every unsafe endpoint in the OpenAPI document', async () => {
    const unsafe = [...routes].filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r));
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
    let checked = 0;
    for (const [route, { send, unchanged }] of Object.entries(unsafeRoutes)) {
      if (!routes.has(route)) continue;
      for (const [name, headers] of hostile) {
        const res = await send(headers);
        expect(res.status, `${route} with ${name}`).toBe(403);
        expect(res.headers.get('content-type'), `${route} with ${name}`).toMatch(/^application\/problem\+json/);
        await unchanged();
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    // Positive controls: the browser's own same-origin request and a configured Origin are accepted.
    expect((await raw(ann, 'POST', '/api/sessions/revoke-others', {}, { origin: new URL(t.config.publicUrl).origin })).status).toBe(200);
    expect((await raw(ann, 'POST', '/api/sessions/revoke-others', {}, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});
