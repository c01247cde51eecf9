import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The admin person page's API (issue 13 item 6): `GET /api/admin/users/:id` (profile and counts), with the
 * person's API keys, their revocation and their audit trail from the existing admin endpoints.
 */
interface Person {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  activeSessions: number;
  lastActiveAt: string | null;
  manySessions: boolean;
  createdAt: string;
  disabledAt: string | null;
  passwordChangeRequired: boolean;
  manageable: boolean;
}
interface AuditEvent { action: string; reason: string | null; actor: { id: string; email: string } | null; target: { id: string } | null; details: Record<string, unknown> | null }

describe.each(STORE_KINDS)('person page API (%s)', (kind) => {
  let t: TestServer;
  let admin: Client;
  let auditor: Client;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    for (const [name, role] of [['owner', 'owner'], ['admin', 'admin'], ['auditor', 'auditor'], ['bob', 'user'], ['carol', 'user']] as const) {
      ids[name] = (await t.addUser(`${name}@example.com`, role)).id;
    }
    admin = new Client(t.url);
    await admin.login('admin@example.com');
    auditor = new Client(t.url);
    await auditor.login('auditor@example.com');
  }, 60_000);
  afterAll(() => t?.close());

  const person = async (c: Client, id: string) => {
    const res = await c.get(`/api/admin/users/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    return (await res.json()) as Person;
  };

  it('shows one person: account, session counts and whether the caller may change the account', async () => {
    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    await new Client(t.url).login('bob@example.com');
    const shown = await person(admin, ids['bob']!);
    expect(shown).toMatchObject({ id: ids['bob'], email: 'bob@example.com', name: 'bob', role: 'user', disabled: false, disabledAt: null, activeSessions: 2, manySessions: false, passwordChangeRequired: false, manageable: true });
    expect(Date.parse(shown.createdAt)).toBeGreaterThan(0);
    expect(shown.lastActiveAt).not.toBeNull();
    // Counts only: nothing of the devices, so no `sessions.viewed` event.
    expect(JSON.stringify(shown)).not.toContain('ses_');
    const { events } = (await (await admin.get(`/api/admin/audit?user=${ids['bob']}&action=sessions.viewed`)).json()) as { events: AuditEvent[] };
    expect(events).toEqual([]);

    // Admins do not manage owners; auditors manage nobody; nobody with no sessions has a last activity.
    expect((await person(admin, ids['owner']!)).manageable).toBe(false);
    expect(await person(auditor, ids['carol']!)).toMatchObject({ manageable: false, activeSessions: 0, lastActiveAt: null });
  });

  it('answers 404 for an unknown or malformed id (like a missing one), 403 for people without a permission', async () => {
    expect((await admin.get('/api/admin/users/usr_AAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await admin.get('/api/admin/users/not-an-id')).status).toBe(404);
    const carol = new Client(t.url);
    await carol.login('carol@example.com');
    expect((await carol.get(`/api/admin/users/${ids['bob']}`)).status).toBe(403);
  });

  it('keeps showing the counts with teamSessionAccess off, while the session listing is refused', async () => {
    await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: 'off' });
    try {
      const bob = new Client(t.url);
      await bob.login('bob@example.com');
      expect((await person(auditor, ids['bob']!)).activeSessions).toBeGreaterThan(0);
      expect((await auditor.get(`/api/admin/sessions?user=${ids['bob']}`)).status).toBe(403);
    } finally {
      await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: 'full' });
    }
  });

  it('shows the disabled state and when, after a disable', async () => {
    expect((await admin.post(`/api/admin/users/${ids['carol']}/disable`, { reason: 'left the company' })).status).toBe(200);
    const shown = await person(admin, ids['carol']!);
    expect(shown.disabled).toBe(true);
    expect(Date.parse(shown.disabledAt!)).toBeGreaterThan(0);
    expect((await admin.post(`/api/admin/users/${ids['carol']}/enable`, {})).status).toBe(200);
    expect((await person(admin, ids['carol']!)).disabledAt).toBeNull();
  });

  it("lists the person's keys without secrets, revokes one with the admin as actor, and the trail shows it under the person", async () => {
    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    const created = (await (await bob.post('/api/api-keys', { name: 'deploy bot' })).json()) as { id: string; key: string };
    const listed = await admin.get(`/api/admin/users/${ids['bob']}/api-keys`);
    const { apiKeys } = (await listed.json()) as { apiKeys: { id: string; name: string; requests24h: number; lastUsedAt: string | null }[] };
    expect(apiKeys).toMatchObject([{ id: created.id, name: 'deploy bot', requests24h: 0, lastUsedAt: null }]);
    expect(JSON.stringify(apiKeys)).not.toContain(created.key.split('.').at(-1));
    // The auditor sees neither the keys nor may revoke one (users:manage).
    expect((await auditor.get(`/api/admin/users/${ids['bob']}/api-keys`)).status).toBe(403);
    expect((await auditor.delete(`/api/admin/api-keys/${created.id}`, { reason: 'x' })).status).toBe(403);

    expect((await admin.delete(`/api/admin/api-keys/${created.id}`, { reason: 'Found in a public repo' })).status).toBe(204);
    expect(((await (await admin.get(`/api/admin/users/${ids['bob']}/api-keys`)).json()) as { apiKeys: unknown[] }).apiKeys).toEqual([]);
    expect((await bob.get('/api/sessions', { authorization: `Bearer ${created.key}` })).status).toBe(401);

    // "Recent audit events": by or affecting the person, newest first.
    const { events } = (await (await admin.get(`/api/admin/audit?user=${ids['bob']}&limit=10`)).json()) as { events: AuditEvent[] };
    expect(events[0]).toMatchObject({ action: 'api-key.revoked', reason: 'Found in a public repo', actor: { id: ids['admin'] }, target: { id: ids['bob'] }, details: { name: 'deploy bot' } });
    expect(events.some((e) => e.action === 'api-key.created' && e.actor?.id === ids['bob'])).toBe(true);
  });

  it("only an owner revokes an owner's key (like their password and role)", async () => {
    const owner = new Client(t.url);
    await owner.login('owner@example.com');
    const created = (await (await owner.post('/api/api-keys', { name: 'owner automation' })).json()) as { id: string; key: string };
    expect((await admin.delete(`/api/admin/api-keys/${created.id}`, { reason: 'x' })).status).toBe(403);
    expect((await owner.get('/api/sessions', { authorization: `Bearer ${created.key}` })).status).toBe(200);
    expect((await owner.delete(`/api/admin/api-keys/${created.id}`, { reason: 'rotated' })).status).toBe(204);
  });
});
