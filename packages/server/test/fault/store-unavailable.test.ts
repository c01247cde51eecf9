import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from 'seshat/sqlite';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * When the store cannot answer, validation fails closed — 503 problem+json, never 200 (letting the request
 * through) and never 401 (which a client reads as "signed out" and acts on) — and a revocation is never
 * reported done unless the store made it.
 */
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close().catch(() => {});
  t = undefined;
});

async function expectUnavailable(res: Response, what: string): Promise<void> {
  expect(res.status, what).toBe(503);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  expect(((await res.json()) as { status: number }).status, what).toBe(503);
}

/** Signs in two sessions of one user without validating them, so neither is in the validation cache. */
async function twoFreshSessions(server: TestServer): Promise<[Client, Client, string]> {
  await server.addUser('ann@example.com');
  const a = new Client(server.url);
  const b = new Client(server.url);
  await a.login('ann@example.com');
  const { session } = await b.login('ann@example.com');
  return [a, b, session.id];
}

async function checkFailsClosed(a: Client, bId: string): Promise<void> {
  await expectUnavailable(await a.get('/api/auth/session'), 'validation');
  await expectUnavailable(await a.get('/api/sessions'), 'listing');
  await expectUnavailable(await a.delete(`/api/sessions/${bId}`), 'revoke one');
  await expectUnavailable(await a.post('/api/sessions/revoke-others'), 'revoke others');
  await expectUnavailable(await a.post('/api/auth/logout'), 'logout');
  await expectUnavailable(await fetch(`${t!.url}/healthz`), 'health');
}

describe('store unavailable', () => {
  it('fails closed when the SQLite files turn to garbage under a running server (a real I/O failure)', async () => {
    t = await startTestServer();
    const [a, b, bId] = await twoFreshSessions(t);
    const file = t.config.databaseUrl;
    // Overwrite the database, its WAL and shared-memory index in place: every read now fails inside SQLite.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) writeFileSync(f, Buffer.alloc(64 * 1024, 0x5a));
    await checkFailsClosed(a, bId);
    await expectUnavailable(await b.get('/api/auth/session'), 'the other session');
  });

  it('fails closed when the store handle is gone, and a revoke reported done before the outage holds after it', async () => {
    t = await startTestServer();
    const [a, b, bId] = await twoFreshSessions(t);
    const c = new Client(t.url);
    const { session: cSession } = await c.login('ann@example.com');
    expect((await a.delete(`/api/sessions/${cSession.id}`)).status).toBe(204);
    await t.store.close();
    await checkFailsClosed(a, bId);
    await expectUnavailable(await c.get('/api/auth/session'), 'the revoked session');
    // Nothing reported success during the outage: reopen the same file and check nothing was revoked by it,
    // while the revocation acknowledged before the outage is durable.
    const reopened = await startTestServer({ env: { DATABASE_URL: t.config.databaseUrl } });
    try {
      a.cookie && expect((await new Client(reopened.url).request('GET', '/api/auth/session', undefined, { cookie: a.cookie })).status).toBe(200);
      expect((await new Client(reopened.url).request('GET', '/api/auth/session', undefined, { cookie: b.cookie! })).status).toBe(200);
      expect((await new Client(reopened.url).request('GET', '/api/auth/session', undefined, { cookie: c.cookie! })).status).toBe(401);
    } finally {
      await reopened.close();
    }
  });
});

describe('store down: only decisions that need the session fail closed (issue 14, defect 13)', () => {
  it('the UI, its assets and client-side routes are served to a signed-in browser; /healthz says the store is down', async () => {
    t = await startTestServer();
    const [a] = await twoFreshSessions(t);
    const html = await (await a.get('/')).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    await t.store.close();
    for (const path of ['/', '/settings/security/sessions', ...(asset ? [asset] : [])]) {
      const response = await a.get(path); // with the session cookie, as a browser sends it
      expect(response.status, path).toBe(200);
    }
    const health = await a.get('/healthz');
    await expectUnavailable(health.clone(), 'health');
    expect(((await health.json()) as { detail: string }).detail).toBe('The session store does not answer.');
    await expectUnavailable(await a.get('/api/auth/session'), 'validation');
  });
});

describe('store failures the store does not classify as unreachable', () => {
  it('are a 500, never "not reachable" and never a pass: validation and revocation still fail closed', async () => {
    // Each store decides which of its driver's errors mean "unreachable" (503); anything else is a bug (500),
    // not to be dressed up as an outage. Either way nothing is granted and no revocation is reported done.
    let failing = false;
    class FlakyStore extends SqliteStore {
      override async findSession(id: string) {
        if (failing) throw new Error('an unexpected driver error');
        return super.findSession(id);
      }
      override async revokeUserSessions(userId: string, r: Parameters<SqliteStore['revokeUserSessions']>[1]) {
        if (failing) throw new Error('another unexpected driver error');
        return super.revokeUserSessions(userId, r);
      }
    }
    t = await startTestServer({ store: new FlakyStore(join(mkdtempSync(join(tmpdir(), 'seshat-flaky-')), 'db.sqlite')) });
    const [a, b, bId] = await twoFreshSessions(t);
    expect((await a.get('/api/auth/session')).status).toBe(200); // a is now cached; b is not
    failing = true;
    const expectServerError = async (res: Response, what: string) => {
      expect(res.status, what).toBe(500);
      const body = (await res.json()) as { detail: string };
      expect(body.detail, what).not.toMatch(/reachable/i);
    };
    await expectServerError(await b.get('/api/auth/session'), 'validation');
    await expectServerError(await a.delete(`/api/sessions/${bId}`), 'revoke one (lookup fails)');
    await expectServerError(await a.post('/api/sessions/revoke-others'), 'revoke others');
    failing = false;
    expect((await b.get('/api/auth/session')).status).toBe(200); // nothing was revoked
  });
});
