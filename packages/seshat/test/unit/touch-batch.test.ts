import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/core/clock.ts';
import type { BatchedTouch } from '../../src/core/ports.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { managerForTest, signIn } from '../helpers/manager.ts';

/** A real store that counts batched statements and can be told to fail them. */
class CountingStore extends SqliteStore {
  statements = 0;
  failNext = false;
  override async touchSessions(touches: BatchedTouch[]) {
    this.statements++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection reset');
    }
    return super.touchSessions(touches);
  }
}

async function countingManager(options: Parameters<typeof managerForTest>[0] = {}) {
  const store = new CountingStore(':memory:');
  await store.migrate();
  return { ...(await managerForTest({ store, ...options })), store };
}

describe('batched touches (issue #11, goal 3)', () => {
  it('loses no request count when cache entries are evicted before the activity is written', async () => {
    // A one-entry cache and two sessions taking turns: every request evicts the other session's entry.
    // Counts kept on cache entries were dropped with them (issue #11: 786 of 7,500 recorded).
    const { manager, store, clock } = await countingManager({ cache: { max: 1 } });
    const a = await manager.createSession(signIn('u1'));
    const b = await manager.createSession(signIn('u2'));
    for (let i = 0; i < 50; i++) {
      clock.advance(SECOND);
      expect(await manager.validate(a.token)).not.toBeNull();
      expect(await manager.validate(b.token)).not.toBeNull();
      if (i % 7 === 0) await manager.flushActivity();
    }
    await manager.flushActivity();
    expect((await store.findSession(a.session.id))!.requests).toBe(1 + 50);
    expect((await store.findSession(b.session.id))!.requests).toBe(1 + 50);
    expect((await store.findSession(b.session.id))!.lastActiveAt).toBe(clock.now());
  });

  it('writes every session seen in an interval as one statement', async () => {
    const { manager, store } = await countingManager();
    const sessions = await Promise.all(Array.from({ length: 20 }, (_, i) => manager.createSession(signIn(`u${i}`))));
    for (const s of sessions) await manager.validate(s.token, { path: '/x' });
    await manager.flushActivity();
    expect(store.statements).toBe(1);
    for (const s of sessions) expect((await store.findSession(s.session.id))!).toMatchObject({ requests: 2, lastPath: '/x' });
  });

  it('drops from the cache, per id, a session revoked elsewhere while its activity waited, and never revives it', async () => {
    const { manager, store, clock } = await countingManager({ cache: { ttlMs: 3_600_000 } });
    const kept = await manager.createSession(signIn('u1'));
    const victim = await manager.createSession(signIn('u2'));
    await manager.validate(kept.token);
    await manager.validate(victim.token);
    // Another node (or the CLI) revokes it in the database; no invalidation reaches this node.
    await store.revokeSession(victim.session.id, { at: clock.now(), reason: 'revoked-by-admin' });
    expect(await manager.validate(victim.token)).not.toBeNull(); // still cached: the batch has not run
    await manager.flushActivity();
    expect(await manager.validate(victim.token)).toBeNull(); // the batch found it revoked and dropped it
    expect(await manager.validate(kept.token)).not.toBeNull();
    const row = (await store.findSession(victim.session.id))!;
    expect(row.revokedReason).toBe('revoked-by-admin');
    expect(row.requests).toBe(1); // its waiting activity was not written onto the revoked row
    expect((await store.findSession(kept.session.id))!.requests).toBe(2);
  });

  it('puts a failed batch back, so its counts go out with the next one', async () => {
    const { manager, store } = await countingManager();
    const errors: unknown[] = [];
    manager.events.on('error', (e) => errors.push(e));
    const { token, session } = await manager.createSession(signIn('u1'));
    for (let i = 0; i < 3; i++) await manager.validate(token);
    store.failNext = true;
    await manager.flushActivity();
    expect(errors).toHaveLength(1);
    for (let i = 0; i < 2; i++) await manager.validate(token);
    await manager.flushActivity();
    expect((await store.findSession(session.id))!.requests).toBe(1 + 5);
  });

  it('counts every request of a cached session across writes, a failed write and a write in flight', async () => {
    // A cache entry remembers its session's place in the open batch (no map look-up per hit); a place from a batch
    // already handed to the store must not take counts, or they would be lost with that batch.
    const { manager, store } = await countingManager({ cache: { ttlMs: 3_600_000 } });
    manager.events.on('error', () => {});
    const { token, session } = await manager.createSession(signIn('u1'));
    await manager.validate(token); // cached from here on
    const hits = async (n: number) => {
      for (let i = 0; i < n; i++) expect(manager.validateCached(token)).toMatchObject({ id: session.id });
    };
    await hits(2);
    await manager.flushActivity();
    await hits(2);
    store.failNext = true;
    await manager.flushActivity(); // put back: the same place is in the open batch again
    await hits(2);
    await manager.flushActivity();
    await hits(1);
    let release!: () => void;
    let started!: () => void;
    const writing = new Promise<void>((r) => (started = r));
    const write = store.touchSessions.bind(store);
    store.touchSessions = async (touches) => (started(), await new Promise<void>((r) => (release = r)), write(touches));
    const inFlight = manager.flushActivity();
    await writing;
    await hits(3); // counted in the next batch, not in the one being written
    release();
    await inFlight;
    store.touchSessions = write;
    await manager.flushActivity();
    expect((await store.findSession(session.id))!.requests).toBe(1 + 3 + 2 + 2 + 1 + 3);
  });

  it('tells the store when each session was last active before the batch, the earliest across a failed batch', async () => {
    const { manager, store, clock } = await countingManager();
    const seen: BatchedTouch[][] = [];
    const write = store.touchSessions.bind(store);
    store.touchSessions = async (touches) => (seen.push(touches.map((t) => ({ ...t }))), write(touches));
    const { token, session } = await manager.createSession(signIn('u1'));
    const created = session.lastActiveAt;
    clock.advance(SECOND);
    await manager.validate(token);
    clock.advance(SECOND);
    await manager.validate(token);
    store.failNext = true;
    await manager.flushActivity();
    clock.advance(SECOND);
    await manager.validate(token); // merged with the failed batch: "before" is still the sign-in's
    await manager.flushActivity();
    expect(seen.at(-1)).toEqual([expect.objectContaining({ id: session.id, previousActiveAt: created, lastActiveAt: clock.now(), requests: 3 })]);
    clock.advance(SECOND);
    await manager.validate(token);
    await manager.flushActivity();
    expect(seen.at(-1)).toEqual([expect.objectContaining({ previousActiveAt: clock.now() - SECOND, requests: 1 })]);
  });

  it('writes what is left on stop', async () => {
    const { manager, store } = await countingManager();
    const { token, session } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    await manager.stop();
    expect((await store.findSession(session.id))!.requests).toBe(2);
  });

  it('shows activity not yet written in the session details (issue #16, item 13)', async () => {
    const { manager } = await countingManager();
    const { token, session } = await manager.createSession(signIn('u1'));
    for (let i = 0; i < 4; i++) await manager.validate(token, { path: '/api/sessions' });
    const seen = await manager.getSession({ userId: 'u1' }, session.id);
    expect(seen).toMatchObject({ requests: 5, lastPath: '/api/sessions' });
  });
});

