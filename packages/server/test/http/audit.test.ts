import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from 'seshat/sqlite';
import { main } from '../../src/cli/main.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

interface Event { action: string; actor: { id: string } | null; target: { id: string } | null; sessionId: string | null; reason: string | null; ip: string | null; details: Record<string, unknown> | null }

describe('audit trail: every event of DESIGN.md appears', () => {
  let t: TestServer;
  let admin: Client;
  let aliceId: string;
  let adminId: string;

  beforeEach(async () => {
    t = await startTestServer();
    adminId = (await t.addUser('admin@example.com', 'admin')).id;
    aliceId = (await t.addUser('alice@example.com')).id;
    admin = new Client(t.url);
    await admin.login('admin@example.com');
  });
  afterEach(() => t.close());

  async function events(action: string, user?: string): Promise<Event[]> {
    const res = await admin.get(`/api/admin/audit?action=${action}${user ? `&user=${user}` : ''}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: Event[] }).events;
  }

  it('sign-in, failed sign-in and sign-out, with IP', async () => {
    const alice = new Client(t.url);
    const { session } = await alice.login('alice@example.com');
    const [signIn] = await events('auth.sign-in', aliceId);
    expect(signIn).toMatchObject({ actor: { id: aliceId }, target: { id: aliceId }, sessionId: session.id, ip: '127.0.0.1' });

    expect((await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: 'wrong password' })).status).toBe(401);
    expect((await new Client(t.url).post('/api/auth/login', { email: 'ghost@example.com', password: 'wrong password' })).status).toBe(401);
    const failed = await events('auth.sign-in-failed');
    expect(failed).toHaveLength(2);
    expect(failed[1]).toMatchObject({ actor: null, target: { id: aliceId }, ip: '127.0.0.1' });
    expect(failed[0]).toMatchObject({ actor: null, target: null, details: { email: 'ghost@example.com' } });
    expect(JSON.stringify(failed)).not.toContain('wrong password');

    expect((await alice.post('/api/auth/logout')).status).toBe(204);
    expect(await events('auth.sign-out', aliceId)).toMatchObject([{ actor: { id: aliceId }, sessionId: session.id }]);
  });

  it('revocation of one session and of all others', async () => {
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const other = new Client(t.url);
    const { session } = await other.login('alice@example.com');
    expect((await alice.delete(`/api/sessions/${session.id}`)).status).toBe(204);
    expect(await events('session.revoked', aliceId)).toMatchObject([{ actor: { id: aliceId }, target: { id: aliceId }, sessionId: session.id }]);

    await new Client(t.url).login('alice@example.com');
    await new Client(t.url).login('alice@example.com');
    expect(await (await alice.post('/api/sessions/revoke-others')).json()).toEqual({ revoked: 2 });
    expect(await events('sessions.revoked-others', aliceId)).toMatchObject([{ actor: { id: aliceId }, details: { count: 2 } }]);
  });

  it('force sign-out and invalidate-all by an admin', async () => {
    await new Client(t.url).login('alice@example.com');
    await admin.post(`/api/admin/users/${aliceId}/sign-out`, { reason: 'suspicious activity' });
    expect(await events('user.force-signed-out')).toMatchObject([{ actor: { id: adminId }, target: { id: aliceId }, reason: 'suspicious activity', details: { count: 1 } }]);

    await new Client(t.url).login('alice@example.com');
    await new Client(t.url).login('alice@example.com');
    await admin.post('/api/admin/sessions/revoke-all', {});
    const fresh = new Client(t.url);
    await fresh.login('admin@example.com');
    admin = fresh;
    const all = await events('sessions.invalidated-all');
    expect(all).toHaveLength(1); // one event for the whole batch, not one per session
    expect(all[0]).toMatchObject({ actor: { id: adminId }, details: { count: 3 } });
  });

  it('password change: event recorded, other sessions signed out by default', async () => {
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const phone = new Client(t.url);
    await phone.login('alice@example.com');
    const laptop = new Client(t.url);
    await laptop.login('alice@example.com');

    const wrong = await alice.post('/api/auth/password', { currentPassword: 'not it', newPassword: 'a brand new password' });
    expect(wrong.status).toBe(400);
    expect((await phone.get('/api/sessions')).status).toBe(200);
    expect((await alice.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'short' })).status).toBe(400);

    const res = await alice.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new password' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2, apiKeysRevoked: 0 });
    expect((await alice.get('/api/sessions')).status).toBe(200);
    expect((await phone.get('/api/sessions')).status).toBe(401);
    expect((await laptop.get('/api/sessions')).status).toBe(401);
    expect((await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(401);
    await new Client(t.url).login('alice@example.com', 'a brand new password');

    const changed = await events('password.changed', aliceId);
    expect(changed).toMatchObject([{ actor: { id: aliceId }, target: { id: aliceId }, details: { revokedOtherSessions: 2 } }]);
    expect(JSON.stringify(changed)).not.toContain('brand new');
  });

  it('with anonymizeIp on, every audit entry records only the address prefix', async () => {
    expect((await admin.patch('/api/admin/settings', { anonymizeIp: true })).status).toBe(200);
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const other = new Client(t.url);
    const { session } = await other.login('alice@example.com');
    await alice.delete(`/api/sessions/${session.id}`);
    await admin.post(`/api/admin/users/${aliceId}/sign-out`, { reason: 'privacy check' });
    await admin.patch('/api/admin/settings', { anonymizeIp: true });
    const { events } = (await (await admin.get('/api/admin/audit?limit=20')).json()) as { events: Event[] };
    const since = events.slice(0, events.findIndex((e) => e.action === 'settings.changed' && e !== events[0]));
    expect(since.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.sign-in', 'session.revoked', 'user.force-signed-out', 'settings.changed']));
    for (const e of since) expect(e.ip, e.action).toBe('127.0.0.0');
  });

  it('password change with signOutOtherSessions:false keeps the other sessions', async () => {
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const phone = new Client(t.url);
    await phone.login('alice@example.com');
    const res = await alice.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'another new password', signOutOtherSessions: false });
    expect(await res.json()).toEqual({ revoked: 0, apiKeysRevoked: 0 });
    expect((await phone.get('/api/sessions')).status).toBe(200);
    expect(await events('password.changed', aliceId)).toMatchObject([{ details: { revokedOtherSessions: 0 } }]);
  });
});

describe('invalidate-all from the CLI', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'seshat-cli-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('writes one audit event with the count and the system as actor', async () => {
    const file = join(dir, 'seshat.db');
    const t = await startTestServer({ store: new SqliteStore(file) });
    await t.addUser('alice@example.com');
    await new Client(t.url).login('alice@example.com');
    await new Client(t.url).login('alice@example.com');
    await t.close();

    process.env.DATABASE_URL = file;
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main(['sessions', 'invalidate-all', '--yes', '--reason', 'rotated keys'])).toBe(0);

    const store = new SqliteStore(file);
    try {
      const { items } = await store.listAudit({ action: 'sessions.invalidated-all' });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ actorId: null, reason: 'rotated keys', details: { count: 2 } });
    } finally {
      await store.close();
    }
  });
});
