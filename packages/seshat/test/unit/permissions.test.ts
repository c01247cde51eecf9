import { describe, expect, it } from 'vitest';
import { ownerOnly, roleBasedPolicy } from '../../src/core/permissions.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

const mine = { id: 'ses_1', userId: 'alice' };
const theirs = { id: 'ses_2', userId: 'bob' };

describe('permission policies', () => {
  it('ownerOnly (the library default): own sessions only, never the team, whatever the role', () => {
    for (const actor of [{ userId: 'alice' }, { userId: 'alice', role: 'admin' }]) {
      expect(ownerOnly.canView(actor, mine)).toBe(true);
      expect(ownerOnly.canRevoke(actor, mine)).toBe(true);
      expect(ownerOnly.canView(actor, theirs)).toBe(false);
      expect(ownerOnly.canRevoke(actor, theirs)).toBe(false);
      expect(ownerOnly.canManageTeam(actor)).toBe(false);
    }
  });

  it('roleBasedPolicy widens to the given roles only', () => {
    const policy = roleBasedPolicy(['admin']);
    expect(policy.canView({ userId: 'root', role: 'admin' }, theirs)).toBe(true);
    expect(policy.canRevoke({ userId: 'root', role: 'admin' }, theirs)).toBe(true);
    expect(policy.canManageTeam({ userId: 'root', role: 'admin' })).toBe(true);
    for (const actor of [{ userId: 'alice' }, { userId: 'alice', role: 'user' }, { userId: 'alice', role: 'Admin' }]) {
      expect(policy.canView(actor, theirs)).toBe(false);
      expect(policy.canRevoke(actor, theirs)).toBe(false);
      expect(policy.canManageTeam(actor)).toBe(false);
      expect(policy.canView(actor, mine)).toBe(true);
    }
  });

  it('the SessionManager defaults to ownerOnly: even an "admin" actor gets not_found / forbidden', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store, clock: new ManualClock() }).start();
    const { session } = await manager.createSession({ userId: 'bob', remember: false, ip: null, userAgent: null });
    const admin = { userId: 'root', role: 'admin' };
    await expect(manager.getSession(admin, session.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(manager.revokeSession(admin, session.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(manager.listTeamSessions(admin, {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(manager.forceSignOut(admin, 'bob', 'x')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(manager.revokeAllSessions(admin)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(manager.updateSettings(admin, { anonymizeIp: true })).rejects.toMatchObject({ code: 'forbidden' });
    expect(manager.isLive((await store.findSession(session.id))!)).toBe(true);
    await store.close();
  });
});
