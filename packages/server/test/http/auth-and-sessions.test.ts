import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, MINUTE } from 'seshat';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('ada@example.com');
  await t.addUser('bob@example.com');
});
afterEach(() => t.close());

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = (await response.json()) as { type: string; title: string; status: number; detail: string };
  expect(body.status).toBe(response.status);
  expect(body.title).toBeTruthy();
  expect(body.detail).toBeTruthy();
  return body;
};

describe('sign-in', () => {
  it('returns the user and session and sets a browser-session cookie', async () => {
    const client = new Client(t.url);
    const response = await client.post('/api/auth/login', { email: 'ADA@example.com', password: PASSWORD });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { user: { email: string; role: string }; session: { id: string; current: boolean; persistent: boolean } };
    expect(body.user).toMatchObject({ email: 'ada@example.com', role: 'user' });
    expect(body.session).toMatchObject({ current: true, persistent: false });
    expect(body.session.id).toMatch(/^ses_/);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^session_token=ses_[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(JSON.stringify(body)).not.toContain(client.token!.split('.')[1]);
  });

  it('sets Max-Age only when "remember" is asked', async () => {
    const response = await new Client(t.url).post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, remember: true });
    expect(response.headers.get('set-cookie')).toContain(`Max-Age=${30 * 86400}`);
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    const wrong = await new Client(t.url).post('/api/auth/login', { email: 'ada@example.com', password: 'nope nope' });
    const unknown = await new Client(t.url).post('/api/auth/login', { email: 'nobody@example.com', password: 'nope nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await problemOf(wrong)).toEqual(await problemOf(unknown));
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('rejects a malformed body with a problem+json 400', async () => {
    const client = new Client(t.url);
    const missing = await client.post('/api/auth/login', { email: 'ada@example.com' });
    expect(missing.status).toBe(400);
    expect((await problemOf(missing)).detail).toContain('password');
    const notJson = await client.request('POST', '/api/auth/login', undefined, { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    await problemOf(notJson);
  });

  it('limits sign-in attempts per client with 429 and Retry-After', async () => {
    const limited = await startTestServer({ env: { SESHAT_LOGIN_RATE_LIMIT: '3' } });
    try {
      const client = new Client(limited.url);
      for (let i = 0; i < 3; i++) expect((await client.post('/api/auth/login', { email: 'x@example.com', password: 'wrong' })).status).toBe(401);
      const response = await client.post('/api/auth/login', { email: 'x@example.com', password: 'wrong' });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await problemOf(response);
    } finally {
      await limited.close();
    }
  });

  it('reports the signed-in user at GET /api/auth/session, else 401', async () => {
    const client = new Client(t.url);
    expect((await client.get('/api/auth/session')).status).toBe(401);
    await client.login('ada@example.com');
    const response = await client.get('/api/auth/session');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { email: 'ada@example.com' }, session: { current: true } });
  });

  it('signs out: the session is revoked, the cookie cleared, and replaying the old cookie fails', async () => {
    const client = new Client(t.url);
    await client.login('ada@example.com');
    const oldCookie = client.cookie!;
    const response = await client.post('/api/auth/logout');
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/^session_token=;/);
    const replay = new Client(t.url);
    replay.cookie = oldCookie;
    expect((await replay.get('/api/sessions')).status).toBe(401);
    expect((await replay.post('/api/auth/logout')).status).toBe(401);
  });
});

describe('my sessions', () => {
  it('lists only my active sessions, the current one first', async () => {
    const laptop = new Client(t.url, { 'user-agent': 'laptop' });
    const phone = new Client(t.url, { 'user-agent': 'phone' });
    const bob = new Client(t.url);
    const { session: laptopSession } = await laptop.login('ada@example.com');
    t.clock.advance(MINUTE);
    await phone.login('ada@example.com');
    await bob.login('bob@example.com');
    const response = await laptop.get('/api/sessions');
    const { sessions } = (await response.json()) as { sessions: { id: string; current: boolean; status: string; tokenHint: string }[] };
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ id: laptopSession.id, current: true, status: 'active' });
    expect(sessions[1]!.current).toBe(false);
    expect(sessions[0]!.tokenHint).toBe('…' + laptop.token!.slice(-8));
  });

  it('shows details of my session, and 404 for someone else\'s exactly like a missing one', async () => {
    const ada = new Client(t.url, { 'user-agent': 'UnitTest/1.0' });
    const bob = new Client(t.url);
    const { session } = await ada.login('ada@example.com');
    await bob.login('bob@example.com');
    const detail = await ada.get(`/api/sessions/${session.id}?reset=secret-in-query`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ id: session.id, userAgent: 'UnitTest/1.0', activity: { requests: expect.any(Number) } });
    t.clock.advance(2 * MINUTE);
    await ada.get('/api/sessions?token=abc');
    await t.server.manager.flushActivity(); // the batch writes activity once a second; now, for the test
    const stored = await t.store.findSession(session.id);
    expect(stored!.lastPath).toBe('/api/sessions'); // query strings may carry secrets: never stored
    const foreign = await bob.get(`/api/sessions/${session.id}`);
    const missing = await bob.get('/api/sessions/ses_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await problemOf(foreign)).toEqual(await problemOf(missing));
    expect((await bob.delete(`/api/sessions/${session.id}`)).status).toBe(404);
    expect((await ada.get('/api/sessions')).status).toBe(200);
  });

  it('revokes another of my sessions; that device is signed out on its next request', async () => {
    const laptop = new Client(t.url);
    const phone = new Client(t.url);
    await laptop.login('ada@example.com');
    const { session: phoneSession } = await phone.login('ada@example.com');
    expect((await phone.get('/api/sessions')).status).toBe(200);
    expect((await laptop.delete(`/api/sessions/${phoneSession.id}`)).status).toBe(204);
    expect((await phone.get('/api/sessions')).status).toBe(401);
    expect((await laptop.delete(`/api/sessions/${phoneSession.id}`)).status).toBe(404);
  });

  it('answers 409 when asked to revoke the current session', async () => {
    const client = new Client(t.url);
    const { session } = await client.login('ada@example.com');
    const response = await client.delete(`/api/sessions/${session.id}`);
    expect(response.status).toBe(409);
    await problemOf(response);
    expect((await client.get('/api/sessions')).status).toBe(200);
  });

  it('signs out all my other sessions and nobody else\'s', async () => {
    const [a, b, c, bob] = [new Client(t.url), new Client(t.url), new Client(t.url), new Client(t.url)];
    await a.login('ada@example.com');
    await b.login('ada@example.com');
    await c.login('ada@example.com');
    await bob.login('bob@example.com');
    const response = await a.post('/api/sessions/revoke-others');
    expect(await response.json()).toEqual({ revoked: 2 });
    expect((await b.get('/api/sessions')).status).toBe(401);
    expect((await c.get('/api/sessions')).status).toBe(401);
    expect((await a.get('/api/sessions')).status).toBe(200);
    expect((await bob.get('/api/sessions')).status).toBe(200);
  });

  it('expires sessions on the server: idle browser sessions after 7 days, remembered ones after 30', async () => {
    const browser = new Client(t.url);
    const remembered = new Client(t.url);
    await browser.login('ada@example.com');
    await remembered.login('ada@example.com', PASSWORD, true);
    t.clock.advance(7 * DAY + MINUTE);
    expect((await browser.get('/api/sessions')).status).toBe(401);
    expect((await remembered.get('/api/sessions')).status).toBe(200);
    t.clock.advance(23 * DAY);
    expect((await remembered.get('/api/sessions')).status).toBe(401);
  });

  it('signs out other sessions when the password changes', async () => {
    const a = new Client(t.url);
    const b = new Client(t.url);
    await a.login('ada@example.com');
    await b.login('ada@example.com');
    const wrong = await a.post('/api/auth/password', { currentPassword: 'not it', newPassword: 'a much better secret' });
    expect(wrong.status).toBe(400);
    expect((await b.get('/api/sessions')).status).toBe(200);
    const response = await a.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a much better secret' });
    expect(await response.json()).toEqual({ revoked: 1, apiKeysRevoked: 0 });
    expect((await b.get('/api/sessions')).status).toBe(401);
    expect((await a.get('/api/sessions')).status).toBe(200);
    await new Client(t.url).login('ada@example.com', 'a much better secret');
  });
});

