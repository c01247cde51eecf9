import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE, ManualClock, SECOND } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { SqliteStore } from 'seshat/sqlite';
import { createServer } from '../../src/app.ts';
import { Client, PATIENT_POSTGRES, STORE_KINDS, TEST_PASSWORD_COST, startTestServer, type TestServer } from '../helpers/server.ts';

const REAUTH = 'https://seshat.dev/problems/reauthentication-required';
/** "Admins: 1 h idle, 12 h max, no remember-me" — the example. */
const STRICT_ADMINS = { idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 12 * 3600, rememberMe: { enabled: false } };

interface Effective {
  user: { id: string; role: string };
  fields: Record<string, { value: unknown; source: 'user' | 'role' | 'global' }>;
}

describe.each(STORE_KINDS)('session policies per role and per person over HTTP (%s)', (kind) => {
  let t: TestServer;
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
    await t?.close();
  });

  async function setup() {
    t = await startTestServer({ store: kind });
    const ids = {
      owner: (await t.addUser('owner@example.com', 'owner')).id,
      admin: (await t.addUser('admin@example.com', 'admin')).id,
      auditor: (await t.addUser('auditor@example.com', 'auditor')).id,
      alice: (await t.addUser('alice@example.com')).id,
    };
    /** A fresh sign-in per change: the clock jumps in these tests and the step-up window is 10 minutes. */
    const as = async (email: string) => {
      const c = new Client(t.url);
      await c.login(email);
      return c;
    };
    return { ids, as };
  }

  it('a role policy ("admins: 1 h idle, 12 h max, no remember-me") applies to that role only, and at once to existing sessions', async () => {
    const { ids, as } = await setup();
    const adminSession = await as('admin@example.com');
    const alice = await as('alice@example.com');
    const owner = await as('owner@example.com');
    const res = await owner.put('/api/admin/policies/roles/admin', STRICT_ADMINS);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ role: 'admin', policy: STRICT_ADMINS });

    // No remember-me for admins: "Keep me signed in" gives a browser-session cookie; others still get one.
    const remembered = await new Client(t.url).post('/api/auth/login', { email: 'admin@example.com', password: 'correct horse battery', remember: true });
    expect(remembered.headers.get('set-cookie')).not.toMatch(/Max-Age/);
    const aliceRemembered = await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: 'correct horse battery', remember: true });
    expect(aliceRemembered.headers.get('set-cookie')).toMatch(/Max-Age/);

    // The admin's session (signed in before the policy) shows the new expiry and ends after an hour idle.
    const listed = (await (await adminSession.get('/api/sessions')).json()) as { sessions: { current: boolean; expiresAt: string }[] };
    expect(Date.parse(listed.sessions.find((s) => s.current)!.expiresAt)).toBe(t.clock.now() + HOUR);
    t.clock.advance(HOUR + SECOND);
    const ended = await adminSession.get('/api/sessions');
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { endedReason?: string }).endedReason).toBe('idle-timeout');
    expect((await alice.get('/api/sessions')).status).toBe(200);
    // Owners are not admins: the owner's session lives on under the global settings.
    expect((await owner.get('/api/sessions')).status).toBe(200);
    const effective = (await (await owner.get(`/api/admin/users/${ids.admin}/effective-policy`)).json()) as Effective;
    expect(effective.fields.idleTimeoutSeconds).toEqual({ value: 3600, source: 'role' });
  });

  it('a person’s override wins over their role’s policy; effective-policy names each field’s source', async () => {
    const { ids, as } = await setup();
    const owner = await as('owner@example.com');
    expect((await owner.put('/api/admin/policies/roles/admin', STRICT_ADMINS)).status).toBe(200);
    const put = await owner.put(`/api/admin/users/${ids.admin}/policy`, { idleTimeoutSeconds: 1800, maxSessionsPerUser: 3, sessionLimitAction: 'deny' });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await put.json()).toMatchObject({ user: { id: ids.admin, role: 'admin' }, policy: { idleTimeoutSeconds: 1800 } });

    const effective = (await (await owner.get(`/api/admin/users/${ids.admin}/effective-policy`)).json()) as Effective;
    expect(effective.user.id).toBe(ids.admin);
    expect(effective.fields).toMatchObject({
      idleTimeoutSeconds: { value: 1800, source: 'user' },
      absoluteLifetimeSeconds: { value: 12 * 3600, source: 'role' },
      'rememberMe.enabled': { value: false, source: 'role' },
      'rememberMe.durationSeconds': { value: 30 * 86400, source: 'global' },
      maxSessionsPerUser: { value: 3, source: 'user' },
      sessionLimitAction: { value: 'deny', source: 'user' },
      reauthenticationWindowSeconds: { value: 600, source: 'global' },
      'deviceBinding.policy': { value: 'offer', source: 'global' },
    });
    const listed = (await (await owner.get('/api/admin/policies')).json()) as { roles: { role: string }[]; users: { user: { id: string } }[] };
    expect(listed.roles.map((r) => r.role)).toEqual(['admin']);
    expect(listed.users.map((u) => u.user.id)).toEqual([ids.admin]);

    // The auditor reads (like the settings) but changes nothing.
    const auditor = await as('auditor@example.com');
    expect((await auditor.get(`/api/admin/users/${ids.alice}/effective-policy`)).status).toBe(200);
    expect((await auditor.put(`/api/admin/users/${ids.alice}/policy`, { idleTimeoutSeconds: 600 })).status).toBe(403);

    // Removing the override: the role decides again.
    expect((await owner.delete(`/api/admin/users/${ids.admin}/policy`)).status).toBe(204);
    const after = (await (await owner.get(`/api/admin/users/${ids.admin}/effective-policy`)).json()) as Effective;
    expect(after.fields.idleTimeoutSeconds).toEqual({ value: 3600, source: 'role' });
    expect((await owner.get(`/api/admin/users/usr_nobody/effective-policy`)).status).toBe(404);
  });

  it('a preview says how many sessions an edit would end now, and changes nothing', async () => {
    const { ids, as } = await setup();
    const alice = await as('alice@example.com');
    t.clock.advance(2 * HOUR);
    const admin = await as('admin@example.com');
    const preview = async (body: unknown) => {
      const res = await admin.post('/api/admin/policies/preview', body);
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { endingSessions: number }).endingSessions;
    };
    expect(await preview({ role: 'user', policy: { idleTimeoutSeconds: 3600 } })).toBe(1);
    expect(await preview({ userId: ids.alice, policy: { idleTimeoutSeconds: 3 * 3600 } })).toBe(0);
    expect(await preview({ role: 'user', policy: null })).toBe(0);
    expect((await admin.post('/api/admin/policies/preview', { role: 'user', userId: ids.alice, policy: null })).status).toBe(400);
    expect((await admin.post('/api/admin/policies/preview', { userId: 'usr_AAAAAAAAAAAAAAAA', policy: null })).status).toBe(404);
    t.clock.advance(SECOND);
    expect((await alice.get('/api/sessions')).status).toBe(200);
  });

  it('the session limit and its action per role: ordinary accounts get one session, refused beyond it', async () => {
    const { as } = await setup();
    const admin = await as('admin@example.com');
    expect((await admin.put('/api/admin/policies/roles/user', { maxSessionsPerUser: 1, sessionLimitAction: 'deny' })).status).toBe(200);
    await as('alice@example.com');
    const second = await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: 'correct horse battery' });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    // Admins are not `user`s: no limit for them.
    await as('admin@example.com');
    await as('admin@example.com');
  });

  it('a role change moves the person under the new role’s policy at once', async () => {
    const { ids, as } = await setup();
    const owner = await as('owner@example.com');
    expect((await owner.put('/api/admin/policies/roles/admin', { idleTimeoutSeconds: 600 })).status).toBe(200);
    const alice = await as('alice@example.com');
    expect((await owner.post(`/api/admin/users/${ids.alice}/role`, { role: 'admin' })).status).toBe(200);
    t.clock.advance(11 * MINUTE);
    expect((await alice.get('/api/sessions')).status).toBe(401);
  });

  it('changes are audited as policy.changed with before and after; bad input is a problem and changes nothing', async () => {
    const { ids, as } = await setup();
    const admin = await as('admin@example.com');
    expect((await admin.put('/api/admin/policies/roles/auditor', { idleTimeoutSeconds: 3600 })).status).toBe(200);
    expect((await admin.put('/api/admin/policies/roles/auditor', { idleTimeoutSeconds: 7200 })).status).toBe(200);
    expect((await admin.delete('/api/admin/policies/roles/auditor')).status).toBe(204);
    for (const body of [{ idleTimeout: 3600 }, { idleTimeoutSeconds: -1 }, { anonymizeIp: true }, { rememberMe: { enabled: 'no' } }, { sessionLimitAction: 'explode' }]) {
      const res = await admin.put(`/api/admin/users/${ids.alice}/policy`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // Like an unknown id, an unknown role names nothing there is.
    expect((await admin.put('/api/admin/policies/roles/nobody', {})).status).toBe(404);
    const audit = (await (await admin.get('/api/admin/audit?action=policy.changed')).json()) as { events: { actor: { id: string } | null; details: unknown }[] };
    expect(audit.events.map((e) => e.details).reverse()).toEqual([
      { subject: 'role:auditor', before: null, after: { idleTimeoutSeconds: 3600 } },
      { subject: 'role:auditor', before: { idleTimeoutSeconds: 3600 }, after: { idleTimeoutSeconds: 7200 } },
      { subject: 'role:auditor', before: { idleTimeoutSeconds: 7200 }, after: null },
    ]);
    expect(audit.events.every((e) => e.actor?.id === ids.admin)).toBe(true);
  });

  it('only an owner changes the owners’ policy or an owner’s override; changes need a recent password', async () => {
    const { ids, as } = await setup();
    const admin = await as('admin@example.com');
    expect((await admin.put('/api/admin/policies/roles/owner', { idleTimeoutSeconds: 600 })).status).toBe(403);
    expect((await admin.put(`/api/admin/users/${ids.owner}/policy`, { idleTimeoutSeconds: 600 })).status).toBe(403);
    expect((await admin.put(`/api/admin/users/usr_nobody/policy`, {})).status).toBe(404);
    t.clock.advance(11 * MINUTE);
    const stale = await admin.put('/api/admin/policies/roles/user', { idleTimeoutSeconds: 600 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { type: string }).type).toBe(REAUTH);
    expect((await admin.delete('/api/admin/policies/roles/user')).status).toBe(401);
  });

  it('device binding per role: required for admins only (from unbound sessions their admin pages answer 403), and no one locks themselves out', async () => {
    const { as } = await setup();
    const admin = await as('admin@example.com');
    const required = { deviceBinding: { policy: 'require-for-admins' } };
    const refused = await admin.put('/api/admin/policies/roles/admin', required);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const owner = await as('owner@example.com');
    expect((await owner.put('/api/admin/policies/roles/admin', required)).status).toBe(200);
    expect((await admin.get('/api/admin/settings')).status).toBe(403);
    // The owner's role has no such policy, and the global setting still offers: the owner's session keeps working.
    expect((await owner.get('/api/admin/settings')).status).toBe(200);
  });

  it('an edit on one node applies on another node sharing the database', async () => {
    const { ids, as } = await setup();
    const url = t.config.databaseUrl;
    const store = kind === 'postgres' ? new PostgresStore(url, PATIENT_POSTGRES) : new SqliteStore(url);
    const clock = new ManualClock(t.clock.now());
    const other = await createServer({ config: t.config, store, clock, passwordCost: TEST_PASSWORD_COST, logger: false });
    closing.push(() => other.close());
    const otherUrl = await other.app.listen({ port: 0, host: '127.0.0.1' });
    const alice = new Client(otherUrl);
    await alice.login('alice@example.com');
    expect((await alice.get('/api/sessions')).status).toBe(200); // cached on the other node

    const admin = await as('admin@example.com');
    expect((await admin.put('/api/admin/policies/roles/user', { idleTimeoutSeconds: 600 })).status).toBe(200);
    // SQLite: the other node sees the commit on its next cache use; PostgreSQL: a NOTIFY, within milliseconds.
    // (Alice's requests meanwhile, at an unchanged time, are what makes the SQLite node look.)
    await vi.waitFor(async () => {
      expect((await alice.get('/api/sessions')).status).toBe(200);
      expect(other.manager.settingsFor(ids.alice).idleTimeoutSeconds).toBe(600);
    }, { timeout: 10_000, interval: 20 });
    clock.advance(11 * MINUTE);
    expect((await alice.get('/api/sessions')).status).toBe(401);
  });
});
