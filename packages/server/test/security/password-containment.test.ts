import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/app.ts';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

const NEW_PASSWORD = 'a brand new long passphrase';

async function problemType(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return ((await res.json()) as { type: string }).type;
}

/** Issue 14.17, 14.20, 14.21: passwords someone else knows, and the token in use when it changes. */
describe.each(STORE_KINDS)('passwords under containment (%s)', (kind) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ store: kind });
  });
  afterEach(() => t.close());

  it('the generated first-admin password must be changed at first sign-in: everything else answers 403', async () => {
    let printed = '';
    await ensureAdmin(t.server, (line) => (printed += line));
    const password = /one-time password: (\S+)/.exec(printed)![1]!;
    const admin = new Client(t.url);
    const login = await admin.post('/api/auth/login', { email: 'admin@seshat.local', password });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ passwordChangeRequired: true });

    for (const [method, path, body] of [
      ['GET', '/api/sessions'],
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/settings'],
      ['POST', '/api/api-keys', { name: 'x' }],
      ['POST', '/api/sessions/revoke-others', {}],
    ] as [string, string, unknown?][]) {
      const res = await admin.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await problemType(res)).toBe('https://seshat.dev/problems/password-change-required');
    }
    expect(await (await admin.get('/api/auth/session')).json()).toMatchObject({ passwordChangeRequired: true });

    const changed = await admin.post('/api/auth/password', { currentPassword: password, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect((await admin.get('/api/admin/users')).status).toBe(200);
    expect(await (await admin.get('/api/auth/session')).json()).toMatchObject({ passwordChangeRequired: false });
    // The generated password is gone; the next sign-in is an ordinary one.
    expect((await new Client(t.url).post('/api/auth/login', { email: 'admin@seshat.local', password })).status).toBe(401);
    expect(await new Client(t.url).login('admin@seshat.local', NEW_PASSWORD)).toMatchObject({ passwordChangeRequired: false });
  });

  it('a password change issues a new token; the old cookie is refused; a wrong current password is audited', async () => {
    await t.addUser('admin@example.com', 'admin');
    const alice = { id: (await t.addUser('alice@example.com')).id, client: new Client(t.url) };
    await alice.client.login('alice@example.com');
    const before = alice.client.cookie!;

    const wrong = await alice.client.post('/api/auth/password', { currentPassword: 'not the password', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(alice.client.cookie).toBe(before);

    const res = await alice.client.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^session_token=/);
    expect(alice.client.cookie).not.toBe(before);
    expect((await alice.client.get('/api/sessions')).status).toBe(200);
    const stale = new Client(t.url);
    stale.cookie = before;
    expect((await stale.get('/api/sessions')).status).toBe(401);

    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const { events } = (await (await admin.get(`/api/admin/audit?user=${alice.id}`)).json()) as { events: { action: string }[] };
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['password.change-failed', 'password.changed']));
  });

  it('an admin sets a new password: sessions and keys end, the person must change it at next sign-in; audited', async () => {
    await t.addUser('admin@example.com', 'admin');
    const aliceId = (await t.addUser('alice@example.com')).id;
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const { key } = (await (await alice.post('/api/api-keys', { name: 'k' })).json()) as { key: string };
    const admin = new Client(t.url);
    await admin.login('admin@example.com');

    expect((await alice.post(`/api/admin/users/${aliceId}/password`, {})).status).toBe(403);
    const res = await admin.post(`/api/admin/users/${aliceId}/password`, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { password, revoked, apiKeysRevoked } = (await res.json()) as { password: string; revoked: number; apiKeysRevoked: number };
    expect({ revoked, apiKeysRevoked }).toEqual({ revoked: 1, apiKeysRevoked: 1 });
    expect((await alice.get('/api/sessions')).status).toBe(401);
    expect((await fetch(t.url + '/api/sessions', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    // The old password no longer works; the new one signs in only to change it.
    expect((await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(401);
    const again = new Client(t.url);
    expect(await again.login('alice@example.com', password)).toMatchObject({ passwordChangeRequired: true });
    expect((await again.get('/api/sessions')).status).toBe(403);
    expect((await again.post('/api/auth/password', { currentPassword: password, newPassword: NEW_PASSWORD })).status).toBe(200);
    expect((await again.get('/api/sessions')).status).toBe(200);

    // A chosen temporary password is not echoed back.
    const chosen = await admin.post(`/api/admin/users/${aliceId}/password`, { password: 'temporary passphrase 42' });
    expect(await chosen.json()).toEqual({ revoked: 1, apiKeysRevoked: 0 });
    const { events } = (await (await admin.get(`/api/admin/audit?user=${aliceId}&action=password.reset`)).json()) as { events: { actor: { email: string } }[] };
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actor: { email: 'admin@example.com' } });
  });

  it('an admin changes a role, audited; the last admin cannot be demoted; a demoted admin loses admin access at once', async () => {
    const adminId = (await t.addUser('admin@example.com', 'admin')).id;
    const bobId = (await t.addUser('bob@example.com')).id;
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const bob = new Client(t.url);
    await bob.login('bob@example.com');

    expect((await bob.post(`/api/admin/users/${bobId}/role`, { role: 'admin' })).status).toBe(403);
    expect((await admin.post(`/api/admin/users/${adminId}/role`, { role: 'user' })).status).toBe(409);
    expect((await admin.post(`/api/admin/users/${bobId}/role`, { role: 'emperor' })).status).toBe(400);
    const promoted = await admin.post(`/api/admin/users/${bobId}/role`, { role: 'admin' });
    expect(await promoted.json()).toMatchObject({ id: bobId, role: 'admin' });
    expect((await bob.get('/api/admin/users')).status).toBe(200);
    expect((await admin.post(`/api/admin/users/${bobId}/role`, { role: 'user' })).status).toBe(200);
    expect((await bob.get('/api/admin/users')).status).toBe(403);
    const { events } = (await (await admin.get(`/api/admin/audit?user=${bobId}&action=user.role-changed`)).json()) as { events: { details: unknown }[] };
    expect(events.map((e) => e.details)).toEqual([{ before: 'admin', after: 'user' }, { before: 'user', after: 'admin' }]);
  });
});
