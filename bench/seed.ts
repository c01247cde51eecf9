/**
 * Fills a benchmark database directly with SQL (bulk inserts in a few transactions), far faster than going
 * through sign-ins: 10,000 scrypt logins would take minutes and measure scrypt, not sessions.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { newToken, type SessionRecord } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { RedisStore } from 'seshat/redis';

const DEVICE = JSON.stringify({ browser: 'Firefox', browserVersion: '140', os: 'Linux', osVersion: null, deviceType: 'desktop', deviceModel: null, label: 'Firefox on Linux' });
const DAY = 86_400_000;

export interface Seeder {
  /** `count` live sessions spread over `count / perUser` users (`usr_bench_<n>`); returns their raw tokens in user order. */
  liveSessions(count: number, perUser: number): Promise<string[]>;
  /** `count` sessions past every lifetime, for other users: what a garbage collector finds after months. */
  expiredSessions(count: number): Promise<void>;
  close(): Promise<void>;
}

interface LiveRow {
  id: string;
  userId: string;
  secretHash: Buffer;
  hint: string;
  createdAt: number;
  lastActiveAt: number;
}

function liveRows(count: number, perUser: number): { rows: LiveRow[]; tokens: string[] } {
  const now = Date.now();
  const rows: LiveRow[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id, token, secretHash, hint } = newToken();
    tokens.push(token);
    // Last activity spread over the past touch interval: the steady state of sessions in use, so the run
    // sees touches at the rate production would (each session due for one write somewhere in the next minute).
    rows.push({ id, userId: `usr_bench_${Math.floor(i / perUser)}`, secretHash, hint, createdAt: now - 3_600_000, lastActiveAt: now - Math.floor(Math.random() * 60_000) });
  }
  return { rows, tokens };
}

export function sqliteSeeder(file: string): Seeder {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 10000');
  const inTransaction = (work: () => void) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      work();
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };
  return {
    async liveSessions(count, perUser) {
      const { rows, tokens } = liveRows(count, perUser);
      // last_active_minute: the team list's key on SQLite (migration 11), which a raw insert must fill itself.
      const insert = db.prepare(`INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, requests, last_active_minute)
        VALUES (?, ?, ?, ?, 0, ?, ?, '127.0.0.1', 'autocannon', ?, 1, CAST(?6 / 60000 AS INTEGER))`);
      inTransaction(() => {
        for (const r of rows) insert.run(r.id, r.userId, r.secretHash, r.hint, r.createdAt, r.lastActiveAt, DEVICE);
      });
      return tokens;
    },
    async expiredSessions(count) {
      const old = Date.now() - 200 * DAY;
      const chunk = 100_000;
      for (let done = 0; done < count; done += chunk) {
        const n = Math.min(chunk, count - done);
        inTransaction(() => {
          db.prepare(`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?)
            INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, requests, last_active_minute)
            SELECT 'ses_' || lower(hex(randomblob(12))), 'usr_bulk_' || ((i + ?) % 50000), randomblob(32), 'abcd1234', 0, ?, ?, '127.0.0.1', 'bulk', ?, 1, ? FROM k`)
            .run(n, done, old, old + 60_000, DEVICE, Math.floor((old + 60_000) / 60_000));
        });
      }
    },
    async close() {
      db.close();
    },
  };
}

export async function postgresSeeder(url: string): Promise<Seeder> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async liveSessions(count, perUser) {
      const { rows, tokens } = liveRows(count, perUser);
      await client.query('BEGIN');
      for (let i = 0; i < rows.length; i += 5000) {
        const part = rows.slice(i, i + 5000);
        await client.query(
          `INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, requests)
           SELECT id, user_id, secret_hash, hint, false, created_at, last_active_at, '127.0.0.1', 'autocannon', $7::jsonb, 1
           FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::bigint[], $6::bigint[]) AS t(id, user_id, secret_hash, hint, created_at, last_active_at)`,
          [part.map((r) => r.id), part.map((r) => r.userId), part.map((r) => r.secretHash), part.map((r) => r.hint), part.map((r) => r.createdAt), part.map((r) => r.lastActiveAt), DEVICE],
        );
      }
      await client.query('COMMIT');
      return tokens;
    },
    async expiredSessions(count) {
      const old = Date.now() - 200 * DAY;
      const chunk = 250_000;
      for (let done = 0; done < count; done += chunk) {
        await client.query(
          `INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, requests)
           SELECT 'ses_' || substr(md5(i::text || random()::text), 1, 24), 'usr_bulk_' || (i % 50000), decode(md5(i::text), 'hex') || decode(md5(random()::text), 'hex'),
                  'abcd1234', false, $2, $3, '127.0.0.1', 'bulk', $4::jsonb, 1
           FROM generate_series($1::int, $1::int + $5::int - 1) AS i`,
          [done, old, old + 60_000, DEVICE, Math.min(chunk, count - done)],
        );
      }
      await client.query('ANALYZE sessions');
    },
    async close() {
      await client.end();
    },
  };
}

/** The Redis session tier: sessions written through the store itself (its Lua insert), 200 at a time. */
export async function redisSeeder(postgresUrl: string, redisUrl: string, prefix: string): Promise<Seeder> {
  const store = new RedisStore({ url: redisUrl, postgres: new PostgresStore(postgresUrl), prefix });
  const record = (r: LiveRow): SessionRecord => ({
    id: r.id, userId: r.userId, secretHash: r.secretHash, tokenHint: r.hint, persistent: false, createdAt: r.createdAt, lastActiveAt: r.lastActiveAt,
    revokedAt: null, revokedReason: null, revokedNote: null, ip: '127.0.0.1', signInIp: '127.0.0.1', userAgent: 'autocannon', device: JSON.parse(DEVICE),
    location: null, signInLocation: null, risk: null, requests: 1, lastPath: null, reauthenticatedAt: null, passwordChangeRequired: false, deviceKey: null, boundSince: null,
  });
  const insert = async (rows: LiveRow[]) => {
    for (let i = 0; i < rows.length; i += 200) await Promise.all(rows.slice(i, i + 200).map((r) => store.insertSession(record(r))));
  };
  return {
    async liveSessions(count, perUser) {
      const { rows, tokens } = liveRows(count, perUser);
      await insert(rows);
      return tokens;
    },
    async expiredSessions(count) {
      const old = Date.now() - 200 * DAY;
      const { rows } = liveRows(count, 1);
      await insert(rows.map((r, i) => ({ ...r, userId: `usr_bulk_${i % 50000}`, createdAt: old, lastActiveAt: old + 60_000 })));
    },
    async close() {
      await store.close();
    },
  };
}
