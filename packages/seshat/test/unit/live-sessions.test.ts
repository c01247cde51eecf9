import { afterEach, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.ts';
import type { SessionEvent } from '../../src/core/live-sessions.ts';
import { managerForTest, signIn } from '../helpers/manager.ts';

describe('manager.subscribe: live session events within one process', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function setup() {
    const t = await managerForTest();
    close = async () => {
      await t.manager.stop();
      await t.store.close();
    };
    return t;
  }

  function recorder() {
    const events: SessionEvent[] = [];
    return { events, listener: (e: SessionEvent) => void events.push(e) };
  }

  it('tells a session it ended, with the reason, and its sibling that the sessions changed', async () => {
    const { manager } = await setup();
    const a = await manager.createSession(signIn('usr_a'));
    const b = await manager.createSession(signIn('usr_a'));
    const other = await manager.createSession(signIn('usr_b'));
    const onA = recorder();
    const onB = recorder();
    const onOther = recorder();
    await manager.subscribe(a.session.id, onA.listener);
    await manager.subscribe(b.session.id, onB.listener);
    await manager.subscribe(other.session.id, onOther.listener);

    await manager.revokeSession({ userId: 'usr_a', sessionId: b.session.id }, a.session.id);
    expect(onA.events).toEqual([{ type: 'session.ended', reason: 'signed-out-elsewhere', endedAt: expect.any(String) }]);
    expect(onB.events).toEqual([{ type: 'sessions.changed' }]);
    expect(onOther.events).toEqual([]);

    await manager.createSession(signIn('usr_a'));
    expect(onB.events).toEqual([{ type: 'sessions.changed' }, { type: 'sessions.changed' }]);
    expect(onA.events).toHaveLength(1); // nothing after the end
    expect(manager.subscribedSessions).toBe(2);
  });

  it('ends every subscription on invalidate-all, and unsubscribing stops events', async () => {
    const { manager } = await setup();
    const a = await manager.createSession(signIn('usr_a'));
    const b = await manager.createSession(signIn('usr_b'));
    const onA = recorder();
    const onB = recorder();
    const stop = await manager.subscribe(a.session.id, onA.listener);
    await manager.subscribe(b.session.id, onB.listener);
    stop();
    await manager.revokeAllSessions(null);
    expect(onA.events).toEqual([]);
    expect(onB.events).toEqual([{ type: 'session.ended', reason: 'invalidated-all', endedAt: expect.any(String) }]);
    expect(manager.subscribedSessions).toBe(0);
  });

  it('refuses ended sessions, and reports an expiry when a subscriber checks', async () => {
    const { manager, clock } = await setup();
    const a = await manager.createSession(signIn('usr_a'));
    await manager.signOut(a.session);
    await expect(manager.subscribe(a.session.id, () => {})).rejects.toThrow(/No such session/);
    await expect(manager.subscribe('ses_missing', () => {})).rejects.toThrow(/No such session/);

    const b = await manager.createSession(signIn('usr_a'));
    const onB = recorder();
    await manager.subscribe(b.session.id, onB.listener);
    expect(await manager.checkSubscribed(b.session.id)).toBe(true);
    clock.advance(8 * DAY); // past the 7-day idle timeout
    expect(await manager.checkSubscribed(b.session.id)).toBe(false);
    expect(onB.events).toEqual([{ type: 'session.ended', reason: 'idle-timeout', endedAt: expect.any(String) }]);
  });
});
