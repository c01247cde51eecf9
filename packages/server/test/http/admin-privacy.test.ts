import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

interface AuditEvent { action: string; actor: { id: string } | null; target: { id: string } | null; reason: string | null; details: Record<string, unknown> | null }

const auditOf = async (t: TestServer, action: string) =>
  (await t.store.listAudit({ action: action as never, limit: 100 })).items;

describe.each(STORE_KINDS)('admin depth and privacy (%s)', (kind) => {
  let t: TestServer;
  let owner: Client;
  let auditor: Client;
  let ids: Record<'owner' | 'auditor' | 'bob' | 'carol', string>;

  beforeAll(async () => {
    t = await startTestServer({ store: kind, env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    ids = {
      owner: (await t.addUser('owner@example.com', 'owner')).id,
      auditor: (await t.addUser('auditor@example.com', 'auditor')).id,
      bob: (await t.addUser('bob@example.com')).id,
      carol: (await t.addUser('carol@example.com')).id,
    };
    owner = new Client(t.url);
    auditor = new Client(t.url);
    await owner.login('owner@example.com');
    await auditor.login('auditor@example.com');
  }, 60_000);
  afterAll(() => t?.close());

  const signIn = async (email: string, headers: Record<string, string> = {}) => {
    const c = new Client(t.url, headers);
    const { session } = await c.login(email);
    return { client: c, sessionId: session.id };
  };

  it("every read of other people's sessions is audited as sessions.viewed (whose, by whom); one's own is not", async () => {
    await signIn('bob@example.com');
    const before = (await auditOf(t, 'sessions.viewed')).length;
    expect((await owner.get(`/api/admin/sessions?user=${ids.bob}`)).status).toBe(200);
    const [event] = await auditOf(t, 'sessions.viewed');
    expect(event).toMatchObject({ actorId: ids.owner, targetUserId: ids.bob, details: { users: [ids.bob] } });
    expect((await auditor.get('/api/admin/sessions')).status).toBe(200);
    const events = await auditOf(t, 'sessions.viewed');
    expect(events).toHaveLength(before + 2);
    expect(events[0]!.actorId).toBe(ids.auditor);
    expect(events[0]!.details!.users).toEqual(expect.arrayContaining([ids.bob, ids.owner]));
    // Looking only at one's own sessions is no one else's business.
    expect((await owner.get(`/api/admin/sessions?user=${ids.owner}`)).status).toBe(200);
    expect(await auditOf(t, 'sessions.viewed')).toHaveLength(before + 2);
  });

  it('without sessions:view-ip addresses are shown anonymised, already stored full ones included', async () => {
    await signIn('carol@example.com', { 'x-forwarded-for': '198.51.100.77' });
    type Listed = { sessions: { ip: string | null; user: { id: string } }[] };
    const asOwner = (await (await owner.get(`/api/admin/sessions?user=${ids.carol}`)).json()) as Listed;
    const asAuditor = (await (await auditor.get(`/api/admin/sessions?user=${ids.carol}`)).json()) as Listed;
    expect(asOwner.sessions.map((s) => s.ip)).toContain('198.51.100.77');
    expect(asAuditor.sessions.map((s) => s.ip)).toContain('198.51.100.0');
    expect(JSON.stringify(asAuditor)).not.toContain('198.51.100.77');
  });

  it('the signed-in user learns their permissions (the UI shows pages by them)', async () => {
    const me = (await (await auditor.get('/api/auth/session')).json()) as { permissions: string[]; user: { role: string } };
    expect(me.user.role).toBe('auditor');
    expect(me.permissions.sort()).toEqual(['audit:read', 'sessions:view']);
  });

  it('revoke-matching: a dry run counts and samples without changing anything; the real run is one audit event', async () => {
    const de = await signIn('bob@example.com', { 'x-forwarded-for': '203.0.113.10' });
    const other = await signIn('bob@example.com', { 'x-forwarded-for': '192.0.2.5' });
    const filter = { users: ['bob@example.com'], ip: '203.0.113.0/24' };
    const dry = await owner.post('/api/admin/sessions/revoke-matching', { filter, reason: 'leaked laptop', dryRun: true });
    expect(dry.status).toBe(200);
    const preview = (await dry.json()) as { matched: number; users: number; sample: { id: string; user: { email: string } }[] };
    expect(preview).toMatchObject({ matched: 1, users: 1 });
    expect(preview.sample.map((s) => s.id)).toEqual([de.sessionId]);
    expect((await de.client.get('/api/auth/session')).status).toBe(200);

    const before = (await auditOf(t, 'sessions.revoked-matching')).length;
    const real = await owner.post('/api/admin/sessions/revoke-matching', { filter, reason: 'leaked laptop' });
    expect(await real.json()).toEqual({ revoked: 1 });
    expect((await de.client.get('/api/auth/session')).status).toBe(401);
    expect((await other.client.get('/api/auth/session')).status).toBe(200);
    const events = await auditOf(t, 'sessions.revoked-matching');
    expect(events).toHaveLength(before + 1);
    expect(events[0]).toMatchObject({ actorId: ids.owner, reason: 'leaked laptop', details: { count: 1, filter: { ip: '203.0.113.0/24', userIds: [ids.bob] } } });
    // The caller's own session is never among the matches.
    const all = await owner.post('/api/admin/sessions/revoke-matching', { filter: { users: [ids.owner] }, reason: 'x', dryRun: true });
    expect(((await all.json()) as { matched: number }).matched).toBe(0);
  });

  it('revoke-matching refuses a malformed filter with 400 and changes nothing', async () => {
    for (const filter of [{ ip: 'not-an-ip' }, { countries: ['Germany'] }, { createdBefore: 'yesterday' }, { unknown: 1 }]) {
      const res = await owner.post('/api/admin/sessions/revoke-matching', { filter, reason: 'x' });
      expect(res.status, JSON.stringify(filter)).toBe(400);
    }
  });

  it('disable ends every session, refuses sign-in neutrally and the API keys; enable revives nothing', async () => {
    const a = await signIn('carol@example.com');
    const b = await signIn('carol@example.com');
    const key = ((await (await a.client.post('/api/api-keys', { name: 'ci' })).json()) as { key: string }).key;
    const bearer = { authorization: `Bearer ${key}` };
    expect((await fetch(`${t.url}/api/sessions`, { headers: bearer })).status).toBe(200);

    const res = await owner.post(`/api/admin/users/${ids.carol}/disable`, { reason: 'left the company' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { id: ids.carol, disabled: true }, revoked: expect.any(Number), apiKeysRevoked: 1 });
    for (const c of [a.client, b.client]) expect((await c.get('/api/auth/session')).status).toBe(401);
    expect((await fetch(`${t.url}/api/sessions`, { headers: bearer })).status).toBe(401);

    // Sign-in: the same answer as a wrong password, so a guesser learns nothing about the account.
    const refused = await new Client(t.url).post('/api/auth/login', { email: 'carol@example.com', password: PASSWORD });
    const wrong = await new Client(t.url).post('/api/auth/login', { email: 'carol@example.com', password: 'not the password' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(await wrong.json());
    expect((await auditOf(t, 'user.disabled'))[0]).toMatchObject({ actorId: ids.owner, targetUserId: ids.carol, reason: 'left the company' });

    expect((await owner.post(`/api/admin/users/${ids.carol}/enable`, {})).status).toBe(200);
    for (const c of [a.client, b.client]) expect((await c.get('/api/auth/session')).status).toBe(401);
    expect((await t.server.manager.countActiveSessions(ids.carol))).toBe(0);
    // The key was revoked with the account, not only refused: enabling brings no credential back.
    expect((await fetch(`${t.url}/api/sessions`, { headers: bearer })).status).toBe(401);
    await signIn('carol@example.com');
    expect((await auditOf(t, 'user.enabled'))[0]).toMatchObject({ actorId: ids.owner, targetUserId: ids.carol });
  });

  it('nobody disables their own account, and an owner is out of an admin\'s reach', async () => {
    expect((await owner.post(`/api/admin/users/${ids.owner}/disable`, { reason: 'oops' })).status).toBe(409);
    await t.addUser('admin@example.com', 'admin');
    const { client: admin } = await signIn('admin@example.com');
    expect((await admin.post(`/api/admin/users/${ids.owner}/disable`, { reason: 'coup' })).status).toBe(403);
    expect((await admin.post(`/api/admin/users/${ids.owner}/sign-out`, { reason: 'still allowed: sessions:revoke' })).status).toBe(200);
  });
});

describe.each(STORE_KINDS)('audit log search and export (%s)', (kind) => {
  let t: TestServer;
  let owner: Client;
  let ownerId: string;

  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    ownerId = (await t.addUser('owner@example.com', 'owner')).id;
    await t.addUser('zoe@example.com');
    owner = new Client(t.url);
    await owner.login('owner@example.com');
    await new Client(t.url).post('/api/auth/login', { email: 'zoe@example.com', password: 'wrong password here' });
    await new Client(t.url).login('zoe@example.com');
  }, 60_000);
  afterAll(() => t?.close());

  type Listed = { events: { action: string; at: string; actor: { email: string | null } | null; target: { email: string | null } | null }[]; nextCursor: string | null };
  const list = async (query: string) => (await (await owner.get(`/api/admin/audit?${query}`)).json()) as Listed;

  it('filters by outcome, actions, free text (a person by e-mail) and time range', async () => {
    expect((await list('outcome=failure')).events.map((e) => e.action)).toEqual(['auth.sign-in-failed']);
    expect((await list('outcome=success')).events.map((e) => e.action)).not.toContain('auth.sign-in-failed');
    expect((await list('actions=auth.sign-in,auth.sign-in-failed')).events.map((e) => e.action).sort()).toEqual(['auth.sign-in', 'auth.sign-in', 'auth.sign-in-failed']);
    const zoe = (await list('q=ZOE@example')).events;
    expect(zoe.length).toBeGreaterThanOrEqual(2);
    for (const e of zoe) expect([e.actor?.email, e.target?.email]).toContain('zoe@example.com');
    const future = new Date(t.clock.now() + 60_000).toISOString();
    expect((await list(`from=${encodeURIComponent(future)}`)).events).toEqual([]);
    expect((await list(`to=${encodeURIComponent(future)}&outcome=failure`)).events).toHaveLength(1);
    expect((await owner.get('/api/admin/audit?actions=auth.sign-in,nonsense')).status).toBe(400);
    expect((await owner.get('/api/admin/audit?from=yesterday')).status).toBe(400);
  });

  it('exports the current filter as NDJSON and CSV, streamed, and audits the export', async () => {
    const ndjson = await owner.get('/api/admin/audit/export?format=ndjson&q=zoe');
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
    expect(ndjson.headers.get('content-disposition')).toMatch(/attachment; filename="seshat-audit-\d{4}-\d{2}-\d{2}\.ndjson"/);
    const lines = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l) as { action: string; at: string });
    expect(lines.map((l) => l.action).sort()).toEqual(['auth.sign-in', 'auth.sign-in-failed', 'user.created']);
    expect(lines[0]!.at).toMatch(/Z$/);

    const csv = await owner.get('/api/admin/audit/export?format=csv&outcome=failure');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toBe('id,at,action,actor_id,actor_email,target_id,target_email,session_id,reason,ip,details');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('auth.sign-in-failed');

    const exported = (await t.store.listAudit({ action: 'audit.exported' })).items;
    expect(exported).toHaveLength(2);
    expect(exported[0]).toMatchObject({ actorId: ownerId, details: { format: 'csv', filter: { outcome: 'failure' } } });
  });

  it('keeps audit events for the retention setting only: the GC deletes older ones', async () => {
    const before = (await t.store.listAudit({ limit: 500 })).items.length;
    await t.server.manager.updateSettings({ userId: ownerId, role: 'owner' }, { auditRetentionDays: 1 });
    t.clock.advance(2 * 86_400_000);
    await t.server.manager.audit.record({ action: 'auth.sign-out', actorId: ownerId, targetUserId: ownerId, sessionId: null, reason: null, ip: null, details: null });
    await t.server.manager.collectGarbage({ batchSize: 2 });
    const left = (await t.store.listAudit({ limit: 500 })).items;
    expect(before).toBeGreaterThan(3);
    expect(left.map((e) => e.action)).toEqual(['auth.sign-out']);
  });
});

describe('audit export CSV cells', () => {
  it('quotes separators and defuses spreadsheet formulas', async () => {
    const { csvField } = await import('../../src/audit-export.ts');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField(null)).toBe('');
  });
});
