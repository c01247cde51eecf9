import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

interface AdminSession { id: string; current: boolean; user: { id: string; email: string } }

describe('admin endpoints over HTTP', () => {
  let t: TestServer;
  let admin: Client;
  let alice: Client;
  let bob: Client;
  let ids: { admin: string; alice: string; bob: string; carol: string };

  beforeEach(async () => {
    t = await startTestServer();
    const a = await t.addUser('admin@example.com', 'admin');
    const al = await t.addUser('alice@example.com');
    const b = await t.addUser('bob@example.com');
    const c = await t.addUser('carol@example.com');
    ids = { admin: a.id, alice: al.id, bob: b.id, carol: c.id };
    admin = new Client(t.url);
    alice = new Client(t.url);
    bob = new Client(t.url);
    await admin.login('admin@example.com');
    await alice.login('alice@example.com');
    await bob.login('bob@example.com');
  });
  afterEach(() => t.close());

  it('lists every session with its user, filtered by id or e-mail, paginated with a total', async () => {
    const second = new Client(t.url);
    await second.login('alice@example.com');
    const all = await admin.get('/api/admin/sessions');
    expect(all.status).toBe(200);
    const body = (await all.json()) as { sessions: AdminSession[]; nextCursor: string | null; total: number; totalCapped: boolean };
    expect(body.total).toBe(4);
    expect(body.totalCapped).toBe(false); // counted exactly below 10,000
    expect(body.sessions).toHaveLength(4);
    expect(body.nextCursor).toBeNull();
    expect(body.sessions.filter((s) => s.current)).toHaveLength(1);
    expect(body.sessions.find((s) => s.current)!.user.email).toBe('admin@example.com');
    expect(JSON.stringify(body)).not.toContain(alice.token!.split('.')[1]);

    for (const user of [ids.alice, 'alice@example.com', 'ALICE@example.com']) {
      const filtered = (await (await admin.get(`/api/admin/sessions?user=${encodeURIComponent(user)}`)).json()) as { sessions: AdminSession[]; total: number };
      expect(filtered.total).toBe(2);
      expect(filtered.sessions.map((s) => s.user.id)).toEqual([ids.alice, ids.alice]);
    }
    const nobody = (await (await admin.get('/api/admin/sessions?user=nobody@example.com')).json()) as { total: number };
    expect(nobody.total).toBe(0);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await admin.get(`/api/admin/sessions?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { sessions: AdminSession[]; nextCursor: string | null; total: number };
      expect(page.total).toBe(4);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(4);

    expect((await admin.get('/api/admin/sessions?limit=0')).status).toBe(400);
    expect((await admin.get('/api/admin/sessions?cursor=garbage!')).status).toBe(400);
  });

  it('lists users with their active sessions, including users with none', async () => {
    const res = await admin.get('/api/admin/users');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { users: { id: string; email: string; role: string; activeSessions: number; lastActiveAt: string | null }[]; totalActiveSessions: number };
    expect(body.totalActiveSessions).toBe(3);
    const carol = body.users.find((u) => u.id === ids.carol)!;
    expect(carol).toMatchObject({ email: 'carol@example.com', role: 'user', activeSessions: 0, lastActiveAt: null });
    const alice = body.users.find((u) => u.id === ids.alice)!;
    expect(alice.activeSessions).toBe(1);
    expect(new Date(alice.lastActiveAt!).getTime()).toBe(t.clock.now());
    expect(body.users.find((u) => u.id === ids.admin)!.role).toBe('admin');
    expect(JSON.stringify(body)).not.toContain('scrypt');
  });

  it("revokes anyone's session with a reason, and answers 404 for a missing one", async () => {
    const { sessions } = (await (await admin.get(`/api/admin/sessions?user=${ids.bob}`)).json()) as { sessions: AdminSession[] };
    const res = await admin.delete(`/api/admin/sessions/${sessions[0]!.id}`, { reason: 'lost laptop' });
    expect(res.status).toBe(204);
    expect((await bob.get('/api/sessions')).status).toBe(401);
    expect((await admin.delete(`/api/admin/sessions/${sessions[0]!.id}`)).status).toBe(404);
    expect((await admin.delete('/api/admin/sessions/ses_doesnotexistdoesnotexist1')).status).toBe(404);
    expect((await admin.delete(`/api/admin/sessions/${sessions[0]!.id}`, { reason: 'x'.repeat(501) })).status).toBe(400);

    const audit = (await (await admin.get('/api/admin/audit?action=session.revoked')).json()) as { events: { actor: { id: string } | null; target: { id: string; email: string } | null; sessionId: string; reason: string }[] };
    expect(audit.events[0]).toMatchObject({ actor: { id: ids.admin }, target: { id: ids.bob, email: 'bob@example.com' }, sessionId: sessions[0]!.id, reason: 'lost laptop' });
  });

  it('an admin may end their own session here (unlike /api/sessions/:id, which answers 409): a sign-out', async () => {
    const { session } = (await (await admin.get('/api/auth/session')).json()) as { session: { id: string } };
    expect((await admin.delete(`/api/sessions/${session.id}`)).status).toBe(409);
    const old = admin.cookie!;
    const res = await admin.delete(`/api/admin/sessions/${session.id}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^session_token=;/);
    expect((await new Client(t.url, { cookie: old }).get('/api/admin/settings')).status).toBe(401);
  });

  it('signs a user out everywhere only with a reason of 1–500 characters', async () => {
    const again = new Client(t.url);
    await again.login('alice@example.com');
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 42 }, { reason: 'ok', extra: 1 }]) {
      const res = await admin.post(`/api/admin/users/${ids.alice}/sign-out`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await alice.get('/api/sessions')).status).toBe(200);
    expect((await admin.post('/api/admin/users/usr_missing/sign-out', { reason: 'policy' })).status).toBe(404);

    const res = await admin.post(`/api/admin/users/${ids.alice}/sign-out`, { reason: 'left the company' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2, apiKeysRevoked: 0 });
    expect((await alice.get('/api/sessions')).status).toBe(401);
    expect((await again.get('/api/sessions')).status).toBe(401);
    expect((await bob.get('/api/sessions')).status).toBe(200);

    const audit = (await (await admin.get(`/api/admin/audit?action=user.force-signed-out&user=alice@example.com`)).json()) as { events: { reason: string; details: { count: number }; actor: { id: string } }[] };
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ reason: 'left the company', details: { count: 2 }, actor: { id: ids.admin } });
  });

  it('revokes all sessions, the caller’s own too, with one audit event carrying the count', async () => {
    const stolen = admin.cookie;
    const res = await admin.post('/api/admin/sessions/revoke-all', { reason: 'incident 42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^session_token=;/); // cleared
    expect((await new Client(t.url, { cookie: stolen! }).get('/api/sessions')).status).toBe(401);
    expect(await res.json()).toEqual({ revoked: 3, apiKeysRevoked: 0 });
    for (const c of [admin, alice, bob]) expect((await c.get('/api/sessions')).status).toBe(401);
    expect((await admin.get('/api/admin/settings')).status).toBe(401);

    const fresh = new Client(t.url);
    await fresh.login('admin@example.com');
    const audit = (await (await fresh.get('/api/admin/audit?action=sessions.invalidated-all')).json()) as { events: { reason: string; details: { count: number } }[] };
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ reason: 'incident 42', details: { count: 3 } });
  });

  it('reads and patches settings, partially and validated, with an audit event', async () => {
    const before = (await (await admin.get('/api/admin/settings')).json()) as Record<string, unknown>;
    expect(before).toEqual({
      idleTimeoutSeconds: 7 * 86400,
      rememberMe: { enabled: true, durationSeconds: 30 * 86400 },
      absoluteLifetimeSeconds: 90 * 86400,
      maxSessionsPerUser: null,
      sessionLimitAction: 'evict-oldest',
      anonymizeIp: false,
      teamSessionAccess: 'full',
      manySessionsThreshold: 5,
      auditRetentionDays: 400,
      showAdminReasonToUser: false,
      reauthenticationWindowSeconds: 600,
      deviceBinding: { policy: 'offer', boundCookieSeconds: 600 },
    });

    const bad = [
      { unknown: 1 },
      { rememberMe: { enabled: true, extra: 1 } },
      { idleTimeoutSeconds: -5 },
      { idleTimeoutSeconds: 1.5 },
      { idleTimeoutSeconds: '3600' },
      { maxSessionsPerUser: 0 },
      { sessionLimitAction: 'kick' },
      { anonymizeIp: 'yes' },
      { rememberMe: { durationSeconds: 0 } },
      { deviceBinding: { policy: 'always' } },
      { deviceBinding: { boundCookieSeconds: 10 } },
    ];
    for (const body of bad) {
      const res = await admin.patch('/api/admin/settings', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await (await admin.get('/api/admin/settings')).json()).toEqual(before);

    const res = await admin.patch('/api/admin/settings', { idleTimeoutSeconds: null, rememberMe: { durationSeconds: 3600 }, maxSessionsPerUser: 3, anonymizeIp: true });
    expect(res.status).toBe(200);
    const after = await res.json();
    expect(after).toEqual({ ...before, idleTimeoutSeconds: null, rememberMe: { enabled: true, durationSeconds: 3600 }, maxSessionsPerUser: 3, anonymizeIp: true });
    expect(await (await admin.get('/api/admin/settings')).json()).toEqual(after);
    // Stored in the database, not only in memory.
    expect(await t.store.loadSettings()).toEqual(after);

    const audit = (await (await admin.get('/api/admin/audit?action=settings.changed')).json()) as { events: { actor: { id: string }; details: { before: unknown; after: unknown } }[] };
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ actor: { id: ids.admin }, details: { before, after } });
  });

  it('paginates and filters the audit trail', async () => {
    for (let i = 0; i < 4; i++) {
      await new Client(t.url).login('carol@example.com');
    }
    const ids_: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.get(`/api/admin/audit?user=${ids.carol}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { events: { id: string; action: string; at: string; target: { id: string } | null; actor: unknown }[]; nextCursor: string | null };
      expect(page.events.length).toBeLessThanOrEqual(2);
      for (const e of page.events) expect(e.target?.id).toBe(ids.carol);
      ids_.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    // user.created + 4 sign-ins
    expect(ids_).toHaveLength(5);
    expect(new Set(ids_).size).toBe(5);

    const created = (await (await admin.get('/api/admin/audit?action=user.created')).json()) as { events: { actor: unknown }[] };
    expect(created.events).toHaveLength(4);
    expect(created.events[0]!.actor).toBeNull(); // created by the system (the test helper, like the CLI)

    expect((await admin.get('/api/admin/audit?action=no.such.action')).status).toBe(400);
    expect((await admin.get('/api/admin/audit?limit=501')).status).toBe(400);
    expect((await admin.get('/api/admin/audit?cursor=bm9wZQ')).status).toBe(400);
  });
});