describe('request hygiene', () => {
  it('refuses cookie-authenticated writes from another site with 403 and changes nothing', async () => {
    const a = new Client(t.url);
    const b = new Client(t.url);
    await a.login('ada@example.com');
    await b.login('ada@example.com');
    const crossSite = await a.post('/api/sessions/revoke-others', {}, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    await problemOf(crossSite);
    const foreignOrigin = await a.request('POST', '/api/sessions/revoke-others', {}, { 'sec-fetch-site': '', origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    const noHeaders = await fetch(t.url + '/api/sessions/revoke-others', { method: 'POST', headers: { cookie: a.cookie! } });
    expect(noHeaders.status).toBe(403);
    expect((await b.get('/api/sessions')).status).toBe(200);
    const trustedOrigin = await a.request('POST', '/api/sessions/revoke-others', {}, { 'sec-fetch-site': '', origin: t.config.publicUrl });
    expect(trustedOrigin.status).toBe(200);
  });

  it('treats malformed and overlong cookies as anonymous, never a 500', async () => {
    for (const value of ['', 'garbage', 'ses_x.y', 'ses_' + 'a'.repeat(10_000), "ses_' OR 1=1 --", '%E0%A4%A', 'ses_AAAAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43)]) {
      const response = await fetch(t.url + '/api/sessions', { headers: { cookie: `session_token=${value}` } });
      expect(response.status, value.slice(0, 40)).toBe(401);
      await problemOf(response);
    }
  });

  it('answers unknown API routes with problem+json 404', async () => {
    const response = await fetch(t.url + '/api/nope');
    expect(response.status).toBe(404);
    await problemOf(response);
  });

  it('reports health and serves an OpenAPI 3.1 document derived from the routes', async () => {
    expect(await (await fetch(t.url + '/healthz')).json()).toEqual({ status: 'ok', store: 'sqlite' });
    const doc = (await (await fetch(t.url + '/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/sessions', '/api/sessions/{id}', '/api/sessions/revoke-others']));
  });
});
