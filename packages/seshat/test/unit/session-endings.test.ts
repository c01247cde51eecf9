import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/core/clock.ts';
import { SeshatError } from '../../src/core/errors.ts';
import { adminPolicy, managerForTest, signIn } from '../helpers/manager.ts';

const admin = { userId: 'admin', role: 'admin' };

describe('why a session ended (issue #10, item 1)', () => {
  it('tells the holder of the token each reason, with when it happened', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    const own = await manager.createSession(signIn('u1'));
    await manager.signOut(own.session);
    expect(await manager.whyEnded(own.token)).toEqual({ reason: 'signed-out', at: clock.now() });

    const [a, b] = [await manager.createSession(signIn('u2')), await manager.createSession(signIn('u2'))];
    await manager.revokeSession({ userId: 'u2', sessionId: b.session.id }, a.session.id);
    expect((await manager.whyEnded(a.token))?.reason).toBe('signed-out-elsewhere');
    const c = await manager.createSession(signIn('u2'));
    await manager.revokeOtherSessions({ userId: 'u2', sessionId: b.session.id });
    expect((await manager.whyEnded(c.token))?.reason).toBe('signed-out-elsewhere');

    const forced = await manager.createSession(signIn('u3'));
    await manager.forceSignOut(admin, 'u3', 'Laptop reported stolen');
    expect(await manager.whyEnded(forced.token)).toEqual({ reason: 'admin', at: clock.now() });

    const all = await manager.createSession(signIn('u4'));
    await manager.revokeAllSessions(admin, 'Key rotation');
    expect((await manager.whyEnded(all.token))?.reason).toBe('invalidated-all');
  });

  it("shows the administrator's reason only while showAdminReasonToUser is on", async () => {
    const { manager } = await managerForTest({ policy: adminPolicy });
    const one = await manager.createSession(signIn('u1'));
    await manager.revokeSession(admin, one.session.id, { reason: 'Shared computer' });
    expect(await manager.whyEnded(one.token)).not.toHaveProperty('adminReason');
    await manager.updateSettings(admin, { showAdminReasonToUser: true });
    expect(await manager.whyEnded(one.token)).toMatchObject({ reason: 'admin', adminReason: 'Shared computer' });
  });

  it('says session-limit for a session evicted by the concurrent-session limit', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    await manager.updateSettings(admin, { maxSessionsPerUser: 1 });
    const first = await manager.createSession(signIn('u1'));
    clock.advance(SECOND);
    await manager.createSession(signIn('u1'));
    expect((await manager.whyEnded(first.token))?.reason).toBe('session-limit');
  });

  it('tells nothing to a forged, malformed or live token', async () => {
    const { manager } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    expect(await manager.whyEnded(token)).toBeNull(); // live
    await manager.signOut(session);
    const forged = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect(await manager.whyEnded(forged)).toBeNull();
    expect(await manager.whyEnded('garbage')).toBeNull();
    expect(await manager.whyEnded(undefined)).toBeNull();
  });

  it('keeps ended sessions (and their reason) for the retention period, then collects them', async () => {
    const { manager, store, clock } = await managerForTest({ endedRetentionMs: 7 * DAY });
    const { token, session } = await manager.createSession(signIn('u1', true));
    await manager.signOut(session);
    clock.advance(6 * DAY);
    await manager.collectGarbage();
    expect((await manager.whyEnded(token))?.reason).toBe('signed-out');
    clock.advance(2 * DAY);
    await manager.collectGarbage();
    expect(await store.findSession(session.id)).toBeNull();
  });
});

describe('expired sessions never come back (issue #14, item 6)', () => {
  it('ends an idle-expired session for good: relaxing the idle timeout does not revive it', async () => {
    const { manager, store, clock } = await managerForTest({ policy: adminPolicy });
    await manager.updateSettings(admin, { idleTimeoutSeconds: 60 });
    const { token, session } = await manager.createSession(signIn('u1'));
    clock.advance(2 * MINUTE);
    expect(await manager.validate(token)).toBeNull();
    expect(await store.findSession(session.id)).toMatchObject({ revokedReason: 'idle-timeout', revokedAt: session.createdAt + MINUTE });
    await manager.updateSettings(admin, { idleTimeoutSeconds: 7 * 86400 });
    expect(await manager.validate(token)).toBeNull();
    expect(await manager.whyEnded(token)).toEqual({ reason: 'idle-timeout', at: session.createdAt + MINUTE });
    const { items } = await manager.audit.list({ action: 'session.expired' });
    expect(items).toEqual([expect.objectContaining({ sessionId: session.id, targetUserId: 'u1', reason: 'idle-timeout' })]);
  });

  it('ends a session past its lifetime with the reason lifetime, also when first asked why', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    const { token } = await manager.createSession(signIn('u1', true));
    clock.advance(31 * DAY);
    // No request came in between: the first question (the sign-in page's) finds and ends it.
    expect((await manager.whyEnded(token))?.reason).toBe('lifetime');
    await manager.updateSettings(admin, { rememberMe: { durationSeconds: 60 * 86400 } });
    expect(await manager.validate(token)).toBeNull();
  });
});

describe('idle expiry counts activity not yet written (issue #14, item 7)', () => {
  it('keeps a session in use alive though nothing was written yet', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy, touchIntervalMs: 60_000 });
    await manager.updateSettings(admin, { idleTimeoutSeconds: 600 });
    const { token } = await manager.createSession(signIn('u1'));
    for (let i = 0; i < 30; i++) {
      clock.advance(MINUTE); // 30 minutes of activity, no batch written (the timer never ran)
      expect(await manager.validate(token)).not.toBeNull();
    }
  });

  it('refuses an idle timeout the touch interval cannot honour, naming the minimum', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy, touchIntervalMs: 1000 });
    const error = await manager.updateSettings(admin, { idleTimeoutSeconds: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeshatError);
    expect((error as SeshatError).code).toBe('invalid_input');
    expect((error as SeshatError).detail).toMatch(/at least 10 seconds/);
    await manager.updateSettings(admin, { idleTimeoutSeconds: 10 });
    const slow = await managerForTest({ policy: adminPolicy, touchIntervalMs: 60_000 });
    await expect(slow.manager.updateSettings(admin, { idleTimeoutSeconds: 300 })).rejects.toThrow(/at least 600 seconds/);
  });
});
