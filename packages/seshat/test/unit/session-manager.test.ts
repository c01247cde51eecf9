import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/core/clock.ts';
import { SeshatError } from '../../src/core/errors.ts';
import { adminPolicy, managerForTest, signIn } from '../helpers/manager.ts';

const expectCode = async (work: Promise<unknown>, code: string) => {
  const error = await work.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(SeshatError);
  expect((error as SeshatError).code).toBe(code);
};

describe('SessionManager', () => {
  it('creates a session with a fresh token each time and stores only the secret hash', async () => {
    const { manager, store } = await managerForTest();
    const a = await manager.createSession(signIn('u1'));
    const b = await manager.createSession(signIn('u1'));
    expect(a.token).not.toBe(b.token);
    expect(a.session.id).not.toBe(b.session.id);
    const stored = await store.findSession(a.session.id);
    expect(stored!.secretHash).toHaveLength(32);
    expect(JSON.stringify(stored)).not.toContain(a.token.split('.')[1]);
    expect(stored!.tokenHint).toBe(a.token.slice(-8));
  });

  it('validates a good token and rejects a tampered, unknown or malformed one', async () => {
    const { manager } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    expect((await manager.validate(token))?.id).toBe(session.id);
    const tampered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect(await manager.validate(tampered)).toBeNull();
    expect(await manager.validate('ses_' + 'x'.repeat(24) + '.' + 'y'.repeat(43))).toBeNull();
    expect(await manager.validate('garbage')).toBeNull();
    expect(await manager.validate(undefined)).toBeNull();
  });

  it('gives a Max-Age only to remember-me sessions, and none while remember-me is off', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy });
    expect((await manager.createSession(signIn('u1', false))).cookieMaxAge).toBeUndefined();
    const remembered = await manager.createSession(signIn('u1', true));
    expect(remembered.cookieMaxAge).toBe(30 * 86400);
    expect(remembered.session.persistent).toBe(true);
    await manager.updateSettings({ userId: 'admin', role: 'admin' }, { rememberMe: { enabled: false } });
    const refused = await manager.createSession(signIn('u1', true));
    expect(refused.cookieMaxAge).toBeUndefined();
    expect(refused.session.persistent).toBe(false);
  });

  it('expires a browser session after the idle timeout, on the server', async () => {
    const { manager, clock } = await managerForTest();
    const { token } = await manager.createSession(signIn('u1'));
    clock.advance(7 * DAY - SECOND);
    expect(await manager.validate(token)).not.toBeNull(); // activity resets the idle clock
    clock.advance(7 * DAY - SECOND);
    expect(await manager.validate(token)).not.toBeNull();
    clock.advance(7 * DAY);
    expect(await manager.validate(token)).toBeNull();
  });

  it('keeps a remembered session through idleness for 30 days, then ends it', async () => {
    const { manager, clock } = await managerForTest();
    const { token } = await manager.createSession(signIn('u1', true));
    clock.advance(29 * DAY);
    expect(await manager.validate(token)).not.toBeNull();
    clock.advance(DAY);
    expect(await manager.validate(token)).toBeNull();
  });

  it('caps every session at the absolute lifetime', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    await manager.updateSettings({ userId: 'a', role: 'admin' }, { idleTimeoutSeconds: null, absoluteLifetimeSeconds: 3 * 86400 });
    const { token } = await manager.createSession(signIn('u1'));
    clock.advance(3 * DAY - SECOND);
    expect(await manager.validate(token)).not.toBeNull();
    clock.advance(SECOND);
    expect(await manager.validate(token)).toBeNull();
  });

  it('applies a settings change to existing sessions at once', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    const { token } = await manager.createSession(signIn('u1'));
    clock.advance(2 * DAY);
    await manager.updateSettings({ userId: 'a', role: 'admin' }, { idleTimeoutSeconds: 86400 });
    expect(await manager.validate(token)).toBeNull();
  });

  it('writes activity in the next batch, not on the request, and counts every request', async () => {
    const { manager, store, clock } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    const t0 = session.createdAt;
    for (let i = 0; i < 6; i++) {
      clock.advance(10 * SECOND);
      await manager.validate(token, { path: i < 5 ? '/a' : '/b' });
    }
    expect((await store.findSession(session.id))!.lastActiveAt).toBe(t0); // nothing written on the request path
    await manager.flushActivity();
    const touched = (await store.findSession(session.id))!;
    expect(touched.lastActiveAt).toBe(t0 + MINUTE);
    expect(touched.lastPath).toBe('/b');
    expect(touched.requests).toBe(1 + 6);
  });

  it('never resurrects a revoked session with a late touch', async () => {
    const { manager, store, clock } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    await manager.revokeSession({ userId: 'u1' }, session.id);
    expect(await store.touchSession(session.id, { lastActiveAt: clock.now() + MINUTE, requests: 1, lastPath: '/late' })).toBe(false);
    expect((await store.findSession(session.id))!.revokedAt).not.toBeNull();
    clock.advance(2 * MINUTE);
    expect(await manager.validate(token)).toBeNull();
  });

  it('refuses a session at once after revocation even when it was cached', async () => {
    const { manager } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    expect(await manager.validate(token)).not.toBeNull(); // now cached
    await manager.revokeSession({ userId: 'u1' }, session.id);
    expect(await manager.validate(token)).toBeNull();
  });

  it('lists own sessions, the current one first, and hides everyone else', async () => {
    const { manager, clock } = await managerForTest();
    const first = await manager.createSession(signIn('u1'));
    clock.advance(MINUTE);
    const second = await manager.createSession(signIn('u1'));
    await manager.createSession(signIn('u2'));
    const list = await manager.listOwnSessions({ userId: 'u1', sessionId: first.session.id });
    expect(list.map((s) => s.id)).toEqual([first.session.id, second.session.id]);
    await expectCode(manager.getSession({ userId: 'u2' }, first.session.id), 'not_found');
    await expectCode(manager.revokeSession({ userId: 'u2' }, first.session.id), 'not_found');
  });

  it('refuses to revoke the current session through revokeSession (use sign-out)', async () => {
    const { manager } = await managerForTest();
    const { session } = await manager.createSession(signIn('u1'));
    await expectCode(manager.revokeSession({ userId: 'u1', sessionId: session.id }, session.id), 'conflict');
  });

  it('revokes all other sessions, all of a user, and everything', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy });
    const mine = await manager.createSession(signIn('u1'));
    const other = await manager.createSession(signIn('u1'));
    await manager.createSession(signIn('u1'));
    const someoneElse = await manager.createSession(signIn('u2'));
    expect(await manager.revokeOtherSessions({ userId: 'u1', sessionId: mine.session.id })).toBe(2);
    expect(await manager.validate(other.token)).toBeNull();
    expect(await manager.validate(mine.token)).not.toBeNull();
    await expectCode(manager.forceSignOut({ userId: 'u1' }, 'u2', 'because'), 'forbidden');
    await expectCode(manager.forceSignOut({ userId: 'a', role: 'admin' }, 'u2', '  '), 'invalid_input');
    expect(await manager.forceSignOut({ userId: 'a', role: 'admin' }, 'u2', 'Laptop stolen')).toBe(1);
    expect(await manager.validate(someoneElse.token)).toBeNull();
    expect(await manager.revokeAllSessions(null, 'incident')).toBe(1);
    expect(await manager.validate(mine.token)).toBeNull();
    const audit = await manager.audit.list({ action: 'user.force-signed-out' });
    expect(audit.items[0]).toMatchObject({ actorId: 'a', targetUserId: 'u2', reason: 'Laptop stolen', details: { count: 1 } });
  });

  it('enforces the concurrent-session limit by evicting the least recently active, or by refusing', async () => {
    const { manager, clock } = await managerForTest({ policy: adminPolicy });
    const admin = { userId: 'a', role: 'admin' };
    await manager.updateSettings(admin, { maxSessionsPerUser: 2 });
    const oldest = await manager.createSession(signIn('u1'));
    clock.advance(MINUTE);
    const middle = await manager.createSession(signIn('u1'));
    clock.advance(MINUTE);
    const newest = await manager.createSession(signIn('u1'));
    expect(await manager.validate(oldest.token)).toBeNull();
    expect(await manager.validate(middle.token)).not.toBeNull();
    expect(await manager.validate(newest.token)).not.toBeNull();
    await manager.updateSettings(admin, { sessionLimitAction: 'deny' });
    await expectCode(manager.createSession(signIn('u1')), 'session_limit');
  });

  it('collects revoked and expired sessions in batches, reporting progress', async () => {
    const { manager, store, clock } = await managerForTest({ endedRetentionMs: 0 });
    const tokens = [];
    for (let i = 0; i < 30; i++) tokens.push(await manager.createSession(signIn(`u${i % 3}`, i % 5 === 0)));
    for (const t of tokens.slice(0, 4)) await manager.signOut(t.session);
    clock.advance(8 * DAY); // browser sessions are now idle-expired; the 5 unrevoked remembered ones live on
    const progress: number[] = [];
    const result = await manager.collectGarbage({ batchSize: 7, onProgress: (p) => progress.push(p.scanned) });
    expect(result).toEqual({ scanned: 30, deleted: 25 });
    expect(progress).toEqual([7, 14, 21, 28, 30]);
    expect(await store.countSessions()).toBe(5);
    expect(manager.metrics.collected).toBe(25);
  });

  it('writes the audit trail for sign-in, revocation, sign-out and settings', async () => {
    const { manager } = await managerForTest({ policy: adminPolicy });
    const a = await manager.createSession(signIn('u1'));
    const b = await manager.createSession(signIn('u1'));
    await manager.revokeSession({ userId: 'u1', sessionId: a.session.id }, b.session.id, { reason: 'not me' });
    await manager.signOut(a.session);
    await manager.updateSettings({ userId: 'adm', role: 'admin' }, { anonymizeIp: true });
    const actions = (await manager.audit.list({})).items.map((e) => e.action);
    expect(actions).toEqual(['settings.changed', 'auth.sign-out', 'session.revoked', 'auth.sign-in', 'auth.sign-in']);
    const revoked = (await manager.audit.list({ action: 'session.revoked' })).items[0]!;
    expect(revoked).toMatchObject({ actorId: 'u1', targetUserId: 'u1', sessionId: b.session.id, reason: 'not me' });
  });
});