describe('batched touches on PostgreSQL, two nodes', () => {
  it('a session revoked on another node while its activity waited is found per id by the batch and dropped', async () => {
    const { createTestDatabase } = await import('../helpers/postgres.ts');
    const { PostgresStore } = await import('../../src/stores/postgres/postgres-store.ts');
    const { SessionManager } = await import('../../src/core/session-manager.ts');
    const db = await createTestDatabase();
    const stores = [new PostgresStore(db.url), new PostgresStore(db.url)];
    try {
      await stores[0]!.migrate();
      // No invalidation channel: only the batch can tell node A about node B's revocation.
      const [a, b] = await Promise.all(stores.map((store) => new SessionManager({ store, cache: { ttlMs: 3_600_000 } }).start()));
      const kept = await a!.createSession(signIn('u1'));
      const victim = await a!.createSession(signIn('u2'));
      for (let i = 0; i < 3; i++) {
        await a!.validate(kept.token);
        await a!.validate(victim.token);
      }
      await b!.forceSignOut(null, 'u2', 'Compromised');
      expect(await a!.validate(victim.token)).not.toBeNull(); // A's cache does not know yet
      await a!.flushActivity();
      expect(await a!.validate(victim.token)).toBeNull();
      expect((await stores[1]!.findSession(victim.session.id))!).toMatchObject({ revokedReason: 'force-sign-out', requests: 1 });
      expect((await stores[1]!.findSession(kept.session.id))!.requests).toBe(1 + 3);
      await a!.stop();
      await b!.stop();
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });
});
