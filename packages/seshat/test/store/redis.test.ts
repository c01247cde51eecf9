import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSeshatError } from '../../src/core/errors.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings, expiryCutoffs } from '../../src/core/settings.ts';
import { PostgresStore } from '../../src/stores/postgres/postgres-store.ts';
import { RedisStore } from '../../src/stores/redis/redis-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { createTestPrefix, REDIS_URL } from '../helpers/redis.ts';
import { invalidationContract, sessionRecord, storeContract } from 'seshat/testing';

// One fresh PostgreSQL database and one Redis key prefix for this file; both dropped at the end. If either server is
// unreachable, beforeAll throws and every test here fails: never a silent skip.
let db: TestDatabase;
let redis: Awaited<ReturnType<typeof createTestPrefix>>;
let runs = 0;
beforeAll(async () => {
  redis = await createTestPrefix();
  db = await createTestDatabase();
});
afterAll(async () => {
  await redis?.drop();
  await db?.drop();
});

const TRUNCATE = 'TRUNCATE sessions, users, settings, audit_events, api_keys, api_key_usage, device_binding_secrets, webhook_endpoints, webhook_messages, webhook_deliveries, webhook_lease, daily_stats, session_policies RESTART IDENTITY';

/** A Redis store on an empty key space (its own prefix) and an emptied PostgreSQL database. */
async function emptyStore(prefix = `${redis.prefix}${++runs}:`): Promise<RedisStore> {
  const store = new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix });
  await store.migrate();
  await db.query(TRUNCATE);
  return store;
}

storeContract('redis', () => emptyStore());

// Two nodes: two Redis connections and two PostgreSQL pools on the same data.
invalidationContract('redis', async () => {
  const here = await emptyStore();
  return [here, new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix: here.prefix })];
});

