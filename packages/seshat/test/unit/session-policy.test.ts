import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/core/clock.ts';
import { isSeshatError } from '../../src/core/errors.ts';
import type { SessionScope } from '../../src/core/ports.ts';
import type { Actor } from '../../src/core/session.ts';
import { EffectivePolicies, mergePolicies, policySchemaFor, resolvePolicy, sessionPolicySchema, type PolicyAssignment, type SessionPolicy } from '../../src/core/session-policy.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { webhookEventsOf } from '../../src/core/outbox.ts';
import { adminPolicy, managerForTest, signIn } from '../helpers/manager.ts';

const admin: Actor = { userId: 'usr_admin', ip: null, role: 'admin' };

/** Subjects `user:<id>`: each stored policy covers the one person it names (the server adds roles on top). */
async function perUser(store: SessionScope): Promise<PolicyAssignment> {
  const users = new Map((await store.listSessionPolicies()).map((p) => [p.subject.slice('user:'.length), p.policy]));
  return { users };
}

describe('resolving a session policy', () => {
  it('takes each field from the first layer that sets it, else from the global settings, and says which', () => {
    const settings = defaultSettings();
    const { settings: resolved, sources } = resolvePolicy(settings, [
      { source: 'user', policy: { idleTimeoutSeconds: 1800 } },
      { source: 'role', policy: { idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 12 * 3600, rememberMe: { enabled: false } } },
    ]);
    expect(resolved.idleTimeoutSeconds).toBe(1800);
    expect(resolved.absoluteLifetimeSeconds).toBe(12 * 3600);
    expect(resolved.rememberMe).toEqual({ enabled: false, durationSeconds: settings.rememberMe.durationSeconds });
    expect(resolved.anonymizeIp).toBe(settings.anonymizeIp);
    expect(sources).toMatchObject({
      idleTimeoutSeconds: 'user',
      absoluteLifetimeSeconds: 'role',
      'rememberMe.enabled': 'role',
      'rememberMe.durationSeconds': 'global',
      maxSessionsPerUser: 'global',
    });
    // The settings object given is never changed.
    expect(settings).toEqual(defaultSettings());
  });

  it('treats null as a value ("never", "unlimited"), not as absent', () => {
    const { settings, sources } = resolvePolicy(defaultSettings(), [{ source: 'role', policy: { idleTimeoutSeconds: null, maxSessionsPerUser: null } }]);
    expect(settings.idleTimeoutSeconds).toBeNull();
    expect(sources.idleTimeoutSeconds).toBe('role');
  });

  it('merges an override over a role policy, first match winning per field', () => {
    expect(mergePolicies({ rememberMe: { durationSeconds: 3600 } }, { rememberMe: { enabled: false, durationSeconds: 60 }, maxSessionsPerUser: 2 }, null)).toEqual({
      rememberMe: { enabled: false, durationSeconds: 3600 },
      maxSessionsPerUser: 2,
    });
  });

  it('refuses unknown fields, settings no policy can set, and idle timeouts the touch interval cannot honour', () => {
    expect(sessionPolicySchema.safeParse({ idleTimeout: 3600 }).success).toBe(false);
    expect(sessionPolicySchema.safeParse({ anonymizeIp: true }).success).toBe(false);
    expect(sessionPolicySchema.safeParse({ rememberMe: { enabled: false, typo: 1 } }).success).toBe(false);
    expect(sessionPolicySchema.safeParse({ deviceBinding: { boundCookieSeconds: 600 } }).success).toBe(false);
    expect(policySchemaFor(60_000).safeParse({ idleTimeoutSeconds: 60 }).success).toBe(false);
    expect(policySchemaFor(60_000).safeParse({ idleTimeoutSeconds: 600 }).success).toBe(true);
    expect(policySchemaFor(60_000).safeParse({ idleTimeoutSeconds: null }).success).toBe(true);
  });

  it('groups people by expiry rule for the stores; a policy that changes no expiry adds no exception', () => {
    const policies = new EffectivePolicies(defaultSettings(), {
      everyone: { idleTimeoutSeconds: 3600 },
      users: new Map([
        ['usr_a', { idleTimeoutSeconds: 600 }],
        ['usr_b', { idleTimeoutSeconds: 600, maxSessionsPerUser: 1 }],
        ['usr_c', { idleTimeoutSeconds: 3600, reauthenticationWindowSeconds: 60 }],
      ]),
    });
    expect(policies.for('usr_nobody').idleTimeoutSeconds).toBe(3600);
    expect(policies.for('usr_b').maxSessionsPerUser).toBe(1);
    const cutoffs = policies.cutoffs(10 * HOUR);
    expect(cutoffs.idleBefore).toBe(9 * HOUR);
    expect(cutoffs.exceptions).toEqual([{ userIds: ['usr_a', 'usr_b'], createdBefore: expect.any(Number), rememberedCreatedBefore: expect.any(Number), idleBefore: 10 * HOUR - 600_000 }]);
    expect(new EffectivePolicies(defaultSettings()).cutoffs(0).exceptions).toBeUndefined();
  });
});

