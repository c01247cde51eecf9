import { describe, expect, it } from 'vitest';
import type { Store } from '../core/ports.ts';
import { SessionManager } from '../core/session-manager.ts';

/**
 * Opens two stores on one database, as two processes would have them (two connections, or two pools), migrated
 * and empty. The suite closes both.
 */
export type StorePairFactory = () => Promise<[Store, Store]>;

/**
 * What separates another process's change from this process's next request in real life (its answer travelling
 * back, a CLI exiting): a few milliseconds. A channel may let one reading stand that long (SQLite: 1 ms).
 */
const reportedBack = () => new Promise((resolve) => setTimeout(resolve, 5));

const operator = { canView: () => true, canRevoke: () => true, canManageTeam: () => true };

/**
 * The cross-process part of the store contract, for stores with `createInvalidationChannel`: what another process
 * changes reaches this process's validation cache before that cache is used again, and a channel vouches for the
 * cache only while it is listening.
 */
export function invalidationContract(dialect: Store['dialect'], factory: StorePairFactory): void {
  describe(`${dialect} invalidation channel contract`, () => {
    async function pair() {
      const [here, there] = await factory();
      const channel = here.createInvalidationChannel!({ nodeId: `contract-here-${process.pid}` });
      const manager = await new SessionManager({ store: here, channel, policy: operator, cache: { ttlMs: 60_000 } }).start();
      const otherChannel = there.createInvalidationChannel!({ nodeId: `contract-there-${process.pid}` });
      const other = await new SessionManager({ store: there, channel: otherChannel, policy: operator, cache: false }).start();
      return {
        here, channel, manager, other,
        async close() {
          await manager.stop();
          await other.stop();
          await here.close();
          await there.close();
        },
      };
    }

    it('has a channel that vouches for the cache only once subscribed', async () => {
      const [here, there] = await factory();
      try {
        const channel = here.createInvalidationChannel!({ nodeId: `contract-trust-${process.pid}` });
        expect(channel.cacheTrusted).toBeTypeOf('function');
        expect(channel.cacheTrusted!()).toBe(false); // nobody listening: nothing could be told to drop what it caches
        const stop = await channel.subscribe({ message: () => {}, reset: () => {} });
        expect(channel.cacheTrusted!()).toBe(true);
        await stop();
      } finally {
        await here.close();
        await there.close();
      }
    });

    it("a revocation committed by another process is refused on this process's next validation, though cached", async () => {
      const p = await pair();
      try {
        const created = await p.manager.createSession({ userId: 'usr_contract', remember: false, ip: null, userAgent: null });
        expect(await p.manager.validate(created.token)).not.toBeNull();
        expect(await p.manager.validate(created.token)).not.toBeNull(); // a cache hit now
        expect(await p.other.revokeAllSessions(null, 'contract')).toBe(1);
        await reportedBack();
        expect(await p.manager.validate(created.token)).toBeNull();
      } finally {
        await p.close();
      }
    });

    it("another process's own sign-ins and revocations of other sessions leave this one valid", async () => {
      const p = await pair();
      try {
        const mine = await p.manager.createSession({ userId: 'usr_mine', remember: false, ip: null, userAgent: null });
        await p.manager.validate(mine.token);
        const theirs = await p.other.createSession({ userId: 'usr_theirs', remember: false, ip: null, userAgent: null });
        await p.other.forceSignOut(null, 'usr_theirs', 'contract');
        await reportedBack();
        expect(await p.manager.validate(mine.token)).not.toBeNull();
        expect(await p.manager.validate(theirs.token)).toBeNull();
      } finally {
        await p.close();
      }
    });
  });
}
