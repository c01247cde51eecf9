import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 14, defects 1 and 2: strings a store cannot hold (NUL, unpaired surrogates) are refused at the
 * boundary with a 400 naming the field, the same on SQLite and PostgreSQL; ids that cannot exist are 404
 * without touching the store; and nothing is half done (no revocation without its audit event, no key the
 * client never saw).
 */
describe.each(STORE_KINDS)('unstorable input on %s', (kind) => {
  let t: TestServer;
  let admin: Client;
  let alice: Client;
  let aliceId: string;

  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    await t.addUser('admin@example.com', 'admin');
    aliceId = (await t.addUser('alice@example.com')).id;
    admin = new Client(t.url);
    await admin.login('admin@example.com');
    alice = new Client(t.url);
    await alice.login('alice@example.com');
  });
  afterAll(() => t?.close());

  async function expectBadField(res: Response, field: string): Promise<void> {
    expect(res.status, await res.clone().text()).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { detail: string; errors?: { path: string }[] };
    expect(body.detail).toContain(field);
  }

  async function auditCount(): Promise<number> {
    return (await t.store.listAudit({ limit: 500 })).items.length;
  }

  // Through the manager, not GET /api/admin/sessions: that read is itself audited (sessions.viewed).
  async function liveSessions(): Promise<number> {
    return t.server.manager.countActiveSessions();
  }

  it('refuses a NUL in the sign-in e-mail with a 400 naming the field, and signs nobody in', async () => {
    const before = await auditCount();
    const res = await new Client(t.url).post('/api/auth/login', { email: 'a\u0000@example.com', password: 'x' });
    await expectBadField(res, 'email');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for ids that cannot exist, without a 5xx', async () => {
    expect((await alice.get('/api/sessions/ses_%00')).status).toBe(404);
    const long = await alice.get('/api/sessions/' + 'x'.repeat(5000));
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await long.json()).toMatchObject({ title: 'URI Too Long', type: 'https://seshat.dev/problems/uri-too-long' });
    expect((await admin.post('/api/admin/users/%00/sign-out', { reason: 'x' })).status).toBe(404);
    // Percent-encoded bytes that are not UTF-8 (here a surrogate's) make a malformed URL: 400, as problem+json.
    const malformed = await admin.delete('/api/admin/sessions/ses_%ED%A0%80', {});
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await alice.delete('/api/api-keys/key_%00')).status).toBe(404);
  });

  it('refuses NUL in query filters with a 400 naming the field', async () => {
    await expectBadField(await admin.get('/api/admin/sessions?user=%00'), 'user');
    await expectBadField(await admin.get('/api/admin/audit?user=%00'), 'user');
  });

  it('refuses an unpaired surrogate in an API-key name: no key is created and nothing is audited', async () => {
    const before = await auditCount();
    await expectBadField(await alice.post('/api/api-keys', { name: 'k\ud800' }), 'name');
    await expectBadField(await alice.post('/api/api-keys', { name: 'k\udc00x' }), 'name');
    expect(((await (await alice.get('/api/api-keys')).json()) as { apiKeys: unknown[] }).apiKeys).toHaveLength(0);
    expect(await auditCount()).toBe(before);
    // A paired surrogate (an emoji) is ordinary text.
    expect((await alice.post('/api/api-keys', { name: 'deploy 🚀' })).status).toBe(201);
  });

  it('refuses NUL in admin reasons before anything is revoked', async () => {
    const victim = new Client(t.url);
    const { session } = await victim.login('alice@example.com');
    const sessions = await liveSessions();
    const audits = await auditCount();
    await expectBadField(await admin.post(`/api/admin/users/${aliceId}/sign-out`, { reason: 'bad\u0000reason' }), 'reason');
    await expectBadField(await admin.delete(`/api/admin/sessions/${session.id}`, { reason: '\u0000' }), 'reason');
    await expectBadField(await admin.post('/api/admin/sessions/revoke-all', { reason: 'x\ud800' }), 'reason');
    expect(await liveSessions()).toBe(sessions);
    expect(await auditCount()).toBe(audits);
    expect((await victim.get('/api/auth/session')).status).toBe(200);
  });

  it('names a NUL inside a nested or unknown body field too', async () => {
    await expectBadField(await admin.patch('/api/admin/settings', { rememberMe: { enabled: true, note: 'a\u0000' } }), 'rememberMe/note');
    await expectBadField(await alice.post('/api/auth/password', { currentPassword: 'x\u0000', newPassword: 'long enough password' }), 'currentPassword');
  });
});
