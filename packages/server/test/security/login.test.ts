import * as crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

// Pass-through spy: the real scrypt runs; we only count how often each login path calls it.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, scrypt: vi.fn(real.scrypt) };
});

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
});
afterAll(() => t.close());

const login = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('login', () => {
  it('does not reveal which accounts exist: same status and body, and both paths run scrypt once', async () => {
    const scrypt = vi.mocked(crypto.scrypt);
    // Warm the dummy hash so the first unknown-user attempt is not special.
    await login(t.url, { email: 'warmup@example.com', password: 'whatever password' });

    scrypt.mockClear();
    const unknown = await login(t.url, { email: 'nobody@example.com', password: PASSWORD });
    const unknownCalls = scrypt.mock.calls.length;
    scrypt.mockClear();
    const wrong = await login(t.url, { email: 'ann@example.com', password: 'not the password' });
    const wrongCalls = scrypt.mock.calls.length;
    scrypt.mockClear();
    const wrongCase = await login(t.url, { email: 'ANN@example.com', password: 'not the password' });
    const wrongCaseCalls = scrypt.mock.calls.length;

    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrongCase.status).toBe(401);
    const bodies = [await unknown.text(), await wrong.text(), await wrongCase.text()];
    expect(new Set(bodies).size).toBe(1);
    expect(unknown.headers.get('content-type')).toBe(wrong.headers.get('content-type'));
    expect(unknown.headers.get('set-cookie')).toBeNull();
    expect(wrong.headers.get('set-cookie')).toBeNull();
    // Same work on both paths (structural timing check, no stopwatch): one key derivation, same cost.
    expect(unknownCalls).toBe(1);
    expect(wrongCalls).toBe(1);
    expect(wrongCaseCalls).toBe(1);
  });

  it('refuses a cross-site sign-in (login CSRF), while clients that are not browsers still sign in', async () => {
    const body = { email: 'ann@example.com', password: PASSWORD };
    const hostile: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of hostile) {
      const res = await login(t.url, body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('set-cookie'), JSON.stringify(headers)).toBeNull();
    }
    expect((await login(t.url, body)).status).toBe(200); // curl, scripts: neither header
    expect((await login(t.url, body, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await login(t.url, body, { origin: new URL(t.config.publicUrl).origin })).status).toBe(200);
  });

  it('limits brute force: 429 with Retry-After as problem+json, even for the right password', async () => {
    const limited = await startTestServer({ env: { SESHAT_LOGIN_RATE_LIMIT: '3' } });
    try {
      await limited.addUser('ann@example.com');
      for (let i = 0; i < 3; i++) expect((await login(limited.url, { email: 'ann@example.com', password: `guess ${i}xxxx` })).status).toBe(401);
      const blocked = await login(limited.url, { email: 'ann@example.com', password: PASSWORD });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await blocked.json()) as { status: number; type: string; title: string; detail: string };
      expect(body.status).toBe(429);
      expect(body.type).toMatch(/rate-limited/);
      expect(blocked.headers.get('set-cookie')).toBeNull();
      // A spoofed X-Forwarded-For does not buy a fresh budget (no trusted proxy is configured).
      for (const ip of ['198.51.100.1', '198.51.100.2', '10.0.0.1']) {
        expect((await login(limited.url, { email: 'ann@example.com', password: PASSWORD }, { 'x-forwarded-for': ip })).status).toBe(429);
      }
    } finally {
      await limited.close();
    }
  });

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const direct = new Client(t.url, { 'x-forwarded-for': '203.0.113.7' });
    await direct.login('ann@example.com');
    const mine = (await (await direct.get('/api/auth/session')).json()) as { session: { ip: string } };
    expect(mine.session.ip).toBe('127.0.0.1');

    const proxied = await startTestServer({ env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    try {
      await proxied.addUser('ann@example.com');
      // Read right to left: the proxy appended the address it saw; anything further left is client-supplied.
      const viaProxy = new Client(proxied.url, { 'x-forwarded-for': '192.0.2.66, 203.0.113.7' });
      await viaProxy.login('ann@example.com');
      const seen = (await (await viaProxy.get('/api/auth/session')).json()) as { session: { ip: string } };
      expect(seen.session.ip).toBe('203.0.113.7');
    } finally {
      await proxied.close();
    }
  });
});
