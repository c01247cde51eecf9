import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeys, ManualClock, SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { bearerCredentials } from '../../src/http/bearer.ts';
import { adapterApps, type AdapterApp, type AppOptions } from './apps.ts';

/**
 * The adapter contract: Express, Fastify and Hono behave the same for every rule a library user relies on
 * (cookie, CSRF, login CSRF, API keys, sign-out), through real HTTP on 127.0.0.1.
 */
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

interface Who {
  session: Record<string, unknown> | null;
  apiKey: Record<string, unknown> | null;
}

describe.each(Object.keys(adapterApps) as (keyof typeof adapterApps)[])('%s adapter contract', (name) => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  async function start(options: Partial<AppOptions> = {}) {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store }).start();
    const app: AdapterApp = await adapterApps[name]({ manager, ...options });
    cleanup.push(() => store.close(), () => app.stop());
    const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
      fetch(app.url + path, {
        method: init.method ?? 'GET',
        headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    /** Signs in the way a browser on this site would (`Sec-Fetch-Site: same-origin`); returns the cookie pair. */
    const signIn = async (body: object = { userId: 'usr_a' }) => {
      const response = await request('/login', { method: 'POST', body, headers: { 'sec-fetch-site': 'same-origin', 'user-agent': CHROME_MAC } });
      expect(response.status).toBe(200);
      return { response, cookie: response.headers.get('set-cookie')!.split(';')[0]! };
    };
    const who = async (cookie: string, headers: Record<string, string> = {}, method = 'GET') => {
      const response = await request('/who', { method, headers: { cookie, ...headers } });
      return { status: response.status, body: (await response.json()) as Who & { detail?: string }, type: response.headers.get('content-type') };
    };
    return { store, manager, app, request, signIn, who };
  }

  it('requireRecentAuth: 401 reauthentication-required once the sign-in is older than the window, until the password is entered again', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const clock = new ManualClock(Date.now());
    const manager = await new SessionManager({ store, clock }).start();
    const app: AdapterApp = await adapterApps[name]({ manager });
    cleanup.push(() => store.close(), () => app.stop());
    const login = await fetch(app.url + '/login', { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: '{"userId":"usr_a"}' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const danger = () => fetch(app.url + '/danger', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' } });

    expect((await danger()).status).toBe(200); // just signed in
    clock.advance(601_000);
    const stale = await danger();
    expect(stale.status).toBe(401);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(await stale.json()).toMatchObject({ type: 'https://seshat.dev/problems/reauthentication-required', maxAgeSeconds: 600 });
    // The app checked the password again and recorded it: fresh for another window, on this and every node.
    const session = (await manager.listOwnSessions({ userId: 'usr_a' }))[0]!;
    await manager.markReauthenticated(session);
    expect((await danger()).status).toBe(200);
    // Without a session: 401 like requireSession.
    expect((await fetch(app.url + '/danger', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(401);
  });

  it('signs in with an HttpOnly, SameSite=Lax, path-wide cookie; Max-Age only for remember-me', async () => {
    const { signIn } = await start();
    const browser = await signIn();
    const cookie = browser.response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^session_token=ses_[\w-]+\.[\w-]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Max-Age/i);
    const remembered = (await signIn({ userId: 'usr_a', remember: true })).response.headers.get('set-cookie')!;
    expect(remembered).toMatch(/Max-Age=2592000/);
  });

  it('puts the session on the request, described by its device by default, and serialises it without secretHash', async () => {
    const { signIn, who, request } = await start();
    expect(((await (await request('/who')).json()) as Who).session).toBeNull();
    const { cookie } = await signIn();
    const { status, body } = await who(cookie);
    expect(status).toBe(200);
    expect(body.session).toMatchObject({ userId: 'usr_a', device: { label: 'Chrome on macOS', deviceType: 'desktop' } });
    expect(body.session).not.toHaveProperty('secretHash');
    expect(body.session!.id).toMatch(/^ses_/);
  });

  it('refuses a cookie-authenticated write without Sec-Fetch-Site or Origin, and says what to send', async () => {
    const { signIn, who } = await start();
    const { cookie } = await signIn();
    const refused = await who(cookie, {}, 'POST');
    expect(refused.status).toBe(403);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toContain('`Sec-Fetch-Site: same-origin`');
    expect(refused.body.detail).toContain('trustedOrigins');
    expect((await who(cookie, { 'sec-fetch-site': 'same-origin' }, 'POST')).body.session).toMatchObject({ userId: 'usr_a' });
  });

  it("accepts the request's own Origin and trusted ones; refuses other sites and names the origin", async () => {
    const { signIn, who, app } = await start({ trustedOrigins: ['https://front.example.com/'] });
    const { cookie } = await signIn();
    expect((await who(cookie, { origin: app.url }, 'POST')).status).toBe(200);
    expect((await who(cookie, { origin: 'https://front.example.com' }, 'POST')).status).toBe(200);
    const evil = await who(cookie, { origin: 'https://evil.example' }, 'POST');
    expect(evil.status).toBe(403);
    expect(evil.body.detail).toContain('`Origin: https://evil.example`');
    // Another port is another origin.
    expect((await who(cookie, { origin: app.url.replace(/:\d+$/, ':1') }, 'POST')).status).toBe(403);
    // Sec-Fetch-Site wins over Origin: a browser that says cross-site is refused whatever the Origin.
    expect((await who(cookie, { origin: app.url, 'sec-fetch-site': 'cross-site' }, 'POST')).status).toBe(403);
    // Reads are never refused.
    expect((await who(cookie, { 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it('requireSameSite() refuses a cross-site sign-in before any session exists', async () => {
    const { request, manager, app } = await start();
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const response = await request('/login', { method: 'POST', body: { userId: 'usr_a' }, headers });
      expect(response.status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(((await response.json()) as { detail: string }).detail).toMatch(/login CSRF/);
    }
    expect(await manager.countActiveSessions('usr_a')).toBe(0);
    // curl and scripts send neither header: not a browser, so no other site can drive them.
    expect((await request('/login', { method: 'POST', body: { userId: 'usr_a' } })).status).toBe(200);
    expect((await request('/login', { method: 'POST', body: { userId: 'usr_a' }, headers: { origin: app.url } })).status).toBe(200);
  });

  it('startSession refuses a cross-site sign-in on a route without the guard, and ends the session it was given', async () => {
    const { request, manager } = await start();
    const response = await request('/login-unguarded', { method: 'POST', body: { userId: 'usr_b' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
    await expect.poll(() => manager.countActiveSessions('usr_b')).toBe(0);
  });

  it('signs out: the cookie is cleared and the session refused from then on', async () => {
    const { signIn, request, who } = await start();
    const { cookie } = await signIn();
    const response = await request('/logout', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/);
    expect(response.headers.get('set-cookie')).toMatch(/Expires=/);
    expect((await who(cookie)).body.session).toBeNull();
  });

  it("records the address a cookie is used from as the session's latest, keeping the sign-in one", async () => {
    const { request, manager, store } = await start();
    const { token, session } = await manager.createSession({ userId: 'usr_a', remember: false, ip: '198.51.100.1', userAgent: null });
    expect((await request('/me', { headers: { cookie: `session_token=${token}` } })).status).toBe(200);
    await manager.flushActivity();
    expect(await store.findSession(session.id)).toMatchObject({ ip: expect.stringMatching(/127\.0\.0\.1$/), signInIp: '198.51.100.1', requests: 2 });
  });

  it('requireSession: 401 …/session-ended with the reason for an ended session, and the refused cookie cleared', async () => {
    const { signIn, request, manager } = await start();
    const { cookie } = await signIn();
    expect((await request('/me', { headers: { cookie } })).status).toBe(200);
    await manager.forceSignOut(null, 'usr_a', 'Account compromised');
    const ended = await request('/me', { headers: { cookie } });
    expect(ended.status).toBe(401);
    expect(ended.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(ended.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/);
    const problem = (await ended.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'https://seshat.dev/problems/session-ended', status: 401, endedReason: 'admin' });
    expect(Date.parse(String(problem.endedAt))).not.toBeNaN();
    expect(problem).not.toHaveProperty('adminReason');
    const malformed = await request('/me', { headers: { cookie: 'session_token=nonsense' } });
    expect(malformed.status).toBe(401);
    expect(await malformed.json()).toMatchObject({ type: 'https://seshat.dev/problems/unauthenticated' });
    expect(malformed.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/);
    const none = await request('/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('set-cookie')).toBeNull();
  });

  it('authenticates a Bearer API key as its owner, ignores the cookie with it and needs no CSRF headers', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store }).start();
    const apiKeys = new ApiKeys({ store });
    const { key, apiKey } = await apiKeys.create({ userId: 'usr_script_owner' }, 'ci');
    const { token } = await manager.createSession({ userId: 'usr_cookie_user', remember: false, ip: null, userAgent: null });
    const app = await adapterApps[name]({ manager, apiKeys });
    cleanup.push(() => store.close(), () => app.stop());
    const who = async (method: string, headers: Record<string, string>) => {
      const body = (await (await fetch(app.url + '/who', { method, headers })).json()) as Who;
      return { session: (body.session?.userId as string) ?? null, apiKey: (body.apiKey?.userId as string) ?? null, raw: body };
    };

    const bearer = await who('GET', { authorization: `Bearer ${key}` });
    expect(bearer).toMatchObject({ session: null, apiKey: 'usr_script_owner' });
    expect(bearer.raw.apiKey).not.toHaveProperty('secretHash');
    expect(await who('POST', { authorization: `bearer ${key}` })).toMatchObject({ session: null, apiKey: 'usr_script_owner' });
    // With both, the key decides and the cookie is not consulted.
    expect(await who('GET', { authorization: `Bearer ${key}`, cookie: `session_token=${token}` })).toMatchObject({ session: null, apiKey: 'usr_script_owner' });
    // An invalid key is anonymous: no fallback to the cookie.
    expect(await who('GET', { authorization: 'Bearer sk_nope', cookie: `session_token=${token}` })).toMatchObject({ session: null, apiKey: null });
    // Cookie requests are unchanged, including the CSRF rule.
    expect(await who('GET', { cookie: `session_token=${token}` })).toMatchObject({ session: 'usr_cookie_user', apiKey: null });
    expect((await fetch(app.url + '/who', { method: 'POST', headers: { cookie: `session_token=${token}` } })).status).toBe(403);

    await apiKeys.revoke({ userId: 'usr_script_owner' }, apiKey.id);
    expect(await who('GET', { authorization: `Bearer ${key}` })).toMatchObject({ session: null, apiKey: null });
  });
});

describe('bearerCredentials', () => {
  it('reads only the Bearer scheme, bounded', () => {
    expect(bearerCredentials('Bearer abc')).toBe('abc');
    expect(bearerCredentials('bearer\tabc ')).toBe('abc');
    expect(bearerCredentials(['Bearer one', 'Bearer two'])).toBe('one');
    expect(bearerCredentials('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerCredentials('Bearer a b')).toBe('a b'); // not a key: anonymous, never the cookie
    expect(bearerCredentials('Bearer')).toBeUndefined();
    expect(bearerCredentials(undefined)).toBeUndefined();
    expect(bearerCredentials('Bearer ' + 'x'.repeat(100_000))).toHaveLength(512);
  });
});
