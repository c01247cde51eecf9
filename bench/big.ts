/**
 * `npm run bench:big [-- --sessions 10000000] [-- --users 1000000] [-- --write docs/benchmarks.md]`
 *
 * PostgreSQL at scale (issue #11, goal 4): seeds N sessions over M users (default 10 M / 1 M) in a fresh database,
 * generated inside PostgreSQL (`INSERT … SELECT … FROM generate_series`, in chunks: the same bulk path as COPY
 * without shipping the rows through the client), plus 10,000 sessions whose tokens are known, then measures:
 * validation on cache misses, a user's session list, the team list's first and a deep page (keyset cursor),
 * revoking a user's sessions, GC throughput and validation p99 while it runs, table and index size, and the
 * validation cache's memory per entry. Bounded: fixed sample counts; the database is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { expiryCutoffs, defaultSettings, SessionManager, ValidationCache, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { postgresSeeder } from './seed.ts';

const { values: args } = parseArgs({ options: { sessions: { type: 'string', default: '10000000' }, users: { type: 'string' }, write: { type: 'string' } } });
const N = Number(args.sessions);
const USERS = Number(args.users ?? Math.max(1, Math.round(N / 10)));
const SAMPLES = 2000;
const log = (line: string) => process.stderr.write(line + '\n');
const DEVICE = JSON.stringify({ browser: 'Firefox', browserVersion: '140', os: 'Linux', osVersion: null, deviceType: 'desktop', deviceModel: null, label: 'Firefox on Linux' });
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ms = (x: number) => x.toFixed(2);

async function timed(n: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run(i);
    out.push(performance.now() - t);
  }
  return out;
}

const base = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: base });
await admin.connect();
const name = `seshat_big_${randomBytes(4).toString('hex')}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const rows: [string, string][] = [];
const startedAt = new Date();
const loadBefore = loadavg();
try {
  // The product's timeouts (2 s per query) would cut the scans this measures short: the times are the point here.
  const store = new PostgresStore(url.toString(), { queryTimeoutMs: 120_000, statementTimeoutMs: 110_000 });
  await store.migrate();
  const db = new pg.Client({ connectionString: url.toString() });
  db.on('error', () => {}); // the DROP … WITH (FORCE) at the end cuts it
  await db.connect();

  // ── seeding ────────────────────────────────────────────────────────────────────────────────────
  let t = performance.now();
  const now = Date.now();
  const chunk = 500_000;
  // Most sessions live (last active within the idle timeout), 20% expired (for the GC row).
  for (let done = 0; done < N; done += chunk) {
    await db.query(
      `INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, requests)
       SELECT 'ses_' || substr(md5(i::text), 1, 24), 'usr_' || (i % $3::int), decode(md5(i::text), 'hex') || decode(md5((i + 1)::text), 'hex'), 'abcd1234', false,
              CASE WHEN i % 5 = 0 THEN $4::bigint - 200::bigint * 86400000 ELSE $4::bigint - 86400000::bigint END,
              CASE WHEN i % 5 = 0 THEN $4::bigint - 200::bigint * 86400000 ELSE $4::bigint - (i % 86400000)::bigint END,
              '127.0.0.1', 'seed', $5::jsonb, 1
       FROM generate_series($1::int, $1::int + $2::int - 1) AS i`,
      [done, Math.min(chunk, N - done), USERS, now, DEVICE],
    );
    log(`seeded ${(done + Math.min(chunk, N - done)).toLocaleString('en')} / ${N.toLocaleString('en')} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  const seeder = await postgresSeeder(url.toString());
  const tokens = await seeder.liveSessions(10_000, 10); // users usr_bench_0..999, 10 sessions each, tokens known
  await seeder.close();
  await db.query('VACUUM ANALYZE sessions');
  const seedSeconds = (performance.now() - t) / 1000;
  rows.push(['seed', `${N.toLocaleString('en')} sessions over ${USERS.toLocaleString('en')} users in ${seedSeconds.toFixed(0)} s (${Math.round(N / seedSeconds).toLocaleString('en')} rows/s, incl. VACUUM ANALYZE)`]);

  const { rows: size } = await db.query<{ table: string; indexes: string; total: string }>(
    "SELECT pg_size_pretty(pg_table_size('sessions')) AS table, pg_size_pretty(pg_indexes_size('sessions')) AS indexes, pg_size_pretty(pg_total_relation_size('sessions')) AS total",
  );
  rows.push(['table and index size', `table ${size[0]!.table}, indexes ${size[0]!.indexes}, total ${size[0]!.total}`]);

  const manager = await new SessionManager<StoreScope>({ store, cache: false }).start();
  const settings = defaultSettings();
  const cutoffs = () => expiryCutoffs(settings, Date.now());

  // ── reads ──────────────────────────────────────────────────────────────────────────────────────
  const miss = await timed(SAMPLES, (i) => manager.validate(tokens[(i * 7919) % tokens.length]!));
  rows.push(['validate() on a cache miss (one indexed read)', `p50 ${ms(q(miss, 0.5))} ms, p99 ${ms(q(miss, 0.99))} ms (${SAMPLES} samples)`]);
  const own = await timed(200, (i) => store.listActiveSessions({ cutoffs: cutoffs(), userId: `usr_bench_${i % 1000}` }));
  rows.push(["a user's session list (10 sessions)", `p50 ${ms(q(own, 0.5))} ms, p99 ${ms(q(own, 0.99))} ms`]);
  const busy = await timed(50, (i) => store.listActiveSessions({ cutoffs: cutoffs(), userId: `usr_${i + 1}` }));
  rows.push([`a seeded user's session list (${Math.round(N / USERS)} sessions)`, `p50 ${ms(q(busy, 0.5))} ms, p99 ${ms(q(busy, 0.99))} ms`]);
  const first = await timed(3, () => store.listActiveSessions({ cutoffs: cutoffs(), limit: 50 }));
  rows.push(['team list, first page (50)', `p50 ${ms(q(first, 0.5))} ms, max ${ms(Math.max(...first))} ms`]);
  // A deep page: the keyset cursor of a row about 80% down the list.
  // The team list's keyset: the minute of last activity, then id (migration 11).
  const { rows: deepRow } = await db.query<{ last_active_minute: string; id: string }>(
    'SELECT last_active_minute, id FROM sessions WHERE revoked_at IS NULL ORDER BY last_active_minute DESC, id DESC OFFSET $1 LIMIT 1',
    [Math.floor(N * 0.6)],
  );
  const deepCursor = Buffer.from(JSON.stringify([Number(deepRow[0]!.last_active_minute), deepRow[0]!.id])).toString('base64url');
  const deep = await timed(3, () => store.listActiveSessions({ cutoffs: cutoffs(), limit: 50, cursor: deepCursor }));
  rows.push(['team list, a deep page (keyset cursor 60% down)', `p50 ${ms(q(deep, 0.5))} ms, max ${ms(Math.max(...deep))} ms`]);
  const count = await timed(3, () => store.countActiveSessions(cutoffs()));
  rows.push(['count of active sessions (team list total)', `p50 ${ms(q(count, 0.5))} ms`]);

  // ── revoking ───────────────────────────────────────────────────────────────────────────────────
  const revoke = await timed(100, (i) => store.revokeUserSessions(`usr_${1000 + i}`, { at: Date.now(), reason: 'force-sign-out' }));
  rows.push([`revoke a user's sessions (${Math.round(N / USERS)} rows, by user index)`, `p50 ${ms(q(revoke, 0.5))} ms, p99 ${ms(q(revoke, 0.99))} ms`]);

  // ── GC under validation load ──────────────────────────────────────────────────────────────────
  const during: number[] = [];
  let running = true;
  const prober = (async () => {
    let i = 0;
    while (running) {
      const s = performance.now();
      await manager.validate(tokens[(i++ * 104729) % tokens.length]!);
      during.push(performance.now() - s);
    }
  })();
  t = performance.now();
  let deleted = 0;
  let afterId: string | null = null;
  const gcBudgetMs = 60_000;
  do {
    const step = await store.collectExpiredSessions({ cutoffs: cutoffs(), afterId, limit: 1000 });
    deleted += step.deleted;
    afterId = step.lastId;
  } while (afterId !== null && performance.now() - t < gcBudgetMs);
  const gcSeconds = (performance.now() - t) / 1000;
  running = false;
  await prober;
  rows.push([
    'GC (batches of 1,000)',
    `${Math.round(deleted / gcSeconds).toLocaleString('en')} rows deleted/s (${deleted.toLocaleString('en')} in ${gcSeconds.toFixed(0)} s${afterId !== null ? ', stopped at the 60-s budget' : ''}); validation (miss) meanwhile p50 ${ms(q(during, 0.5))} ms, p99 ${ms(q(during, 0.99))} ms vs ${ms(q(miss, 0.99))} ms without`,
  ]);

  // ── memory per cache entry ────────────────────────────────────────────────────────────────────
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    const cache = new ValidationCache({ max: 20_000, ttlMs: 60_000 });
    gc();
    const before = process.memoryUsage().heapUsed; // before the rows are read: the delta holds rows and entries
    for (const tok of tokens.slice(0, 10_000)) {
      const r = (await store.findSession(tok.split('.')[0]!))!;
      cache.fill(r.id, { record: r, verifiedSecret: tok.split('.')[1]! }, cache.ticket());
    }
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / 10_000;
    rows.push(['validation cache memory per entry', `${Math.round(perEntry).toLocaleString('en')} bytes (10,000 PostgreSQL rows cached, heap delta after GC; includes the row objects)`]);
    void cache.size;
  } else rows.push(['validation cache memory per entry', 'run with node --expose-gc to measure']);

  await manager.stop();
  await db.end();
  await store.close();
} catch (error) {
  log(`bench:big failed: ${(error as Error).stack}`);
  process.exitCode = 1;
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

const report = ['| Measurement | Result |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n') +
  `\n\nLoad average ${loadBefore.map((x) => x.toFixed(2)).join(' / ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end (2 cores shared). Run at ${startedAt.toISOString()}.`;
console.log(report);
if (args.write) {
  const doc = readFileSync(args.write, 'utf8');
  writeFileSync(args.write, doc.replace(/<!-- big:start -->[\s\S]*<!-- big:end -->/, `<!-- big:start -->\n${report}\n<!-- big:end -->`));
}
