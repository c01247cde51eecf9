import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, SECOND, defaultSettings } from 'seshat';
import { loadConfig } from '../../src/config.ts';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

describe('runtime session settings over HTTP', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  async function setup(env?: Record<string, string>) {
    t = await startTestServer(env ? { env } : {});
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('alice@example.com');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    // A fresh admin sign-in per change: the clock jumps in these tests and would idle the admin out too.
    const patch = async (body: unknown) => {
      const admin = new Client(t.url);
      await admin.login('admin@example.com');
      const res = await admin.patch('/api/admin/settings', body);
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    };
    return { admin, patch };
  }

  it('SESSION_TIMEOUT_DAYS sets the default idle timeout (7 days without it)', async () => {
    expect(loadConfig({}).sessionTimeoutDays).toBeUndefined();
    expect(loadConfig({ SESSION_TIMEOUT_DAYS: '3' }).sessionTimeoutDays).toBe(3);
    expect(() => loadConfig({ SESSION_TIMEOUT_DAYS: 'nonsense' })).toThrow(/SESSION_TIMEOUT_DAYS/);
    const { admin } = await setup({ SESSION_TIMEOUT_DAYS: '2' });
    const settings = (await (await admin.get('/api/admin/settings')).json()) as { idleTimeoutSeconds: number };
    expect(settings.idleTimeoutSeconds).toBe(2 * 86400);
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    t.clock.advance(2 * DAY + SECOND);
    expect((await alice.get('/api/sessions')).status).toBe(401);
  });

  it('a shorter idle timeout applies to existing sessions at once; "never" keeps them until the absolute cap', async () => {
    const { patch } = await setup();
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    await patch({ idleTimeoutSeconds: 3600 });
    t.clock.advance(HOUR - SECOND);
    expect((await alice.get('/api/sessions')).status).toBe(200); // activity resets the idle clock
    t.clock.advance(HOUR - SECOND);
    expect((await alice.get('/api/sessions')).status).toBe(200);
    t.clock.advance(HOUR);
    expect((await alice.get('/api/sessions')).status).toBe(401);

    const bob = new Client(t.url);
    await t.addUser('bob@example.com');
    await patch({ idleTimeoutSeconds: null, absoluteLifetimeSeconds: 60 * 86400 });
    await bob.login('bob@example.com');
    t.clock.advance(59 * DAY);
    expect((await bob.get('/api/sessions')).status).toBe(200);
    t.clock.advance(DAY);
    expect((await bob.get('/api/sessions')).status).toBe(401);
  });

  it('remember-me: duration from sign-in, and switching it off puts remembered sessions under the idle rule', async () => {
    const { patch } = await setup();
    await patch({ rememberMe: { durationSeconds: 10 * 86400 }, idleTimeoutSeconds: 86400 });
    const remembered = new Client(t.url);
    const res = await remembered.post('/api/auth/login', { email: 'alice@example.com', password: 'correct horse battery', remember: true });
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=864000/);
    t.clock.advance(5 * DAY); // idle far longer than the idle timeout: still signed in
    expect((await remembered.get('/api/sessions')).status).toBe(200);

    await patch({ rememberMe: { enabled: false } });
    t.clock.advance(DAY + SECOND);
    expect((await remembered.get('/api/sessions')).status).toBe(401);

    // With remember-me off, "remember" is ignored: a browser-session cookie.
    const later = new Client(t.url);
    const res2 = await later.post('/api/auth/login', { email: 'alice@example.com', password: 'correct horse battery', remember: true });
    expect(res2.headers.get('set-cookie')).not.toMatch(/Max-Age/);
  });

  it('concurrent-session limit with deny refuses the extra sign-in', async () => {
    const { patch } = await setup();
    await patch({ maxSessionsPerUser: 2, sessionLimitAction: 'deny' });
    const [a, b, c] = [new Client(t.url), new Client(t.url), new Client(t.url)];
    await a.login('alice@example.com');
    await b.login('alice@example.com');
    const res = await c.post('/api/auth/login', { email: 'alice@example.com', password: 'correct horse battery' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await a.get('/api/sessions')).status).toBe(200);
    expect((await b.get('/api/sessions')).status).toBe(200);
    // Signing out one frees a slot.
    await b.post('/api/auth/logout');
    await c.login('alice@example.com');
  });

  it('concurrent-session limit with evict-oldest ends the least recently active session', async () => {
    const { patch } = await setup();
    await patch({ maxSessionsPerUser: 2, sessionLimitAction: 'evict-oldest' });
    const [a, b, c] = [new Client(t.url), new Client(t.url), new Client(t.url)];
    await a.login('alice@example.com');
    t.clock.advance(2 * 60 * SECOND);
    await b.login('alice@example.com');
    t.clock.advance(2 * 60 * SECOND);
    expect((await a.get('/api/sessions')).status).toBe(200); // a is now more recently active than b
    t.clock.advance(2 * 60 * SECOND);
    await c.login('alice@example.com');
    expect((await a.get('/api/sessions')).status).toBe(200);
    expect((await b.get('/api/sessions')).status).toBe(401);
    const { sessions } = (await (await c.get('/api/sessions')).json()) as { sessions: unknown[] };
    expect(sessions).toHaveLength(2);
    // The eviction is audited, with the system as actor.
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const { events } = (await (await admin.get('/api/admin/audit?action=session.revoked&user=alice@example.com')).json()) as { events: { actor: unknown; target: { email: string }; reason: string }[] };
    expect(events).toMatchObject([{ actor: null, target: { email: 'alice@example.com' }, reason: 'Concurrent session limit reached' }]);
  });

  it('settings survive a restart (stored in the database)', async () => {
    const { patch } = await setup();
    await patch({ idleTimeoutSeconds: 1234, anonymizeIp: true });
    const reloaded = await t.server.manager.reloadSettings();
    expect(reloaded).toMatchObject({ idleTimeoutSeconds: 1234, anonymizeIp: true });
  });
});

describe('settings endpoints refuse non-admins', () => {
  it('401 without a session, 403 for a user', async () => {
    const t = await startTestServer();
    try {
      await t.addUser('alice@example.com');
      const anon = new Client(t.url);
      expect((await anon.get('/api/admin/settings')).status).toBe(401);
      expect((await anon.patch('/api/admin/settings', { anonymizeIp: true })).status).toBe(401);
      const alice = new Client(t.url);
      await alice.login('alice@example.com');
      expect((await alice.get('/api/admin/settings')).status).toBe(403);
      const res = await alice.patch('/api/admin/settings', { anonymizeIp: true });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(t.server.manager.settings.anonymizeIp).toBe(false);
    } finally {
      await t.close();
    }
  });
});
