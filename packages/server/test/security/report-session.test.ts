import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 10.4: "This wasn't me" — one action that contains the account. */
describe.each(STORE_KINDS)('reporting a session (%s)', (kind) => {
  let t: TestServer;
  let aliceId: string;
  let owner: Client;
  let attacker: Client;
  let phone: Client;
  let attackerSession: string;
  beforeEach(async () => {
    t = await startTestServer({ store: kind, env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    await t.addUser('admin@example.com', 'admin');
    aliceId = (await t.addUser('alice@example.com')).id;
    owner = new Client(t.url);
    phone = new Client(t.url);
    attacker = new Client(t.url, { 'x-forwarded-for': '203.0.113.66', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' });
    await owner.login('alice@example.com');
    await phone.login('alice@example.com');
    attackerSession = (await attacker.login('alice@example.com')).session.id;
  });
  afterEach(() => t.close());

  it('ends that session and all others, revokes the keys, requires a password change, and is audited with device and IP', async () => {
    const { key } = (await (await attacker.post('/api/api-keys', { name: 'backdoor' })).json()) as { key: string };
    const res = await owner.post(`/api/sessions/${attackerSession}/report`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2, apiKeysRevoked: 1, passwordChangeRequired: true });
    expect((await attacker.get('/api/auth/session')).status).toBe(401);
    expect((await phone.get('/api/auth/session')).status).toBe(401);
    expect((await fetch(`${t.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);

    // The reporting session stays, but can do nothing before the password is changed; its step-up is gone.
    expect(await (await owner.get('/api/auth/session')).json()).toMatchObject({ passwordChangeRequired: true });
    expect((await owner.get('/api/sessions')).status).toBe(403);
    // The account, too: a sign-in with the old password may only change it.
    expect(await new Client(t.url).login('alice@example.com')).toMatchObject({ passwordChangeRequired: true });
    expect((await owner.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' })).status).toBe(200);
    expect((await owner.get('/api/sessions')).status).toBe(200);
    expect(await new Client(t.url).login('alice@example.com', 'a brand new long passphrase')).toMatchObject({ passwordChangeRequired: false });

    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const { events } = (await (await admin.get('/api/admin/audit?action=session.reported')).json()) as { events: { sessionId: string; target: { id: string }; details: Record<string, unknown> }[] };
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sessionId: attackerSession, target: { id: aliceId }, details: { ip: '203.0.113.66', device: expect.stringContaining('Chrome'), revokedSessions: 2 } });
  });

  it("only your own sessions can be reported; a key cannot report; the library call works without a session (e-mail link)", async () => {
    const bob = new Client(t.url);
    await t.addUser('bob@example.com');
    await bob.login('bob@example.com');
    expect((await bob.post(`/api/sessions/${attackerSession}/report`)).status).toBe(404);
    expect((await attacker.get('/api/auth/session')).status).toBe(200);

    // From outside any session (what a signed "This wasn't me" e-mail link calls): every session ends.
    const result = await t.server.manager.reportSession({ userId: aliceId }, attackerSession);
    expect(result.revoked).toBe(3);
    expect((await owner.get('/api/auth/session')).status).toBe(401);
  });
});
