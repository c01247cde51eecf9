import { describe, expect, it } from 'vitest';
import { ManualClock, MINUTE } from '../../src/core/clock.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import type { BatchedTouch } from '../../src/core/ports.ts';

/**
 * A real SQLite store whose reads take a turn of the event loop, as a networked database's do (node:sqlite
 * answers at once, which hides races that PostgreSQL shows). It counts reads and batched touch statements.
 */
class NetworkLikeStore extends SqliteStore {
  reads = 0;
  touches = 0;
  rows: BatchedTouch[] = [];
  override async findSession(id: string) {
    this.reads++;
    const row = await super.findSession(id); // the row as it was when the query ran…
    await new Promise((resolve) => setTimeout(resolve, 5)); // …arrives a little later
    return row;
  }
  override async touchSessions(touches: BatchedTouch[]) {
    this.touches++;
    this.rows.push(...touches);
    return super.touchSessions(touches);
  }
}

describe('concurrent validations of one session on a cache miss', () => {
  it('share one store read, and their activity is one row of one batched write', async () => {
    const store = new NetworkLikeStore(':memory:');
    await store.migrate();
    const clock = new ManualClock();
    const manager = await new SessionManager({ store, clock, defaults: defaultSettings({}) }).start();
    const { token } = await manager.createSession({ userId: 'u1', remember: false, ip: null, userAgent: null });
    clock.advance(2 * MINUTE); // due for a touch

    const burst = await Promise.all(Array.from({ length: 8 }, () => manager.validate(token)));
    expect(burst.every((s) => s !== null)).toBe(true);
    expect(store.reads).toBe(1);
    expect(store.touches).toBe(0); // no write on the request path

    // Later requests hit the cache; the batch writes all of it as one row.
    clock.advance(30_000);
    await Promise.all(Array.from({ length: 4 }, () => manager.validate(token)));
    await manager.flushActivity();
    expect(store.touches).toBe(1);
    expect(store.rows).toEqual([expect.objectContaining({ requests: 12, lastActiveAt: clock.now() })]);
    await manager.stop();
    await store.close();
  });

  it('do not let a request that arrives after a revocation join a read begun before it', async () => {
    const store = new NetworkLikeStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store, defaults: defaultSettings({}) }).start();
    const { token, session } = await manager.createSession({ userId: 'u1', remember: false, ip: null, userAgent: null });
    const early = manager.validate(token); // read in flight (cold cache)
    await manager.signOut(session); // durable revocation, acknowledged
    const late = manager.validate(token); // starts after the acknowledgement
    expect(await late).toBeNull();
    await early; // either answer is fine for a request already in flight
    expect(await manager.validate(token)).toBeNull();
    await store.close();
  });
});
