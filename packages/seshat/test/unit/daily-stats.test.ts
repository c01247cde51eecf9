import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, ManualClock } from '../../src/core/clock.ts';
import { lastDays, overviewDays, utcDay } from '../../src/core/daily-stats.ts';
import { isSeshatError } from '../../src/core/errors.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import type { Store, StoreScope } from '../../src/core/ports.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { PostgresStore } from '../../src/stores/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { signIn } from '../helpers/manager.ts';

/** Issue 13 item 8: the daily rollups behind the admin overview, kept by the changes they count and the GC job. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const admin = { userId: 'usr_admin', role: 'admin' };
const START = Date.UTC(2026, 5, 1, 10, 0, 0);

async function open(kind: 'sqlite' | 'postgres', idleTimeoutSeconds = 7 * 86_400) {
  let store: Store;
  if (kind === 'sqlite') store = new SqliteStore(':memory:');
  else store = new PostgresStore(db.url);
  await store.migrate();
  if (kind === 'postgres') await db.query('TRUNCATE sessions, audit_events, settings, daily_stats');
  const clock = new ManualClock(START);
  const manager = await new SessionManager<StoreScope>({ store, clock, defaults: { ...defaultSettings({}), idleTimeoutSeconds }, policy: roleBasedPolicy(['admin']), endedRetentionMs: 0 }).start();
  return {
    store,
    clock,
    manager,
    async close() {
      await manager.stop();
      await store.close();
    },
  };
}

describe('days of the overview', () => {
  it('are UTC days, oldest first, ending today', () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59))).toBe('2026-01-01');
    expect(lastDays(3, Date.UTC(2026, 2, 1, 0, 30))).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('fill days without data with zeros and group stored end codes under their public reason', () => {
    const rows = overviewDays(['2026-06-01', '2026-06-02'], [
      { day: '2026-06-02', metric: 'ended:force-sign-out', value: 2 },
      { day: '2026-06-02', metric: 'ended:revoked-by-admin', value: 1 },
      { day: '2026-06-02', metric: 'ended:expired', value: 5 },
      { day: '2026-06-02', metric: 'active', value: 9 },
      { day: '2026-05-01', metric: 'signed-in', value: 100 }, // outside the range
    ]);
    expect(rows).toEqual([
      { day: '2026-06-01', signIns: 0, failedSignIns: 0, ended: {}, activeSessions: null, boundSessions: null },
      { day: '2026-06-02', signIns: 0, failedSignIns: 0, ended: { admin: 3, expired: 5 }, activeSessions: 9, boundSessions: null },
    ]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('daily rollups on %s', (kind) => {
  it('count sign-ins, failed sign-ins and ended sessions by reason on the day they happen, in their own transactions', async () => {
    const { manager, clock, close } = await open(kind);
    try {
      const a = await manager.createSession(signIn('usr_a'));
      const b = await manager.createSession(signIn('usr_a'));
      await manager.createSession(signIn('usr_b'));
      await manager.recordFailedSignIn({ userId: 'usr_a', identifier: 'a@example.com', ip: null });
      // Failures grouped into one audit event are each counted when they happen, the audited one with its event.
      for (let i = 0; i < 3; i++) await manager.countFailedSignIn();
      await manager.recordFailedSignIn({ userId: null, identifier: 'nobody@example.com', ip: null, attempts: 4 });
      await manager.signOut(a.session);
      clock.advance(DAY);
      await manager.forceSignOut(admin, 'usr_b', 'Laptop lost');
      await manager.revokeSession({ userId: 'usr_a', sessionId: b.session.id }, b.session.id, { allowCurrent: true });

      const overview = await manager.overview(admin, { days: 7 });
      expect(overview.days).toHaveLength(7);
      const [yesterday, today] = overview.days.slice(-2);
      expect(yesterday).toMatchObject({ day: '2026-06-01', signIns: 3, failedSignIns: 5, ended: { 'signed-out': 1 } });
      expect(today).toMatchObject({ day: '2026-06-02', signIns: 0, failedSignIns: 0, ended: { admin: 1, 'signed-out-elsewhere': 1 } });
    } finally {
      await close();
    }
  });

  it('count expired sessions the collector removes, and snapshot live and device-bound sessions after each pass', async () => {
    const { manager, clock, store, close } = await open(kind, 3600);
    try {
      const idle = await manager.createSession(signIn('usr_a'));
      const busy = await manager.createSession(signIn('usr_b'));
      await store.bindSessionKey(busy.session.id, { key: { alg: 'ES256', jwk: { kty: 'EC' } }, at: clock.now() });
      clock.advance(2 * HOUR); // both idle past the hour
      await store.touchSession(busy.session.id, { lastActiveAt: clock.now(), requests: 1, lastPath: null });
      await manager.collectGarbage({ batchSize: 1 });
      expect(await store.findSession(idle.session.id)).toBeNull();
      await manager.collectGarbage(); // a second pass adds nothing and sets the same snapshot

      const today = (await manager.overview(admin, { days: 7 })).days.at(-1)!;
      expect(today).toMatchObject({ signIns: 2, ended: { expired: 1 }, activeSessions: 1, boundSessions: 1 });
      expect((await store.listDailyStats(today.day, today.day)).filter((s) => s.metric === 'active')).toEqual([{ day: today.day, metric: 'active', value: 1 }]);
    } finally {
      await close();
    }
  });

  it('break live sessions down by place, device type and holder, for team managers only', async () => {
    const { manager, close } = await open(kind);
    try {
      await manager.createSession(signIn('usr_a'));
      await manager.createSession(signIn('usr_a'));
      await manager.createSession(signIn('usr_b'));
      const overview = await manager.overview(admin, { days: 30, top: 1 });
      expect(overview).toMatchObject({ activeSessions: 3, boundSessions: 0, holders: [{ userId: 'usr_a', count: 2 }] });
      expect(overview.days).toHaveLength(30);
      expect(overview.countries).toEqual([{ key: null, count: 3 }]);
      const refused = await manager.overview({ userId: 'usr_a' }, { days: 7 }).then(() => null, (e: unknown) => e);
      expect(isSeshatError(refused) && refused.code).toBe('forbidden');
      for (const bad of [{ days: 0 }, { days: 401 }, { days: 1.5 }, { days: 7, top: 0 }, { days: 7, top: 1000 }]) {
        const error = await manager.overview(admin, bad).then(() => null, (e: unknown) => e);
        expect(isSeshatError(error) && error.code, JSON.stringify(bad)).toBe('invalid_input');
      }
    } finally {
      await close();
    }
  });
});

describe('daily rollups on two PostgreSQL nodes', () => {
  it('lose no count and deadlock nowhere under parallel sign-ins and sign-outs on both', async () => {
    const stores = [new PostgresStore(db.url, { queryTimeoutMs: 20_000, statementTimeoutMs: 15_000 }), new PostgresStore(db.url, { queryTimeoutMs: 20_000, statementTimeoutMs: 15_000 })];
    await stores[0]!.migrate();
    await db.query('TRUNCATE sessions, audit_events, settings, daily_stats');
    const managers = await Promise.all(stores.map((store) => new SessionManager<StoreScope>({ store, defaults: defaultSettings({}), policy: roleBasedPolicy(['admin']) }).start()));
    try {
      const created = await Promise.all(Array.from({ length: 40 }, (_, i) => managers[i % 2]!.createSession(signIn(`usr_${i % 5}`))));
      await Promise.all(created.map((c, i) => (i % 4 === 0 ? managers[(i + 1) % 2]!.signOut(c.session) : managers[i % 2]!.recordFailedSignIn({ userId: null, identifier: 'x@example.com', ip: null }))));
      const today = (await managers[0]!.overview(admin, { days: 1 })).days[0]!;
      expect(today).toMatchObject({ signIns: 40, failedSignIns: 30, ended: { 'signed-out': 10 } });
    } finally {
      for (const m of managers) await m.stop();
      for (const s of stores) await s.close();
    }
  });
});
