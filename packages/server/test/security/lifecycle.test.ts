import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from 'seshat';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

let n = 0;
async function signedIn(remember = false): Promise<Client> {
  const email = `user${++n}@example.com`;
  await t.addUser(email);
  const c = new Client(t.url);
  await c.login(email, PASSWORD, remember);
  return c;
}

describe('session lifetime', () => {
  it('ends a browser session after the idle timeout and any session at the absolute lifetime (server clock, not the cookie)', async () => {
    const idle = await signedIn();
    const remembered = await signedIn(true);
    t.clock.advance(7 * DAY - MINUTE);
    expect((await idle.get('/api/auth/session')).status).toBe(200); // activity resets the idle clock
    t.clock.advance(7 * DAY - MINUTE);
    expect((await idle.get('/api/auth/session')).status).toBe(200);
    t.clock.advance(7 * DAY);
    expect((await idle.get('/api/auth/session')).status).toBe(401);
    // Remember-me is exempt from idling but ends 30 days after sign-in, however active.
    expect((await remembered.get('/api/auth/session')).status).toBe(200);
    t.clock.advance(30 * DAY - (21 * DAY - 2 * MINUTE) - MINUTE);
    expect((await remembered.get('/api/auth/session')).status).toBe(200);
    t.clock.advance(MINUTE);
    expect((await remembered.get('/api/auth/session')).status).toBe(401);

    // The absolute lifetime caps an active session whatever the idle rule says.
    await t.server.manager.updateSettings({ userId: 'operator', role: 'admin' }, { idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 2 * 3600 });
    try {
      const busy = await signedIn();
      for (let i = 0; i < 3; i++) {
        t.clock.advance(30 * MINUTE);
        expect((await busy.get('/api/auth/session')).status).toBe(200);
      }
      t.clock.advance(30 * MINUTE - 1);
      expect((await busy.get('/api/auth/session')).status).toBe(200);
      t.clock.advance(1);
      expect((await busy.get('/api/auth/session')).status).toBe(401);
      // The cookie cannot extend it: a replay of the same token later is still refused.
      t.clock.advance(HOUR);
      expect((await busy.get('/api/auth/session')).status).toBe(401);
    } finally {
      await t.server.manager.updateSettings({ userId: 'operator', role: 'admin' }, { idleTimeoutSeconds: 7 * 86400, absoluteLifetimeSeconds: 90 * 86400 });
    }
  });

  it('refuses a token replayed after logout', async () => {
    const c = await signedIn();
    const cookie = c.cookie!;
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    expect(c.cookie).toBeUndefined(); // the cookie was cleared
    const replay = new Client(t.url);
    replay.cookie = cookie;
    expect((await replay.get('/api/auth/session')).status).toBe(401);
    expect((await replay.get('/api/sessions')).status).toBe(401);
    expect((await replay.post('/api/auth/logout')).status).toBe(401);
    expect((await replay.post('/api/sessions/revoke-others')).status).toBe(401);
    // Even after the touch interval passes (a late activity write must not resurrect it).
    t.clock.advance(2 * MINUTE);
    expect((await replay.get('/api/auth/session')).status).toBe(401);
  });

  it('kills every other session of the user when the password changes', async () => {
    const a = await signedIn();
    const email = `user${n}@example.com`;
    const b = new Client(t.url);
    const c = new Client(t.url);
    await b.login(email);
    await c.login(email, PASSWORD, true);
    const stranger = await signedIn();
    const res = await a.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a new password 123' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2, apiKeysRevoked: 0 });
    expect((await b.get('/api/auth/session')).status).toBe(401);
    expect((await c.get('/api/auth/session')).status).toBe(401);
    expect((await a.get('/api/auth/session')).status).toBe(200);
    expect((await stranger.get('/api/auth/session')).status).toBe(200);
    expect((await new Client(t.url).post('/api/auth/login', { email, password: PASSWORD })).status).toBe(401);
    await new Client(t.url).login(email, 'a new password 123');
  });
});
