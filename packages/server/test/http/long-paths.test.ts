import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 14, defect 10: overlong paths get a 404 or 414 problem+json whose title matches its status, and whose type
 * is ours (no framework codes such as FST_…), wherever they point: API routes with an id parameter, unknown API
 * routes, assets and client-side routes of the UI.
 */
let t: TestServer;
let alice: Client;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('alice@example.com', 'admin');
  alice = new Client(t.url);
  await alice.login('alice@example.com');
});
afterAll(() => t?.close());

const long = 'x'.repeat(5000);
// The title of every other 404 (an unknown route, a missing session), and the HTTP reason phrase for 414.
const TITLES: Record<number, string> = { 404: 'Not found', 414: 'URI Too Long' };

describe('overlong paths', () => {
  const cases: [string, string][] = [
    ['GET', `/api/sessions/${long}`],
    ['GET', `/api/sessions/ses_${long}`],
    ['DELETE', `/api/sessions/ses_${long}`],
    ['POST', `/api/admin/users/${long}/sign-out`],
    ['DELETE', `/api/api-keys/key_${long}`],
    ['GET', `/api/${long}`],
    ['GET', `/assets/${long}.js`],
    ['GET', `/${long}.png`],
  ];
  for (const [method, path] of cases) {
    it(`${method} ${path.slice(0, 24)}… is a 404 or 414 problem+json with a matching title and our own type`, async () => {
      const response = await alice.request(method, path, method === 'GET' ? undefined : {});
      expect([404, 414]).toContain(response.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await response.json()) as { type: string; title: string; status: number };
      expect(body.status).toBe(response.status);
      expect(body.title).toBe(TITLES[response.status]);
      expect(body.type).toMatch(/^https:\/\/seshat\.dev\/problems\/[a-z-]+$/);
      expect(JSON.stringify(body)).not.toMatch(/FST_|FST-/);
    });
  }

  it('a long client-side route of the UI still gets the UI (it names no resource the server knows)', async () => {
    const response = await fetch(`${t.url}/settings/${long}`);
    expect([200, 404, 414]).toContain(response.status);
    if (response.status !== 200) expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