describe('session policies in the manager', () => {
  it('end a session by its person’s idle timeout, and an edit applies at once to a cached session', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    const strict = await manager.createSession(signIn('usr_strict'));
    const plain = await manager.createSession(signIn('usr_plain'));
    await manager.savePolicy(admin, 'user:usr_strict', { idleTimeoutSeconds: 30 * MINUTE / 1000 });
    expect(manager.settingsFor('usr_strict').idleTimeoutSeconds).toBe(1800);
    expect(manager.settingsFor('usr_plain')).toEqual(manager.settings);

    expect(await manager.validate(strict.token)).not.toBeNull(); // now cached
    clock.advance(31 * MINUTE);
    expect(await manager.validate(strict.token)).toBeNull();
    expect(await manager.validate(plain.token)).not.toBeNull();
    expect((await manager.whyEnded(strict.token))?.reason).toBe('idle-timeout');

    // Relaxing the policy never revives an ended session, but a live one follows the edit at once.
    const again = await manager.createSession(signIn('usr_strict'));
    expect(await manager.validate(again.token)).not.toBeNull();
    await manager.savePolicy(admin, 'user:usr_strict', { idleTimeoutSeconds: 600 });
    clock.advance(11 * MINUTE);
    expect(manager.validateCached(again.token)).toBeUndefined();
    expect(await manager.validate(again.token)).toBeNull();
    expect(await manager.validate(strict.token)).toBeNull();
  });

  it('list and count each person’s sessions by their own policy', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.savePolicy(admin, 'user:usr_strict', { idleTimeoutSeconds: 600 });
    await manager.createSession(signIn('usr_strict'));
    await manager.createSession(signIn('usr_plain'));
    expect(await manager.countActiveSessions()).toBe(2);
    clock.advance(11 * MINUTE);
    expect(await manager.countActiveSessions()).toBe(1);
    expect(await manager.countActiveSessions('usr_strict')).toBe(0);
    expect((await manager.listTeamSessions(admin, {})).items.map((s) => s.userId)).toEqual(['usr_plain']);
  });

  it('decide remember-me, the session limit and its action per person', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.savePolicy(admin, 'user:usr_admin2', { rememberMe: { enabled: false }, maxSessionsPerUser: 1, sessionLimitAction: 'deny' });
    const first = await manager.createSession(signIn('usr_admin2', true));
    expect(first.session.persistent).toBe(false);
    expect(first.cookieMaxAge).toBeUndefined();
    const refused = await manager.createSession(signIn('usr_admin2')).catch((e: unknown) => e);
    expect(isSeshatError(refused) && refused.code === 'session_limit').toBe(true);
    expect((await manager.createSession(signIn('usr_other', true))).session.persistent).toBe(true);
  });

  it('record every change as policy.changed with before and after; a bad policy changes nothing', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.savePolicy(admin, 'user:usr_x', { idleTimeoutSeconds: 3600 });
    await manager.savePolicy(admin, 'user:usr_x', { idleTimeoutSeconds: 7200 });
    await manager.savePolicy(admin, 'user:usr_x', null);
    await manager.savePolicy(admin, 'user:usr_x', null); // nothing to remove: no event
    const bad = await manager.savePolicy(admin, 'user:usr_x', { idleTimeoutSeconds: -1 }).catch((e: unknown) => e);
    expect(isSeshatError(bad) && bad.code === 'invalid_input').toBe(true);
    const events = (await manager.audit.list({ action: 'policy.changed', limit: 10 })).items.reverse();
    expect(events.map((e) => e.details)).toEqual([
      { subject: 'user:usr_x', before: null, after: { idleTimeoutSeconds: 3600 } },
      { subject: 'user:usr_x', before: { idleTimeoutSeconds: 3600 }, after: { idleTimeoutSeconds: 7200 } },
      { subject: 'user:usr_x', before: { idleTimeoutSeconds: 7200 }, after: null },
    ]);
    expect(events.every((e) => e.actorId === 'usr_admin')).toBe(true);
    const forbidden = await manager.savePolicy({ userId: 'usr_x', ip: null }, 'user:usr_x', {}).catch((e: unknown) => e);
    expect(isSeshatError(forbidden) && forbidden.code === 'forbidden').toBe(true);
  });

  it('preview how many sessions an edit would end, changing nothing', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.createSession(signIn('usr_a'));
    await manager.createSession(signIn('usr_a'));
    await manager.createSession(signIn('usr_b'));
    clock.advance(2 * HOUR);
    expect(await manager.previewPolicy(admin, 'user:usr_a', { idleTimeoutSeconds: 3600 })).toEqual({ endingSessions: 2 });
    expect(await manager.previewPolicy(admin, 'user:usr_a', { idleTimeoutSeconds: 3 * 3600 })).toEqual({ endingSessions: 0 });
    expect(await manager.countActiveSessions()).toBe(3);
    expect(await manager.audit.list({ action: 'policy.changed' })).toMatchObject({ items: [] });
    // Removing a strict policy ends nothing.
    await manager.savePolicy(admin, 'user:usr_b', { absoluteLifetimeSeconds: 3 * 3600 });
    expect(await manager.previewPolicy(admin, 'user:usr_b', null)).toEqual({ endingSessions: 0 });
  });

  it('update some fields and keep the others, checked, audited and applied like a whole policy', async () => {
    const { manager, store } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.savePolicy(admin, 'user:usr_x', { idleTimeoutSeconds: 3600, rememberMe: { enabled: false } });
    const updated = await manager.updatePolicy(admin, 'user:usr_x', { maxSessionsPerUser: 2, rememberMe: { durationSeconds: 86_400 } });
    const merged = { idleTimeoutSeconds: 3600, rememberMe: { enabled: false, durationSeconds: 86_400 }, maxSessionsPerUser: 2 };
    expect(updated).toMatchObject({ subject: 'user:usr_x', policy: merged });
    expect((await store.findSessionPolicy('user:usr_x'))?.policy).toEqual(merged);
    expect(manager.settingsFor('usr_x').maxSessionsPerUser).toBe(2);
    // A subject without a policy gets one.
    expect((await manager.updatePolicy(admin, 'user:usr_y', { idleTimeoutSeconds: 600 })).policy).toEqual({ idleTimeoutSeconds: 600 });

    const refusals: [Actor, SessionPolicy, string][] = [
      [admin, { idleTimeout: 60 } as SessionPolicy, 'invalid_input'], // a typo is refused, not dropped by the merge
      [admin, { maxSessionsPerUser: 0 }, 'invalid_input'],
      [{ userId: 'usr_x', ip: null }, { maxSessionsPerUser: 3 }, 'forbidden'],
    ];
    for (const [actor, patch, code] of refusals) {
      const refused = await manager.updatePolicy(actor, 'user:usr_x', patch).catch((e: unknown) => e);
      expect(isSeshatError(refused) && refused.code, JSON.stringify(patch)).toBe(code);
    }
    expect((await store.findSessionPolicy('user:usr_x'))?.policy).toEqual(merged);
    const events = (await manager.audit.list({ action: 'policy.changed', limit: 10 })).items.reverse();
    expect(events.map((e) => e.details)).toEqual([
      { subject: 'user:usr_x', before: null, after: { idleTimeoutSeconds: 3600, rememberMe: { enabled: false } } },
      { subject: 'user:usr_x', before: { idleTimeoutSeconds: 3600, rememberMe: { enabled: false } }, after: merged },
      { subject: 'user:usr_y', before: null, after: { idleTimeoutSeconds: 600 } },
    ]);
    expect(events.every((e) => e.actorId === 'usr_admin')).toBe(true);
  });

  it('preview an update as the patch over the stored policy, changing nothing', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy, assignPolicies: perUser });
    await manager.savePolicy(admin, 'user:usr_a', { idleTimeoutSeconds: (10 * DAY) / 1000 }); // looser than the settings' 7 days
    await manager.createSession(signIn('usr_a'));
    await manager.createSession(signIn('usr_a'));
    clock.advance(8 * DAY);
    // The stored idle timeout stays: replacing the policy with the patch alone would end both sessions.
    expect(await manager.previewPolicyUpdate(admin, 'user:usr_a', { maxSessionsPerUser: 5 })).toEqual({ endingSessions: 0 });
    expect(await manager.previewPolicyUpdate(admin, 'user:usr_a', { idleTimeoutSeconds: 3600 })).toEqual({ endingSessions: 2 });
    expect(await manager.previewPolicy(admin, 'user:usr_a', { maxSessionsPerUser: 5 })).toEqual({ endingSessions: 2 });
    expect(await manager.countActiveSessions()).toBe(2);
    expect((await manager.audit.list({ action: 'policy.changed' })).items).toHaveLength(1);
  });

  it('keep the newest of overlapping reloads: an older read that finishes last changes nothing', async () => {
    const pending: ((a: PolicyAssignment) => void)[] = [];
    let held = false;
    const { manager } = await managerForTest({ assignPolicies: (store) => (held ? new Promise((resolve) => pending.push(resolve)) : perUser(store)) });
    held = true;
    const older = manager.reloadSettings();
    const newer = manager.reloadSettings();
    await new Promise((resolve) => setImmediate(resolve));
    pending[1]!({ users: new Map([['usr_a', { idleTimeoutSeconds: 600 }]]) });
    await newer;
    pending[0]!({});
    await older;
    expect(manager.settingsFor('usr_a').idleTimeoutSeconds).toBe(600);
  });

  it('reach webhooks as policy.changed, with whose policy and before and after', () => {
    const event = { id: 'aud_1', at: 0, action: 'policy.changed' as const, actorId: 'usr_admin', targetUserId: null, sessionId: null, reason: null, ip: null, details: { subject: 'role:admin', before: null, after: { idleTimeoutSeconds: 3600 } } };
    expect(webhookEventsOf(event)).toEqual([{ type: 'policy.changed', data: expect.objectContaining({ subject: 'role:admin', before: null, after: { idleTimeoutSeconds: 3600 }, actorId: 'usr_admin' }) }]);
  });

  it('cost the validation hot path no store read: policies are loaded with the settings only', async () => {
    let loads = 0;
    const { manager } = await managerForTest({ policy: adminPolicy, assignPolicies: async (store) => (loads++, perUser(store)) });
    await manager.savePolicy(admin, 'user:usr_a', { idleTimeoutSeconds: 600 });
    const { token } = await manager.createSession(signIn('usr_a'));
    const before = loads;
    for (let i = 0; i < 20; i++) expect(await manager.validate(token)).not.toBeNull();
    expect(loads).toBe(before);
  });
});
