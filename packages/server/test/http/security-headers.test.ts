import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// The headers are computed once at start-up (src/security-headers.ts); they must still be on every
// kind of response, including those sent before any route runs.
describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const responses: Array<[string, () => Promise<Response>, number]> = [
    ['an unknown route (not-found handler)', () => fetch(server.url + '/api/nope'), 404],
    ['an unauthenticated API call (error handler)', () => fetch(server.url + '/api/sessions'), 401],
    [
      'a cross-site refusal (sent from the session hook)',
      () => fetch(server.url + '/api/sessions/ses_x', { method: 'DELETE', headers: { cookie: 'session_token=x', 'sec-fetch-site': 'cross-site' } }),
      403,
    ],
  ];
  for (const [what, send, status] of responses) {
    it(`are on ${what}`, async () => {
      const response = await send();
      expect(response.status).toBe(status);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).not.toContain('upgrade-insecure-requests'); // plain-HTTP test server
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('strict-transport-security')).toBeNull(); // secure cookies off
      expect(response.headers.get('accept-ch')).toContain('Sec-CH-UA-Platform-Version');
    });
  }

  it('match what helmet itself sets for the same options', async () => {
    const expected = new Map<string, string>();
    helmet({
      contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } },
      strictTransportSecurity: false,
    })({} as never, { setHeader: (k: string, v: string) => expected.set(k.toLowerCase(), v), removeHeader: () => {} } as never, () => {});
    const response = await fetch(server.url + '/api/nope');
    for (const [name, value] of expected) expect([name, response.headers.get(name)]).toEqual([name, value]);
  });
});
