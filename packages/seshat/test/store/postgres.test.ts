import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSeshatError } from '../../src/core/errors.ts';
import { postgresMigrations } from '../../src/stores/postgres/migrations.ts';
import { PostgresStore, TOUCH_SQL } from '../../src/stores/postgres/postgres-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { apiKeyRecord, invalidationContract, sessionRecord, storeContract } from 'seshat/testing';

// One fresh database for this file (others run tests on the same server); dropped at the end.
// If PostgreSQL is unreachable, beforeAll throws and every test here fails: never a silent skip.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

storeContract('postgres', async () => {
  const store = new PostgresStore(db.url);
  await store.migrate();
  await db.query('TRUNCATE sessions, users, settings, audit_events, api_keys, api_key_usage, device_binding_secrets, webhook_endpoints, webhook_messages, webhook_deliveries, webhook_lease, daily_stats, session_policies RESTART IDENTITY');
  return store;
});

// Two pools on one database: two nodes.
invalidationContract('postgres', async () => {
  const here = new PostgresStore(db.url);
  await here.migrate();
  await db.query('TRUNCATE sessions, users, settings, audit_events, api_keys, api_key_usage RESTART IDENTITY');
  return [here, new PostgresStore(db.url)];
});

describe('PostgreSQL specifics', () => {
  it('DATABASE_URL=postgres://… opens the PostgreSQL store', async () => {
    const store = new PostgresStore(db.url);
    try {
      expect(store.dialect).toBe('postgres');
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('keeps touches within a minute HOT: only the minute of last activity is indexed, and fillfactor leaves room on every page', async () => {
    const store = new PostgresStore(db.url);
    await store.migrate();
    try {
      const { rows: indexed } = await db.query<{ column: string }>(`
        SELECT DISTINCT a.attname AS column
          FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
         WHERE i.indrelid = 'sessions'::regclass
           AND (a.attnum = ANY (i.indkey) OR pg_get_expr(i.indpred, i.indrelid) LIKE '%' || a.attname || '%')`);
      const columns = indexed.map((r) => r.column);
      expect(columns).toContain('id');
      for (const touched of ['last_active_at', 'requests', 'last_path']) expect(columns).not.toContain(touched);
      const { rows: options } = await db.query<{ reloptions: string[] }>("SELECT reloptions FROM pg_class WHERE relname = 'sessions'");
      expect(options[0]!.reloptions).toContain('fillfactor=80');

      // The team list's index (migration 11) covers the generated minute of last_active_at, not the column.
      expect(columns).toContain('last_active_minute');

      // Fill several pages, then touch every tenth row with the store's own statement, within the minute of its
      // last activity: all of them must be heap-only updates (pg_stat_xact_* counts this transaction's updates
      // at once, no stats delay). A touch that enters a new minute changes an indexed value: not HOT, by design.
      await db.query('TRUNCATE sessions');
      const minuteStart = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
      const sessions = Array.from({ length: 300 }, () => sessionRecord({ lastActiveAt: minuteStart }));
      for (const s of sessions) await store.insertSession(s);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const updates = async () => {
        const { rows } = await client.query("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'sessions'");
        return { all: Number(rows[0].n_tup_upd), hot: Number(rows[0].n_tup_hot_upd) };
      };
      try {
        await client.query('BEGIN');
        const touched = sessions.filter((_, i) => i % 10 === 0);
        for (const s of touched) expect((await client.query(TOUCH_SQL, [minuteStart + 59_000, 1, '/x', s.id])).rowCount).toBe(1);
        expect(await updates()).toEqual({ all: touched.length, hot: touched.length });
        expect((await client.query(TOUCH_SQL, [minuteStart + 60_000, 1, '/x', sessions[1]!.id])).rowCount).toBe(1);
        expect(await updates()).toEqual({ all: touched.length + 1, hot: touched.length });
        await client.query('ROLLBACK');
      } finally {
        await client.end();
      }
    } finally {
      await store.close();
    }
  });

  it('migrates once when several nodes start together', async () => {
    const other = await createTestDatabase();
    const stores = [new PostgresStore(other.url), new PostgresStore(other.url), new PostgresStore(other.url)];
    try {
      const applied = await Promise.all(stores.map((s) => s.migrate()));
      const all = postgresMigrations.map((m) => m.version);
      expect(applied.flat().sort((a, b) => a - b)).toEqual(all);
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
      const { rows } = await other.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(all);
    } finally {
      for (const s of stores) await s.close();
      await other.drop();
    }
  });

  it('upgrades a version-1 database to migration 2 (API keys) in place and keeps its data', async () => {
    const other = await createTestDatabase();
    try {
      const first = new PostgresStore(other.url);
      expect(await first.migrate()).toEqual(postgresMigrations.map((m) => m.version)); // every version, whichever were added since
      await first.close();
      // Roll the database back to what a version-1 release left behind.
      await other.query("DROP TABLE api_key_usage; DROP TABLE api_keys; DELETE FROM schema_migrations WHERE version = 2; INSERT INTO settings (key, value) VALUES ('sessions', '{}')");
      const upgraded = new PostgresStore(other.url);
      try {
        expect(await upgraded.migrate()).toEqual([2]);
        expect(await upgraded.migrate()).toEqual([]);
        expect(await upgraded.loadSettings()).toEqual({});
        await upgraded.insertApiKey(apiKeyRecord());
        expect(await upgraded.listApiKeys('usr_a', 0)).toHaveLength(1);
      } finally {
        await upgraded.close();
      }
    } finally {
      await other.drop();
    }
  });

  it('migration 3 keeps the address sessions signed in from as their sign-in address', async () => {
    const other = await createTestDatabase();
    try {
      const first = new PostgresStore(other.url);
      await first.migrate();
      await first.close();
      await other.query(`ALTER TABLE sessions DROP COLUMN revoked_note, DROP COLUMN sign_in_ip, DROP COLUMN sign_in_location;
        DELETE FROM schema_migrations WHERE version = 3`);
      await other.query(`INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, device, location)
        VALUES ('ses_old', 'usr_a', '\\x00', 'abcdefgh', false, 1, 1, '198.51.100.4', '{}', '{"city":"Lyon"}')`);
      const upgraded = new PostgresStore(other.url);
      try {
        expect(await upgraded.migrate()).toEqual([3]);
        expect(await upgraded.findSession('ses_old')).toMatchObject({ ip: '198.51.100.4', signInIp: '198.51.100.4', signInLocation: { city: 'Lyon' }, revokedNote: null });
      } finally {
        await upgraded.close();
      }
    } finally {
      await other.drop();
    }
  });

  it('reports an unreachable database as unavailable (503), not as a missing session', async () => {
    const store = new PostgresStore('postgres://root@127.0.0.1:1/nothing', { connectionTimeoutMs: 2000 });
    try {
      for (const attempt of [store.findSession('ses_x'), store.ping(), store.migrate()]) {
        const error = await attempt.then(() => null, (e: unknown) => e);
        expect(isSeshatError(error) && error.code === 'unavailable').toBe(true);
      }
    } finally {
      await store.close();
    }
  });

  it('a duplicate e-mail is a conflict (two nodes creating the same account)', async () => {
    const store = new PostgresStore(db.url);
    await store.migrate();
    try {
      const base = { name: 'x', role: 'user' as const, passwordHash: 'h', createdAt: 1, disabledAt: null, passwordChangeRequired: false };
      await store.insertUser({ ...base, id: 'usr_dup1', email: 'same@example.com' });
      const error = await store.insertUser({ ...base, id: 'usr_dup2', email: 'Same@example.com' }).then(() => null, (e: unknown) => e);
      expect(isSeshatError(error) && error.code === 'conflict').toBe(true);
    } finally {
      await store.close();
    }
  });
});
