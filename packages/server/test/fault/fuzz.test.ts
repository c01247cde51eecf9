import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Random bodies, headers, path parameters and query strings against every endpoint in the OpenAPI document,
 * signed in and anonymous: nothing may answer 5xx, and the server must still work afterwards.
 * Deterministic (fixed seed) and bounded, so a failure reproduces and the suite stays fast.
 */
const SEED = 20261123;
let t: TestServer;
let user: Client;
let admin: Client;
let routes: { method: string; path: string }[];
let ownSessionId: string;

beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
  await t.addUser('root@example.com', 'admin');
  user = new Client(t.url);
  admin = new Client(t.url);
  ownSessionId = (await user.login('ann@example.com')).session.id;
  await admin.login('root@example.com');
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
  routes.push({ method: 'GET', path: '/healthz' }, { method: 'GET', path: '/no/such/{thing}' }, { method: 'PATCH', path: '/api/sessions' });
});
afterAll(() => t.close());

const printable = (max: number) => fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))), maxLength: max });
const unicode = (max: number) => fc.string({ unit: 'binary', maxLength: max });

const pathParam = fc.oneof(
  fc.constant('ses_' + 'A'.repeat(24)),
  fc.constant('OWN'),
  unicode(80),
  printable(300),
  fc.constantFrom("' OR 1=1 --", '../../etc/passwd', '%00', '%E0%A4%A', '__proto__', 'constructor', '..', '-1', '1e309', 'ses_'.repeat(200)),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.record({
    email: fc.oneof(fc.emailAddress(), unicode(300), fc.constant('ann@example.com')),
    password: fc.oneof(unicode(40), printable(2000)),
    remember: fc.oneof(fc.boolean(), fc.jsonValue()),
    currentPassword: unicode(40),
    newPassword: fc.oneof(unicode(40), printable(1100)),
    signOutOtherSessions: fc.jsonValue(),
    reason: fc.oneof(unicode(600), fc.jsonValue()),
    name: unicode(300),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  unicode(500),
  fc.constantFrom('{', '[]', 'null', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '"' + 'a'.repeat(70_000) + '"'),
);

const headers = fc.record({
  'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*', ''),
  origin: fc.oneof(fc.constant('https://evil.example'), fc.constant('null'), printable(100)),
  'sec-fetch-site': fc.constantFrom('same-origin', 'none', 'cross-site', 'same-site', 'garbage'),
  'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), printable(100)),
  accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json', ''),
  'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
  'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'GET'),
  'user-agent': printable(600),
  authorization: fc.oneof(fc.constant('Bearer ' + 'x'.repeat(40)), printable(200)),
}, { requiredKeys: [] });

const who = fc.constantFrom('user', 'admin', 'anonymous', 'garbage-cookie');
const query = fc.oneof(fc.constant(''), fc.dictionary(fc.constantFrom('limit', 'cursor', 'user', 'action', 'x', '__proto__'), printable(60)).map((q) => '?' + new URLSearchParams(q).toString()));

describe('fuzz', () => {
  it('answers random requests to every endpoint without a 5xx', async () => {
    expect(routes.length).toBeGreaterThan(5);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), pathParam, body, headers, who, query, async (pick, param, payload, hdrs, as, qs) => {
        const route = routes[pick % routes.length]!;
        const value = param === 'OWN' ? ownSessionId : param;
        const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(value)) + qs;
        const cookie = as === 'user' ? user.cookie : as === 'admin' ? admin.cookie : as === 'garbage-cookie' ? 'session_token=' + encodeURIComponent(value) : undefined;
        const withBody = payload !== undefined && !['GET', 'HEAD'].includes(route.method);
        const res = await fetch(t.url + path, {
          method: route.method,
          headers: { ...hdrs, ...(cookie ? { cookie } : {}) },
          body: withBody ? payload : undefined,
        });
        // An event stream (GET /api/sessions/stream) stays open by design: its status and headers are the answer.
        const streaming = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
        const text = streaming ? (await res.body?.cancel(), '') : await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // A request that may have ended a session (logout, revoke, password change): sign in again so the
        // rest of the run keeps exercising the authenticated paths.
        if (cookie && res.status < 300 && !['GET', 'HEAD', 'OPTIONS'].includes(route.method)) {
          ownSessionId = (await user.login('ann@example.com', PASSWORD)).session.id;
          await admin.login('root@example.com', PASSWORD);
        }
        if (res.status >= 500) failures.push(`${route.method} ${path} → ${res.status} ${text.slice(0, 200)}`);
        return res.status < 500;
      }),
      { seed: SEED, numRuns: 1000, endOnFailure: true },
    );
    expect(failures).toEqual([]);
    // The run reached handlers, not only validation and auth refusals.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(20);
    // Still alive and still itself.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await new Client(t.url).login('ann@example.com');
  }, 120_000);

  it('survives random bytes in the request line and headers', async () => {
    const host = new URL(t.url).host;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.constantFrom('GET /api/auth/session', 'POST /api/auth/login', 'DELETE /api/sessions/x'), async (line, header, request) => {
        const head = Buffer.concat([
          Buffer.from(`${request}`), Buffer.from(line), Buffer.from(` HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nX-Fuzz: `),
          Buffer.from(header), Buffer.from('\r\nCookie: session_token='), Buffer.from(header), Buffer.from('\r\n\r\n'),
        ]);
        const res = await rawRequest(t.url, head);
        return Number.isNaN(res.status) || res.status < 500;
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await user.get('/api/auth/session')).status).not.toBe(500);
  }, 120_000);
});
