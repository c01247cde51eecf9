import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE } from 'seshat';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/** A client that keeps sending its cookie whatever the server says (a stale tab, a script): the raw cookie header. */
const rawGet = (t: TestServer, cookie: string, path = '/api/auth/session') =>
  fetch(t.url + path, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });

describe.each(STORE_KINDS)('a signed-out person is told why (%s)', (store) => {
  let t: TestServer;
  afterEach(() => t?.close());

  async function setup() {
    t = await startTestServer({ store });
    await t.addUser('admin@example.com', 'admin');
    const alice = await t.addUser('alice@example.com');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    return { admin, alice };
  }

  it('401 …/session-ended with endedReason and endedAt, clears the cookie, and says the same after a reload', async () => {
    await setup();
    const laptop = new Client(t.url);
    const phone = new Client(t.url);
    await laptop.login('alice@example.com');
    await phone.login('alice@example.com');
    const stale = phone.cookie!;
    const changed = await laptop.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new horse battery', signOutOtherSessions: true });
    expect(changed.status).toBe(200);

    const res = await phone.get('/api/sessions');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/i);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'https://seshat.dev/problems/session-ended', status: 401, endedReason: 'password-changed', endedAt: new Date(t.clock.now()).toISOString() });
    expect(body).not.toHaveProperty('adminReason');
    // The sign-in page asks again after a reload: the reason is kept until garbage collection.
    const again = await rawGet(t, stale);
    expect(await again.json()).toMatchObject({ endedReason: 'password-changed' });
  });

  it("admin: the administrator's reason only with showAdminReasonToUser", async () => {
    const { admin, alice } = await setup();
    const victim = new Client(t.url);
    await victim.login('alice@example.com');
    const cookie = victim.cookie!;
    expect((await admin.post(`/api/admin/users/${alice.id}/sign-out`, { reason: 'Laptop reported stolen' })).status).toBe(200);
    const hidden = (await (await rawGet(t, cookie)).json()) as Record<string, unknown>;
    expect(hidden).toMatchObject({ endedReason: 'admin' });
    expect(hidden).not.toHaveProperty('adminReason');
    expect((await admin.patch('/api/admin/settings', { showAdminReasonToUser: true })).status).toBe(200);
    expect(await (await rawGet(t, cookie)).json()).toMatchObject({ endedReason: 'admin', adminReason: 'Laptop reported stolen' });
  });

  it('signed-out, signed-out-elsewhere and invalidated-all', async () => {
    const { admin } = await setup();
    const a = new Client(t.url);
    const b = new Client(t.url);
    const { session } = await a.login('alice@example.com');
    await b.login('alice@example.com');
    const aCookie = a.cookie!;
    expect((await b.delete(`/api/sessions/${session.id}`)).status).toBe(204);
    expect(await (await rawGet(t, aCookie)).json()).toMatchObject({ endedReason: 'signed-out-elsewhere' });
    const bCookie = b.cookie!;
    await b.post('/api/auth/logout');
    expect(await (await rawGet(t, bCookie)).json()).toMatchObject({ endedReason: 'signed-out' });
    const c = new Client(t.url);
    await c.login('alice@example.com');
    const cCookie = c.cookie!;
    await admin.post('/api/admin/sessions/revoke-all', {});
    expect(await (await rawGet(t, cCookie)).json()).toMatchObject({ endedReason: 'invalidated-all' });
  });

  it('an idle-expired session is ended for good: raising the idle timeout later does not revive the cookie (issue #14, item 6)', async () => {
    const { admin } = await setup();
    expect((await admin.patch('/api/admin/settings', { idleTimeoutSeconds: 60 })).status).toBe(200);
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const cookie = alice.cookie!;
    t.clock.advance(2 * MINUTE);
    const expired = await rawGet(t, cookie);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ endedReason: 'idle-timeout' });
    const admin2 = new Client(t.url);
    await admin2.login('admin@example.com');
    expect((await admin2.patch('/api/admin/settings', { idleTimeoutSeconds: 7 * 86400 })).status).toBe(200);
    const still = await rawGet(t, cookie);
    expect(still.status).toBe(401);
    expect(await still.json()).toMatchObject({ endedReason: 'idle-timeout' });
  });

  it('refuses an idle timeout shorter than the touch interval can honour, stating the minimum', async () => {
    const { admin } = await setup();
    const res = await admin.patch('/api/admin/settings', { idleTimeoutSeconds: 3 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/at least 10 seconds/);
  });

  it('a malformed or unknown cookie: plain 401, and the cookie is cleared', async () => {
    await setup();
    for (const cookie of ['session_token=garbage', 'session_token=ses_AAAAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43)]) {
      const res = await rawGet(t, cookie);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'https://seshat.dev/problems/unauthenticated' });
      expect(res.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/i);
    }
    // No cookie: nothing to clear.
    const none = await fetch(t.url + '/api/auth/session');
    expect(none.status).toBe(401);
    expect(none.headers.get('set-cookie')).toBeNull();
  });
});

describe('caller-dependent answers are never cached (issue #14, item 8)', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('every API answer, success or error, carries Cache-Control: no-store and Vary: Cookie', async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const anonymous = new Client(t.url);
    const answers = [
      await admin.get('/api/auth/session'),
      await admin.get('/api/sessions'),
      await admin.get('/api/admin/sessions'),
      await admin.get('/api/admin/audit'),
      await admin.get('/api/admin/settings'),
      await admin.get('/api/api-keys'),
      await admin.get('/api/sessions/ses_AAAAAAAAAAAAAAAAAAAAAAAA'),
      await anonymous.get('/api/auth/session'),
      await anonymous.get('/api/sessions'),
    ];
    for (const res of answers) {
      expect(res.headers.get('cache-control'), res.url).toBe('no-store');
      expect(res.headers.get('vary'), res.url).toMatch(/\bCookie\b/);
    }
  });
});
