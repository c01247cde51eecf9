import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

describe('serving the web UI', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('serves index.html at / and for client-side routes, under a CSP without inline scripts', async () => {
    for (const path of ['/', '/sign-in', '/settings/security/sessions', '/settings/security/sessions/ses_x', '/admin/audit?user=a']) {
      const response = await fetch(t.url + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const html = await response.text();
      expect(html).toContain('<div id="root"></div>');
      // Only external module scripts: script-src 'self' allows them, it would block inline code.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('serves hashed assets as immutable', async () => {
    const html = await (await fetch(t.url)).text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const response = await fetch(t.url + script);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('keeps unknown API routes, missing assets and non-GET methods as problem+json 404s', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['GET', '/api'],
      ['GET', '/api/sessions/x/y'],
      ['GET', '/assets/missing-abc123.js'],
      ['POST', '/settings/security/sessions'],
    ] as const) {
      const response = await fetch(t.url + path, { method, headers: { 'sec-fetch-site': 'same-origin' } });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { status: number }).status).toBe(404);
    }
  });

  it('tells the sign-in page about remember-me without a session, following the settings', async () => {
    const anonymous = await fetch(`${t.url}/api/auth/options`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ rememberMe: { enabled: true, durationSeconds: 30 * 86400 }, helpUrl: null });

    await t.addUser('root@example.com', 'admin');
    const admin = new Client(t.url);
    await admin.login('root@example.com');
    expect((await admin.patch('/api/admin/settings', { rememberMe: { enabled: false, durationSeconds: 14 * 86400 } })).status).toBe(200);
    expect(await (await fetch(`${t.url}/api/auth/options`)).json()).toEqual({ rememberMe: { enabled: false, durationSeconds: 14 * 86400 }, helpUrl: null });
  });

  it('gives the UI the "Learn more about sessions" link from SESHAT_HELP_URL', async () => {
    const withHelp = await startTestServer({ env: { SESHAT_HELP_URL: 'https://help.example.com/sessions' } });
    try {
      expect(((await (await fetch(`${withHelp.url}/api/auth/options`)).json()) as { helpUrl: string }).helpUrl).toBe('https://help.example.com/sessions');
    } finally {
      await withHelp.close();
    }
  });
});

describe('an API-only server', () => {
  it('answers / with a problem+json 404 when told not to serve the UI', async () => {
    const { createServer } = await import('../../src/app.ts');
    const { loadConfig } = await import('../../src/config.ts');
    const server = await createServer({ config: loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }), logger: false, webRoot: false });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/settings/security/sessions' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await server.close();
    }
  });
});
