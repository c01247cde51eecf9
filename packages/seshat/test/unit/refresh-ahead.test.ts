import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SECOND } from '../../src/core/clock.ts';
import { managerForTest, signIn } from '../helpers/manager.ts';

// The cache ages entries by performance.now(), faked here; the manager's own clock is a ManualClock.
describe('refresh ahead: sessions in use are read again before their cache entries expire', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
    vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter: every entry lives the full 60 s
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  async function setup() {
    const { manager, store, clock } = await managerForTest({ cache: { ttlMs: 60_000 } });
    let reads = 0;
    const findSessions = store.findSessions.bind(store);
    store.findSessions = async (ids) => ((reads += ids.length), findSessions(ids));
    return { manager, store, clock, reads: () => reads };
  }

  it('a session used every second stays cached past the TTL, read again in batches, never missed', async () => {
    const { manager, clock, reads } = await setup();
    const { token } = await manager.createSession(signIn('u1'));
    expect(await manager.validate(token)).not.toBeNull(); // the one miss: cached from here
    for (let s = 0; s < 200; s++) {
      vi.advanceTimersByTime(SECOND);
      clock.advance(SECOND);
      expect(manager.validateCached(token)?.userId).toBe('u1'); // a hit every second, synchronously
      await manager.flushActivity();
    }
    expect(manager.metrics.validations.miss).toBe(1);
    expect(reads()).toBeGreaterThanOrEqual(3); // 200 s with a 60 s lifetime: read ahead at least three times
  });

  it('an idle session is not read ahead: its entry expires as before', async () => {
    const { manager, reads } = await setup();
    const { token } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    await manager.flushActivity();
    vi.advanceTimersByTime(61 * SECOND);
    await manager.flushActivity();
    expect(manager.validateCached(token)).toBeUndefined(); // gone from the cache: the next request reads the store
    expect(reads()).toBe(0);
  });

  it('a session revoked behind the cache\'s back is dropped by the read ahead, not refreshed', async () => {
    const { manager, store, clock } = await setup();
    const { token, session } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    await manager.flushActivity();
    vi.advanceTimersByTime(55 * SECOND); // 5 s before expiry: due for a read ahead
    clock.advance(55 * SECOND);
    expect(manager.validateCached(token)).not.toBeNull();
    // The touch still finds the row live; the revocation lands between the touch and the read ahead (a direct
    // store write: another process, whose message this node never got).
    const touch = store.touchSessions.bind(store);
    store.touchSessions = async (touches) => {
      const live = await touch(touches);
      await store.revokeSession(session.id, { at: clock.now(), reason: 'revoked' });
      return live;
    };
    await manager.flushActivity();
    expect(manager.validateCached(token)).toBeUndefined();
    expect(await manager.validate(token)).toBeNull();
  });

  it('keeps what memory knows across the refresh: the verified secret (no SHA-256) and unwritten activity', async () => {
    const { manager, clock } = await setup();
    const { token } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    vi.advanceTimersByTime(55 * SECOND);
    clock.advance(55 * SECOND);
    manager.validateCached(token, { path: '/latest' });
    await manager.flushActivity(); // written, then read ahead
    const seenAt = clock.now();
    vi.advanceTimersByTime(30 * SECOND); // past the first entry's lifetime: only the refreshed entry can answer
    clock.advance(SECOND);
    const session = manager.validateCached(token, { path: '/next' });
    expect(session).toMatchObject({ userId: 'u1', lastPath: '/next' });
    expect(session!.lastActiveAt).toBeGreaterThanOrEqual(seenAt);
    expect(manager.metrics.validations.miss).toBe(1);
  });

  it('works with a store that cannot read many at once (findSessions is optional): one findSession per session', async () => {
    const { manager, store, clock } = await managerForTest({ cache: { ttlMs: 60_000 } });
    (store as { findSessions?: unknown }).findSessions = undefined;
    const { token } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    for (let s = 0; s < 130; s++) {
      vi.advanceTimersByTime(SECOND);
      clock.advance(SECOND);
      expect(manager.validateCached(token)?.userId).toBe('u1');
      await manager.flushActivity();
    }
    expect(manager.metrics.validations.miss).toBe(1);
  });
});