const operator = { canView: () => true, canViewIp: () => true, canRevoke: () => true, canManageTeam: () => true };
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('Redis session tier specifics', () => {
  it('keeps sessions in Redis under its prefix, and users, settings and audit in PostgreSQL', async () => {
    const store = await emptyStore();
    try {
      const s = sessionRecord();
      await store.transaction(async (scope) => {
        await scope.insertSession(s);
        await scope.appendAudit({ id: 'aud_tier', at: NOW, action: 'auth.sign-in', actorId: 'usr_a', targetUserId: 'usr_a', sessionId: s.id, reason: null, ip: null, details: null });
      });
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      try {
        expect(await client.hGet(`${store.prefix}s:${s.id}`, 'userId')).toBe('usr_a');
      } finally {
        client.destroy();
      }
      expect((await db.query('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n).toBe(0);
      expect((await db.query('SELECT session_id FROM audit_events')).rows).toEqual([{ session_id: s.id }]);
    } finally {
      await store.close();
    }
  });

  it('takes back every Redis write of a change whose PostgreSQL part fails, revocations included', async () => {
    const store = await emptyStore();
    try {
      const kept = sessionRecord({ userId: 'usr_undo' });
      const other = sessionRecord({ userId: 'usr_undo', lastPath: '/before' });
      await store.insertSession(kept);
      await store.insertSession(other);
      const cutoffs = expiryCutoffs(defaultSettings({}), NOW);
      const outcome = store.transaction(async (scope) => {
        expect(await scope.touchSession(other.id, { lastActiveAt: NOW, requests: 5, lastPath: '/during' })).toBe(true);
        expect(await scope.revokeUserSessions('usr_undo', { at: NOW, reason: 'force-sign-out' })).toHaveLength(2);
        await scope.insertSession(sessionRecord({ userId: 'usr_undo' }));
        // A statement PostgreSQL refuses (a duplicate audit id) fails the change after its Redis writes.
        await scope.appendAudit({ id: 'aud_dup', at: NOW, action: 'auth.sign-in', actorId: null, targetUserId: null, sessionId: null, reason: null, ip: null, details: null });
        await scope.appendAudit({ id: 'aud_dup', at: NOW, action: 'auth.sign-in', actorId: null, targetUserId: null, sessionId: null, reason: null, ip: null, details: null });
      });
      await expect(outcome).rejects.toThrow();
      expect(await store.countSessions()).toBe(2);
      expect(await store.findSession(kept.id)).toMatchObject({ revokedAt: null, requests: kept.requests });
      expect(await store.findSession(other.id)).toMatchObject({ revokedAt: null, lastPath: '/before', requests: other.requests });
      expect(await store.countActiveSessions(cutoffs, 'usr_undo')).toBe(2);
      expect((await store.listAudit({})).items).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('when the COMMIT itself fails, takes back the Redis writes but keeps the revocations, and says so', async () => {
    const errors: unknown[] = [];
    const store = new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix: `${redis.prefix}${++runs}:`, onError: (e) => errors.push(e) });
    try {
      await store.migrate();
      await db.query(TRUNCATE);
      // A deferred constraint trigger refuses the transaction at COMMIT, after all its statements (and Redis writes)
      // succeeded: the case where the client cannot know whether the PostgreSQL part committed.
      await db.query(`CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.id = 'aud_refused_at_commit' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$`);
      await db.query(`CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`);
      const ending = sessionRecord({ userId: 'usr_commit' });
      const touched = sessionRecord({ userId: 'usr_other', lastPath: '/before' });
      await store.insertSession(ending);
      await store.insertSession(touched);
      const added = sessionRecord({ userId: 'usr_other' });
      const outcome = store.transaction(async (scope) => {
        expect(await scope.revokeSession(ending.id, { at: NOW, reason: 'revoked' })).toBe(true);
        expect(await scope.touchSession(touched.id, { lastActiveAt: NOW, requests: 3, lastPath: '/during' })).toBe(true);
        await scope.insertSession(added);
        await scope.appendAudit({ id: 'aud_refused_at_commit', at: NOW, action: 'session.revoked', actorId: null, targetUserId: 'usr_commit', sessionId: ending.id, reason: null, ip: null, details: null });
      });
      await expect(outcome).rejects.toThrow(/refused at commit/);
      // Ended stays ended: the revocation stands although its audit event did not commit.
      expect(await store.findSession(ending.id)).toMatchObject({ revokedAt: NOW, revokedReason: 'revoked' });
      // Everything else of the change is taken back.
      expect(await store.findSession(added.id)).toBeNull();
      expect(await store.findSession(touched.id)).toMatchObject({ revokedAt: null, lastPath: '/before', requests: touched.requests });
      expect((await store.listAudit({})).items).toEqual([]);
      expect(errors.map(String)).toEqual([expect.stringMatching(/A revocation stands in Redis although its PostgreSQL transaction/)]);
    } finally {
      await db.query('DROP TRIGGER IF EXISTS refuse_at_commit ON audit_events');
      await db.query('DROP FUNCTION IF EXISTS refuse_at_commit()');
      await store.close();
    }
  });

  it('revokes 20,000 sessions in batches, none left live', async () => {
    const store = await emptyStore();
    try {
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      try {
        // Written straight into Redis (one pipeline), as the store lays them out: inserting through the store one by one takes longer than the point.
        const multi = client.multi();
        for (let i = 0; i < 20_000; i++) {
          const id = `ses_bulk${String(i).padStart(8, '0')}`;
          multi.hSet(`${store.prefix}s:${id}`, { id, userId: `usr_${i % 100}`, secretHash: '00', tokenHint: 'x', persistent: '0', passwordChangeRequired: '0', createdAt: String(NOW - 1000), lastActiveAt: String(NOW - 10), requests: '1', device: '{}' });
          multi.zAdd(`${store.prefix}ids`, { score: 0, value: id });
          multi.zAdd(`${store.prefix}live`, { score: Math.floor((NOW - 10) / 60_000), value: id }); // scored by minute
          multi.zAdd(`${store.prefix}u:usr_${i % 100}`, { score: NOW - 10, value: id });
        }
        await multi.execAsPipeline();
      } finally {
        client.destroy();
      }
      const cutoffs = expiryCutoffs(defaultSettings({}), NOW);
      expect(await store.countActiveSessions(cutoffs)).toBe(20_000);
      expect(await store.revokeAllSessions({ at: NOW, reason: 'invalidate-all' })).toBe(20_000);
      expect(await store.countActiveSessions(cutoffs)).toBe(0);
      expect(await store.findSession('ses_bulk00000007')).toMatchObject({ revokedAt: NOW, revokedReason: 'invalidate-all' });
    } finally {
      await store.close();
    }
  });

  it('two nodes on one Redis and one PostgreSQL: a revocation answered on A is refused on B at once, though B cached it', async () => {
    const a = await emptyStore();
    const b = new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix: a.prefix });
    const nodeA = await new SessionManager({ store: a, channel: a.createInvalidationChannel({ nodeId: 'node-a' }), policy: operator, cache: { ttlMs: 60_000 } }).start();
    const nodeB = await new SessionManager({ store: b, channel: b.createInvalidationChannel({ nodeId: 'node-b' }), policy: operator, cache: { ttlMs: 60_000 } }).start();
    try {
      const created = await nodeA.createSession({ userId: 'usr_two', remember: false, ip: null, userAgent: null });
      expect(await nodeB.validate(created.token)).not.toBeNull();
      expect(await nodeB.validate(created.token)).not.toBeNull(); // B's cache now
      await nodeA.revokeSession({ userId: 'usr_two', ip: null }, created.session.id);
      // No wait: A answered only after B confirmed it applied the revocation.
      expect(await nodeB.validate(created.token)).toBeNull();
      expect((await a.listAudit({ userId: 'usr_two' })).items.map((e) => e.action)).toContain('session.revoked');
    } finally {
      await nodeA.stop();
      await nodeB.stop();
      await a.close();
      await b.close();
    }
  });

  it('stops trusting the cache when its listening connection is killed, and trusts it again once listening', async () => {
    const store = await emptyStore();
    const channel = store.createInvalidationChannel({ nodeId: `kill-${process.pid}`, minBackoffMs: 20 });
    let resets = 0;
    const stop = await channel.subscribe({ message: () => {}, reset: () => void resets++ });
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    try {
      expect(channel.cacheTrusted()).toBe(true);
      // Kill exactly this node's listening connection, named after its node id.
      const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
      const id = list.split('\n').find((line) => line.includes(`name=seshat-invalidation_kill-${process.pid}`))?.match(/id=(\d+)/)?.[1];
      if (id) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
      await until(() => !channel.cacheTrusted() || resets > 0);
      expect(resets).toBeGreaterThan(0);
      await until(() => channel.cacheTrusted());
      expect(resets).toBeGreaterThanOrEqual(2); // flushed on the loss and again once listening
    } finally {
      admin.destroy();
      await stop();
      await store.close();
    }
  });

  it('reports an unreachable Redis as unavailable (503), not as a missing session', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', postgres: new PostgresStore(db.url), connectTimeoutMs: 1000 });
    try {
      for (const attempt of [store.findSession('ses_x'), store.ping(), store.touchSession('ses_x', { lastActiveAt: 1, requests: 1, lastPath: null })]) {
        const error = await attempt.then(() => null, (e: unknown) => e);
        expect(isSeshatError(error) && error.code === 'unavailable').toBe(true);
      }
    } finally {
      await store.close();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
