import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
});
afterAll(() => t.close());

function attributes(setCookie: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair, ...rest] = setCookie.split(';').map((s) => s.trim());
  const eq = pair!.indexOf('=');
  const attrs = new Map(rest.map((a) => {
    const i = a.indexOf('=');
    return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
  }));
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs };
}

async function loginCookie(url: string, remember: boolean, cookie?: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ email: 'ann@example.com', password: PASSWORD, remember }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!;
}

const session = (url: string, cookie: string, init: RequestInit = {}) =>
  fetch(`${url}/api/auth/session`, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, and carries Max-Age only with remember-me', async () => {
    const plain = attributes(await loginCookie(t.url, false));
    expect(plain.name).toBe('session_token');
    expect(plain.attrs.has('httponly')).toBe(true);
    expect(plain.attrs.get('samesite')).toBe('Lax');
    expect(plain.attrs.get('path')).toBe('/');
    expect(plain.attrs.has('max-age')).toBe(false);
    expect(plain.attrs.has('expires')).toBe(false);
    expect(plain.attrs.has('secure')).toBe(false); // plain http (no SESHAT_PUBLIC_URL https): a Secure cookie would never come back
    expect(plain.attrs.has('domain')).toBe(false);

    const remembered = attributes(await loginCookie(t.url, true));
    expect(remembered.attrs.get('max-age')).toBe(String(30 * 86400));
    expect(remembered.attrs.has('httponly')).toBe(true);
    expect(remembered.attrs.get('samesite')).toBe('Lax');

    const https = await startTestServer({ env: { SESHAT_PUBLIC_URL: 'https://sessions.example.com' } });
    try {
      await https.addUser('ann@example.com');
      const secure = attributes(await loginCookie(https.url, false));
      expect(secure.name).toBe('__Host-session_token');
      expect(secure.attrs.has('secure')).toBe(true);
      expect(secure.attrs.get('path')).toBe('/');
      expect(secure.attrs.has('domain')).toBe(false); // __Host- requires no Domain
      expect(secure.attrs.has('httponly')).toBe(true);
      expect(secure.attrs.get('samesite')).toBe('Lax');
      expect(secure.attrs.has('max-age')).toBe(false);
      // The prefixed cookie authenticates; the unprefixed name does not (it could be planted by a sibling domain).
      expect((await session(https.url, `__Host-session_token=${secure.value}`)).status).toBe(200);
      expect((await session(https.url, `session_token=${secure.value}`)).status).toBe(401);
    } finally {
      await https.close();
    }
  });

  it('gets a new token on every login: a pre-set cookie is not adopted and the old session ends (no fixation)', async () => {
    // An attacker plants a well-formed token of their choosing before the victim signs in.
    const planted = `ses_${'A'.repeat(24)}.${'B'.repeat(43)}`;
    const first = attributes(await loginCookie(t.url, false, `session_token=${planted}`));
    expect(first.value).not.toBe(planted);
    expect(first.value.split('.')[0]).not.toBe(planted.split('.')[0]);
    expect((await session(t.url, `session_token=${planted}`)).status).toBe(401);
    expect((await session(t.url, `session_token=${first.value}`)).status).toBe(200);

    // Signing in again from the same browser: a fresh id and secret, and the previous session is revoked.
    const second = attributes(await loginCookie(t.url, false, `session_token=${first.value}`));
    const [id1, secret1] = first.value.split('.');
    const [id2, secret2] = second.value.split('.');
    expect(id2).not.toBe(id1);
    expect(secret2).not.toBe(secret1);
    expect((await session(t.url, `session_token=${first.value}`)).status).toBe(401);
    expect((await session(t.url, `session_token=${second.value}`)).status).toBe(200);

    // An attacker's own valid session planted in the victim's browser is not adopted either.
    const attacker = attributes(await loginCookie(t.url, false)).value;
    const victim = attributes(await loginCookie(t.url, false, `session_token=${attacker}`)).value;
    expect(victim).not.toBe(attacker);
  });

  it('is accepted only from the cookie: not from the query string, an Authorization header or the body', async () => {
    const client = new Client(t.url);
    await client.login('ann@example.com');
    const token = client.token!;
    const base = { 'sec-fetch-site': 'same-origin' };
    const attempts: [string, Promise<Response>][] = [
      ['query session_token', fetch(`${t.url}/api/auth/session?session_token=${encodeURIComponent(token)}`, { headers: base })],
      ['query token', fetch(`${t.url}/api/auth/session?token=${encodeURIComponent(token)}`, { headers: base })],
      ['bearer', fetch(`${t.url}/api/auth/session`, { headers: { ...base, authorization: `Bearer ${token}` } })],
      ['raw authorization', fetch(`${t.url}/api/auth/session`, { headers: { ...base, authorization: token } })],
      ['custom header', fetch(`${t.url}/api/auth/session`, { headers: { ...base, 'x-session-token': token } })],
      ['other cookie name', fetch(`${t.url}/api/auth/session`, { headers: { ...base, cookie: `token=${token}` } })],
      ['body', fetch(`${t.url}/api/sessions/revoke-others`, { method: 'POST', headers: { ...base, 'content-type': 'application/json' }, body: JSON.stringify({ session_token: token, token }) })],
      ['bearer on write', fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { ...base, authorization: `Bearer ${token}` } })],
    ];
    for (const [name, attempt] of attempts) expect((await attempt).status, name).toBe(401);
    // Positive control: the same token in the cookie works, and survived the attempts above.
    expect((await client.get('/api/auth/session')).status).toBe(200);
  });
});
