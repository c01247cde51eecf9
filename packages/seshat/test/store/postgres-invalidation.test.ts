import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MINUTE } from '../../src/core/clock.ts';
import type { Invalidation } from '../../src/core/invalidation.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import type { SessionRecord } from '../../src/core/session.ts';
import { PgInvalidationChannel } from '../../src/stores/postgres/invalidation.ts';
import { PostgresStore } from '../../src/stores/postgres/postgres-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

let db: TestDatabase;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  const store = new PostgresStore(db.url);
  await store.migrate();
  await store.close();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await db?.drop();
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function openStore(): PostgresStore {
  const store = new PostgresStore(db.url);
  cleanups.push(() => store.close());
  return store;
}

/** A recording listener. */
function recorder() {
  const messages: Invalidation[] = [];
  let resets = 0;
  return {
    messages,
    get resets() {
      return resets;
    },
    listener: { message: (m: Invalidation) => void messages.push(m), reset: () => void resets++ },
  };
}

async function listenerPids(applicationName: string): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2', [applicationName, db.name]);
  return rows.map((r) => r.pid);
}

describe('PgInvalidationChannel (LISTEN/NOTIFY)', () => {
  it('delivers published invalidations to every subscribed node, splitting long id lists under the payload limit', async () => {
    const store = openStore();
    const a = store.createInvalidationChannel({ nodeId: 'chan-a' });
    const b = store.createInvalidationChannel({ nodeId: 'chan-b' });
    const onA = recorder();
    const onB = recorder();
    const stopA = await a.subscribe(onA.listener);
    const stopB = await b.subscribe(onB.listener);
    try {
      const ids = Array.from({ length: 450 }, (_, i) => `ses_${String(i).padStart(24, '0')}`);
      await a.publish({ kind: 'sessions', ids });
      await a.publish({ kind: 'all' });
      await a.publish({ kind: 'settings' });
      for (const seen of [onA, onB]) {
        await until('all messages', () => seen.messages.length === 5);
        expect(seen.messages.slice(0, 3).flatMap((m) => (m.kind === 'sessions' ? m.ids : []))).toEqual(ids);
        expect(seen.messages.slice(3)).toEqual([{ kind: 'all' }, { kind: 'settings' }]);
        expect(seen.resets).toBe(0);
      }
    } finally {
      await stopA();
      await stopB();
    }
    expect(await listenerPids('seshat-invalidation chan-a')).toEqual([]);
  });

  it('publish returns only once every listening node has applied the invalidation (confirmed delivery)', async () => {
    const store = openStore();
    const nodes = ['ack-a', 'ack-b', 'ack-c'].map((nodeId) => ({ channel: store.createInvalidationChannel({ nodeId }), seen: recorder() }));
    const stops = await Promise.all(nodes.map((n) => n.channel.subscribe(n.seen.listener)));
    try {
      const ids = Array.from({ length: 450 }, (_, i) => `ses_${String(i).padStart(24, '0')}`);
      await nodes[0]!.channel.publish({ kind: 'sessions', ids });
      // No waiting here: when publish has returned, every node has already applied every chunk.
      for (const { seen } of nodes) expect(seen.messages.flatMap((m) => (m.kind === 'sessions' ? m.ids : []))).toEqual(ids);
      await nodes[1]!.channel.publish({ kind: 'all' });
      for (const { seen } of nodes) expect(seen.messages.at(-1)).toEqual({ kind: 'all' });
    } finally {
      for (const stop of stops) await stop();
    }
  });

  it('confirmations go only to the publisher that asked (no N² fan-out), and a publisher of an older version is still answered', async () => {
    const store = openStore();
    const nodes = ['reply-a', 'reply-b', 'reply-c'].map((nodeId) => ({ channel: store.createInvalidationChannel({ nodeId }), seen: recorder() }));
    const stops = await Promise.all(nodes.map((n) => n.channel.subscribe(n.seen.listener)));
    // Hears the shared ack channel, where every node used to confirm (and every node heard every confirmation).
    const shared = new pg.Client({ connectionString: db.url });
    await shared.connect();
    cleanups.push(() => shared.end());
    const heard: string[] = [];
    shared.on('notification', (n) => heard.push(n.payload ?? ''));
    await shared.query('LISTEN seshat_invalidation_ack');
    try {
      await nodes[0]!.channel.publish({ kind: 'sessions', ids: ['ses_reply'] });
      for (const { seen } of nodes) expect(seen.messages).toEqual([{ kind: 'sessions', ids: ['ses_reply'] }]);
      // An older publisher names no reply channel: the nodes confirm on the shared channel, as before.
      await shared.query('SELECT pg_notify($1, $2)', ['seshat_invalidation', JSON.stringify({ kind: 'settings', ack: 'old-nonce' })]);
      await until('three confirmations on the shared channel', () => heard.length === 3);
      expect(heard).toEqual(['old-nonce', 'old-nonce', 'old-nonce']); // and none of the first publish's
    } finally {
      for (const stop of stops) await stop();
      await shared.end();
    }
  });

  it('a node that never confirms holds publish back at most ackTimeoutMs, and is reported', async () => {
    const store = openStore();
    // A listener that counts as a node (by its application_name) but never confirms: a hung process.
    const mute = new pg.Client({ connectionString: db.url, application_name: 'seshat-invalidation mute' });
    await mute.connect();
    cleanups.push(() => mute.end());
    await mute.query('LISTEN seshat_invalidation');
    const errors: unknown[] = [];
    const channel = store.createInvalidationChannel({ nodeId: 'ack-waiting', ackTimeoutMs: 300, onError: (e) => errors.push(e) });
    const seen = recorder();
    const stop = await channel.subscribe(seen.listener);
    try {
      await channel.publish({ kind: 'sessions', ids: ['ses_x'] });
      expect(seen.messages).toEqual([{ kind: 'sessions', ids: ['ses_x'] }]);
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/confirmed by 1 of 2 nodes/);
    } finally {
      await stop();
      await mute.end();
    }
  });

  it('treats an unreadable notification as "may have missed something" (reset)', async () => {
    const store = openStore();
    const channel = store.createInvalidationChannel({ nodeId: 'chan-junk' });
    const seen = recorder();
    const stop = await channel.subscribe(seen.listener);
    try {
      await db.query(`SELECT pg_notify('seshat_invalidation', '{"kind":"sessions","ids":"oops"}')`);
      await until('a reset', () => seen.resets === 1);
      expect(seen.messages).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('when the listening connection is killed: resets at once, reconnects with backoff, resets again, then receives again', async () => {
    const store = openStore();
    const channel = store.createInvalidationChannel({ nodeId: 'chan-cut' }) as PgInvalidationChannel;
    const seen = recorder();
    const stop = await channel.subscribe(seen.listener);
    try {
      const [pid] = await listenerPids(channel.applicationName);
      expect(pid).toBeDefined();
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      await until('the reset after the drop', () => seen.resets >= 1);
      await until('a new listening connection and the reset after it', async () => {
        const pids = await listenerPids(channel.applicationName);
        return pids.length === 1 && pids[0] !== pid && seen.resets >= 2;
      });
      await store.createInvalidationChannel({ nodeId: 'chan-pub' }).publish({ kind: 'sessions', ids: ['ses_after'] });
      await until('delivery after reconnecting', () => seen.messages.length === 1);
      expect(seen.messages).toEqual([{ kind: 'sessions', ids: ['ses_after'] }]);
    } finally {
      await stop();
    }
  });

  it('notices a connection that went silent (no error, no FIN) by its heartbeat, and reconnects', async () => {
    // A relay the test can turn into a black hole: existing connections stop forwarding, new ones work.
    const sockets: { inbound: Socket; outbound: Socket }[] = [];
    const relay = createTcpServer((inbound) => {
      const outbound = connect(5432, '127.0.0.1');
      for (const s of [inbound, outbound]) s.on('error', () => {});
      inbound.pipe(outbound).pipe(inbound);
      sockets.push({ inbound, outbound });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      relay.close();
      for (const { inbound, outbound } of sockets) inbound.destroy(), outbound.destroy();
    });
    const url = new URL(db.url);
    url.host = `127.0.0.1:${(relay.address() as { port: number }).port}`;
    const store = new PostgresStore(url.toString());
    cleanups.push(() => store.close());
    const channel = store.createInvalidationChannel({ nodeId: 'chan-silent', heartbeatMs: 100, heartbeatTimeoutMs: 300 });
    const seen = recorder();
    const stop = await channel.subscribe(seen.listener);
    try {
      const silenced = sockets.splice(0);
      for (const { inbound, outbound } of silenced) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
      await until('the reset after the silent drop and the one after reconnecting', () => seen.resets >= 2);
      await openStore().createInvalidationChannel({ nodeId: 'chan-pub2' }).publish({ kind: 'all' });
      await until('delivery over the new connection', () => seen.messages.length === 1);
      // The silenced backend would otherwise count as a listening node that never confirms.
      for (const { inbound, outbound } of silenced) inbound.destroy(), outbound.destroy();
      await until('the silenced backend to go', async () => (await listenerPids(channel.applicationName)).length === 1);
    } finally {
      await stop();
    }
  });

  it('trusts the cache only while listening: not before subscribing, not from the drop until LISTEN is back', async () => {
    const store = openStore();
    const channel = store.createInvalidationChannel({ nodeId: 'trust-cut', minBackoffMs: 1500 }) as PgInvalidationChannel;
    const seen = recorder();
    expect(channel.cacheTrusted()).toBe(false);
    const stop = await channel.subscribe(seen.listener);
    try {
      expect(channel.cacheTrusted()).toBe(true);
      const [pid] = await listenerPids(channel.applicationName);
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      await until('the drop to be noticed', () => seen.resets >= 1);
      // Deaf until the backoff (1.5 s) has passed and LISTEN is back: the cache must not be used meanwhile.
      expect(channel.cacheTrusted()).toBe(false);
      await until('listening again', () => seen.resets >= 2);
      expect(channel.cacheTrusted()).toBe(true);
    } finally {
      await stop();
    }
  });

  it('stops trusting the cache within its lease when the connection goes silent, before the drop is even noticed', async () => {
    const sockets: { inbound: Socket; outbound: Socket }[] = [];
    const relay = createTcpServer((inbound) => {
      const outbound = connect(5432, '127.0.0.1');
      for (const s of [inbound, outbound]) s.on('error', () => {});
      inbound.pipe(outbound).pipe(inbound);
      sockets.push({ inbound, outbound });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      relay.close();
      for (const { inbound, outbound } of sockets) inbound.destroy(), outbound.destroy();
    });
    const url = new URL(db.url);
    url.host = `127.0.0.1:${(relay.address() as { port: number }).port}`;
    const store = new PostgresStore(url.toString());
    cleanups.push(() => store.close());
    // The drop itself is noticed only after 60 s: what protects the cache meanwhile is the lease (1 s).
    const channel = store.createInvalidationChannel({ nodeId: 'trust-silent', heartbeatTimeoutMs: 60_000 });
    const seen = recorder();
    const stop = await channel.subscribe(seen.listener);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(channel.cacheTrusted()).toBe(true);
      for (const { inbound, outbound } of sockets.splice(0)) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
      // Lease 1 s from the last answered heartbeat, sent before the silence began; the drop is not noticed yet.
      await until('the lease to lapse', () => !channel.cacheTrusted(), 5000);
      expect(seen.resets).toBe(0);
    } finally {
      await stop();
    }
  });

  it('refuses a lease longer than the publisher waits for confirmations', () => {
    expect(() => openStore().createInvalidationChannel({ ackTimeoutMs: 500, leaseMs: 800 })).toThrow(/leaseMs/);
  });

  it('fails to subscribe (start-up fails) when the database cannot be reached', async () => {
    const channel = new PgInvalidationChannel('postgres://root@127.0.0.1:1/nothing', async () => [], { nodeId: 'chan-none' });
    await expect(channel.subscribe(recorder().listener)).rejects.toThrow();
  });
});

describe('two session managers on one PostgreSQL database', () => {
  async function node(options: { channel?: boolean; clock?: ManualClock; minBackoffMs?: number } = {}) {
    const store = openStore();
    const clock = options.clock ?? new ManualClock(Date.now());
    const nodeId = `mgr-${Math.random().toString(36).slice(2, 8)}`;
    const channel = options.channel === false ? undefined : store.createInvalidationChannel({ nodeId, ...(options.minBackoffMs ? { minBackoffMs: options.minBackoffMs } : {}) });
    const manager = await new SessionManager({
      store, clock, policy: roleBasedPolicy(['admin']), cache: { ttlMs: 60_000 }, touchIntervalMs: MINUTE, ...(channel ? { channel } : {}),
    }).start();
    cleanups.push(() => manager.stop());
    return { store, clock, manager, nodeId, channel };
  }

  it('a touch issued after a revoke never resurrects the session (slow request on another node)', async () => {
    const clock = new ManualClock(Date.now());
    // B has no channel: it keeps its cached copy, exactly like a request already past its read.
    const a = await node({ clock });
    const b = await node({ clock, channel: false });
    const created = await a.manager.createSession({ userId: 'usr_slow', remember: false, ip: null, userAgent: null });
    expect(await b.manager.validate(created.token)).not.toBeNull(); // cached on B

    await a.manager.revokeSession({ userId: 'usr_slow' }, created.session.id, { allowCurrent: true });
    clock.advance(2 * MINUTE);
    // B's request is counted in its touch batch; the batch's write is conditional and finds the row revoked,
    // so B drops its copy and refuses from then on.
    await b.manager.validate(created.token);
    await b.manager.flushActivity();
    expect(await b.manager.validate(created.token)).toBeNull(); // the conditional touch updated nothing
    const row = await a.store.findSession(created.session.id);
    expect(row!.revokedAt).not.toBeNull();
    expect(row!.lastActiveAt).toBe(created.session.lastActiveAt);
    // And the store refuses any further touch outright.
    expect(await b.store.touchSession(created.session.id, { lastActiveAt: clock.now() + 1, requests: 1, lastPath: '/late' })).toBe(false);
    expect((await a.store.findSession(created.session.id))!.revokedAt).toBe(row!.revokedAt);
  });

  it('a revocation on one node reaches the other node over NOTIFY', async () => {
    const a = await node();
    const b = await node();
    const created = await a.manager.createSession({ userId: 'usr_n', remember: false, ip: null, userAgent: null });
    expect(await b.manager.validate(created.token)).not.toBeNull(); // cached on B for a minute
    await a.manager.revokeSession({ userId: 'usr_n' }, created.session.id, { allowCurrent: true });
    await until('B to refuse', async () => (await b.manager.validate(created.token)) === null, 5000);
    expect(b.manager.metrics.validations.rejected).toBeGreaterThan(0);
  });

  it('while B is not listening (its LISTEN connection dropped and waits to reconnect), a revocation on A is refused on B at once', async () => {
    const a = await node();
    const b = await node({ minBackoffMs: 3000 });
    const created = await a.manager.createSession({ userId: 'usr_deaf', remember: false, ip: null, userAgent: null });
    expect(await b.manager.validate(created.token)).not.toBeNull(); // cached on B
    const [pid] = await listenerPids(`seshat-invalidation ${b.nodeId}`);
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await until('B to notice', () => !b.channel!.cacheTrusted());
    // B's pool works, its LISTEN connection does not (for 3 s): B reads the store for every request…
    expect(await b.manager.validate(created.token)).not.toBeNull();
    expect(await b.manager.validate(created.token)).not.toBeNull();
    const hits = b.manager.metrics.validations.hit;
    // …so a revocation it cannot hear is refused on its very next request.
    await a.manager.revokeSession({ userId: 'usr_deaf' }, created.session.id, { allowCurrent: true });
    expect(await b.manager.validate(created.token)).toBeNull();
    expect(b.manager.metrics.validations.hit).toBe(hits);
    expect(b.channel!.cacheTrusted()).toBe(false); // still deaf: the refusal came from the store
  });

  it('settings saved on one node apply on the other', async () => {
    const a = await node();
    const b = await node();
    expect(b.manager.settings.idleTimeoutSeconds).not.toBe(1234);
    await a.manager.updateSettings({ userId: 'usr_admin', role: 'admin' }, { idleTimeoutSeconds: 1234 });
    await until('B to reload settings', () => b.manager.settings.idleTimeoutSeconds === 1234, 5000);
  });

  it('a read that raced a revocation is not cached (tombstone)', async () => {
    // The store pauses findSession after the read returns, so the revocation lands in between.
    let release!: () => void;
    let reading!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    const readDone = new Promise<void>((r) => (reading = r));
    let pauseNext = false;
    class PausingStore extends PostgresStore {
      override async findSession(id: string): Promise<SessionRecord | null> {
        const row = await super.findSession(id);
        if (pauseNext) {
          pauseNext = false;
          reading();
          await paused;
        }
        return row;
      }
    }
    const store = new PausingStore(db.url);
    cleanups.push(() => store.close());
    const manager = await new SessionManager({ store, cache: { ttlMs: 60_000 } }).start();
    cleanups.push(() => manager.stop());

    const created = await manager.createSession({ userId: 'usr_race', remember: false, ip: null, userAgent: null });
    pauseNext = true;
    const slow = manager.validate(created.token);
    await readDone; // the request has read the row while it was still live…
    await manager.revokeSession({ userId: 'usr_race' }, created.session.id, { allowCurrent: true }); // …the revoke invalidates the absent entry…
    release();
    await slow; // …and the slow request, past its read already, must not cache what it read.
    expect(await manager.validate(created.token)).toBeNull();
    expect((await store.findSession(created.session.id))!.revokedAt).not.toBeNull();
  });
});
