/**
 * `npm run bench:10m [-- --sessions 10000000] [-- --users 1000000] [-- --gc-seconds 60] [-- --keep] [-- --write docs/benchmarks.md]`
 *
 * Seshat at scale on PostgreSQL (issue 11, goal 4). Creates a dedicated database, seeds it with COPY (constraints
 * and indexes dropped first and rebuilt after, as any bulk load does), then measures through the library:
 * - validation p50/p99 on cache misses (a manager without a cache, each sampled token validated once);
 * - one user's session list (`listOwnSessions`), the team list's first page and a deep page (keyset cursor in
 *   the middle of the list) with and without its total count (`listTeamSessions` answers both);
 * - GC throughput (rows scanned and deleted per second, keyset batches of 1000 as `collectGarbage` runs them)
 *   while validations run alongside, and their p99 against the quiet p99;
 * - table and index sizes, and the validation cache's memory per entry (heap growth over N cached sessions,
 *   measured with --expose-gc).
 * Row mix: 90% live (last active within 6 days), 5% revoked 120 days ago, 5% expired 190 days ago (both
 * collectable). Users own sessions round-robin, so each has sessions / users of them.
 */
import { randomBytes, createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SessionManager, newToken, roleBasedPolicy, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { expiryCutoffs } from '../packages/seshat/src/core/settings.ts';
import { encodeCursor } from '../packages/seshat/src/stores/cursor.ts';
import { liveSessionCondition } from '../packages/seshat/src/stores/sql.ts';
import { ADMIN_URL } from '../packages/seshat/test/helpers/postgres.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000000' },
    users: { type: 'string' },
    samples: { type: 'string', default: '2000' },
    'cache-entries': { type: 'string', default: '20000' },
    'gc-seconds': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    write: { type: 'string' },
  },
});
const SESSIONS = Number(args.sessions);
const USERS = Number(args.users ?? Math.max(1, Math.floor(SESSIONS / 10)));
const SAMPLES = Number(args.samples);
const CACHE_ENTRIES = Number(args['cache-entries']);
const GC_SECONDS = Number(args['gc-seconds']);
const DAY = 86_400_000;
const DEVICE = JSON.stringify({ browser: 'Firefox', browserVersion: '140', os: 'Linux', osVersion: null, deviceType: 'desktop', deviceModel: null, label: 'Firefox on Linux' });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with --expose-gc (npm run bench:10m does).');

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dbName = `seshat_10m_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${dbName}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${dbName}`;
// Deadlines far above production's (2 s): a listing that would be cut off in production is measured, and flagged.
const store = new PostgresStore(url.toString(), { maxConnections: 4, statementTimeoutMs: 600_000, queryTimeoutMs: 600_000 });
const PRODUCTION_DEADLINE_MS = new PostgresStore(url.toString()).timeouts.statementTimeoutMs;
const overDeadline = (times: number[]) => (Math.max(...times) > PRODUCTION_DEADLINE_MS ? ` — over the ${PRODUCTION_DEADLINE_MS} ms statement deadline: the API answers 503` : '');
const sql = new pg.Client({ connectionString: url.toString() });
const rows: [string, string][] = [];
const note = (label: string, value: string) => {
  rows.push([label, value]);
  console.log(`${label}: ${value}`);
};

try {
  await store.migrate();
  await sql.connect();

  // ── seed ────────────────────────────────────────────────────────────────────────────────────────
  const seedStart = performance.now();
  const constraints = (await sql.query<{ name: string; def: string }>(
    "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype IN ('p', 'u')",
  )).rows;
  const indexes = (await sql.query<{ name: string; def: string }>(
    "SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'sessions' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'sessions'::regclass)",
  )).rows;
  for (const c of constraints) await sql.query(`ALTER TABLE sessions DROP CONSTRAINT ${c.name}`);
  for (const i of indexes) await sql.query(`DROP INDEX ${i.name}`);

  const now = Date.now();
  const tokenEvery = Math.max(1, Math.floor((SESSIONS * 0.9) / Math.max(SAMPLES, CACHE_ENTRIES)));
  const tokens: string[] = [];
  const filler = createHash('sha256').update('not a real secret').digest('hex');
  let liveCount = 0;
  function* lines(): Generator<string> {
    let chunk = '';
    for (let i = 0; i < SESSIONS; i++) {
      const kind = i % 20;
      const user = `usr_${(i % USERS).toString(36).padStart(5, '0')}`;
      let id: string;
      let hash = filler;
      let created: number, last: number, revoked = '\\N', reason = '\\N';
      if (kind === 0) {
        id = 'ses_' + randomBytes(16).toString('base64url');
        created = now - 150 * DAY;
        last = now - 121 * DAY;
        revoked = String(now - 120 * DAY);
        reason = 'revoked';
      } else if (kind === 1) {
        id = 'ses_' + randomBytes(16).toString('base64url');
        created = now - 200 * DAY;
        last = now - 190 * DAY;
      } else {
        last = now - Math.floor(Math.random() * 6 * DAY);
        created = last - Math.floor(Math.random() * 20 * DAY);
        if (liveCount++ % tokenEvery === 0 && tokens.length < Math.max(SAMPLES, CACHE_ENTRIES)) {
          const t = newToken();
          id = t.id;
          hash = t.secretHash.toString('hex');
          tokens.push(t.token);
        } else id = 'ses_' + randomBytes(16).toString('base64url');
      }
      chunk += `${id}\t${user}\t\\\\x${hash}\t${id.slice(-8)}\tf\t${created}\t${last}\t${revoked}\t${reason}\t10.0.0.1\tMozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0\t${DEVICE}\t1\n`;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const copyClient = new pg.Client({ connectionString: url.toString() });
  await copyClient.connect();
  await pipeline(
    Readable.from(lines()),
    copyClient.query(copyFrom('COPY sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, revoked_at, revoked_reason, ip, user_agent, device, requests) FROM STDIN')),
  );
  await copyClient.end();
  const copied = performance.now();
  note('Seeded with COPY', `${SESSIONS.toLocaleString('en')} sessions of ${USERS.toLocaleString('en')} users in ${((copied - seedStart) / 1000).toFixed(0)} s (${Math.round(SESSIONS / ((copied - seedStart) / 1000)).toLocaleString('en')} rows/s)`);
  for (const c of constraints) await sql.query(`ALTER TABLE sessions ADD CONSTRAINT ${c.name} ${c.def}`);
  for (const i of indexes) await sql.query(i.def);
  await sql.query('VACUUM (ANALYZE) sessions');
  note('Indexes rebuilt, VACUUM ANALYZE', `${((performance.now() - copied) / 1000).toFixed(0)} s`);

  // ── sizes ───────────────────────────────────────────────────────────────────────────────────────
  const size = (await sql.query<{ heap: string; indexes: string; total: string }>(
    "SELECT pg_relation_size('sessions') AS heap, pg_indexes_size('sessions') AS indexes, pg_total_relation_size('sessions') AS total",
  )).rows[0]!;
  note('Table (heap, fillfactor 80)', `${mb(Number(size.heap))} (${(Number(size.heap) / SESSIONS).toFixed(0)} bytes/row)`);
  for (const r of (await sql.query<{ name: string; bytes: string }>("SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = 'sessions'::regclass")).rows)
    note(`Index ${r.name}`, mb(Number(r.bytes)));
  note('Total with TOAST and indexes', mb(Number(size.total)));

  // ── validation on cache misses ──────────────────────────────────────────────────────────────────
  const cold = await new SessionManager<StoreScope>({ store, cache: false }).start();
  const validate = async (list: string[]) => {
    const times: number[] = [];
    for (const token of list) {
      const t = performance.now();
      if (!(await cold.validate(token))) throw new Error('a seeded token was refused');
      times.push(performance.now() - t);
    }
    return times;
  };
  const sample = tokens.slice(0, SAMPLES);
  await validate(sample.slice(0, 100)); // connections, plans
  const quiet = await validate(sample);
  note('Validation, cache miss (quiet)', `p50 ${fmt(pct(quiet, 50))} ms, p99 ${fmt(pct(quiet, 99))} ms (${quiet.length} tokens)`);

  // ── listings ────────────────────────────────────────────────────────────────────────────────────
  const adminActor = { userId: 'usr_admin', role: 'admin' };
  const team = await new SessionManager<StoreScope>({ store, cache: false, policy: roleBasedPolicy(['admin']) }).start();
  const timeIt = async (runs: number, work: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await work();
      times.push(performance.now() - t);
    }
    return times;
  };
  const own = await timeIt(200, () => team.listOwnSessions({ userId: `usr_${Math.floor(Math.random() * USERS).toString(36).padStart(5, '0')}`, role: 'user' }));
  note(`One user's session list (${(SESSIONS / USERS).toFixed(0)} sessions each)`, `p50 ${fmt(pct(own, 50))} ms, p99 ${fmt(pct(own, 99))} ms`);
  const cutoffs = () => expiryCutoffs(team.settings, Date.now());
  // The team list's keyset is the minute of last activity, then id (migration 11): a cursor half-way down the list.
  const deepCursor = encodeCursor([Math.floor((now - 3 * DAY) / 60_000), 'ses_']);
  const first = await timeIt(3, () => store.listActiveSessions({ cutoffs: cutoffs(), limit: 50 }));
  note('Team list, first page of 50 (page only)', `p50 ${fmt(pct(first, 50))} ms, max ${fmt(Math.max(...first))} ms${overDeadline(first)}`);
  const deep = await timeIt(3, () => store.listActiveSessions({ cutoffs: cutoffs(), limit: 50, cursor: deepCursor }));
  note('Team list, deep page (cursor mid-list, page only)', `p50 ${fmt(pct(deep, 50))} ms, max ${fmt(Math.max(...deep))} ms${overDeadline(deep)}`);
  const withCount = await timeIt(2, () => team.listTeamSessions(adminActor, { limit: 50 }));
  note('Team list as the API answers it (page + total counted up to 10,000)', `p50 ${fmt(pct(withCount, 50))} ms, max ${fmt(Math.max(...withCount))} ms${overDeadline(withCount)}`);
  // The plans of the store's own statements (first and deep page), as EXPLAIN ANALYZE shows them.
  const explain = async (cursor: string | null) => {
    const values: unknown[] = [];
    const param = (v: unknown) => (values.push(v), `$${values.length}`);
    let text = `EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM sessions WHERE ${liveSessionCondition(cutoffs(), param, 'TRUE')}`;
    if (cursor) text += ` AND (last_active_minute, id) < (${param(Math.floor((now - 3 * DAY) / 60_000))}, ${param('ses_')})`;
    text += ` ORDER BY last_active_minute DESC, id DESC LIMIT ${param(51)}`;
    return (await sql.query<{ 'QUERY PLAN': string }>(text, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  console.log(`team list, first page:\n${await explain(null)}\nteam list, deep page:\n${await explain(deepCursor)}`);

  // ── GC throughput, validations alongside ───────────────────────────────────────────────────────
  let gcRunning = true;
  const during: number[] = [];
  const validator = (async () => {
    for (let i = 0; gcRunning; i++) {
      const t = performance.now();
      await cold.validate(sample[i % sample.length]!);
      during.push(performance.now() - t);
    }
  })();
  const gcStart = performance.now();
  let afterId: string | null = null;
  let scanned = 0;
  let deleted = 0;
  do {
    const keepFrom = Date.now() - cold.endedRetentionMs;
    const step = await store.collectExpiredSessions({ cutoffs: expiryCutoffs(cold.settings, keepFrom), endedBefore: keepFrom, afterId, limit: 1000 });
    scanned += step.scanned;
    deleted += step.deleted;
    afterId = step.lastId;
  } while (afterId !== null && performance.now() - gcStart < GC_SECONDS * 1000);
  const gcSeconds = (performance.now() - gcStart) / 1000;
  gcRunning = false;
  await validator;
  note(
    `GC, batches of 1000 (${afterId === null ? 'full pass' : `first ${GC_SECONDS} s`})`,
    `${Math.round(scanned / gcSeconds).toLocaleString('en')} rows scanned/s, ${Math.round(deleted / gcSeconds).toLocaleString('en')} deleted/s (${deleted.toLocaleString('en')} of ${scanned.toLocaleString('en')})`,
  );
  note('Validation, cache miss, during GC', `p50 ${fmt(pct(during, 50))} ms, p99 ${fmt(pct(during, 99))} ms (quiet p99 ${fmt(pct(quiet, 99))} ms)`);
  await cold.stop();
  await team.stop();

  // ── cache memory per entry ──────────────────────────────────────────────────────────────────────
  const cachedTokens = tokens.slice(0, CACHE_ENTRIES);
  const warm = await new SessionManager<StoreScope>({ store, cache: { max: CACHE_ENTRIES * 2, ttlMs: 600_000 } }).start();
  await warm.validate(cachedTokens[0]);
  await warm.flushActivity();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const token of cachedTokens) await warm.validate(token);
  await warm.flushActivity(); // touches written: what stays is the cache
  gc();
  const after = process.memoryUsage().heapUsed;
  note('Validation cache, heap per entry', `${Math.round((after - before) / cachedTokens.length)} bytes (${cachedTokens.length.toLocaleString('en')} entries; default max 10,000 → ~${mb(((after - before) / cachedTokens.length) * 10_000)})`);
  await warm.stop();
} finally {
  await sql.end().catch(() => {});
  await store.close();
  if (!args.keep) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  else console.log(`kept database ${dbName}`);
}

const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
const heading = `### ${SESSIONS.toLocaleString('en')} sessions on PostgreSQL`;
const table = [
  `${heading} (\`npm run bench:10m\`)`,
  '',
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores, load average ${load} (1/5/15 min) at the end; PostgreSQL on the same machine. ` +
    '90% live, 5% revoked and 5% expired long ago (collectable).',
  '',
  '| measurement | result |',
  '|---|---|',
  ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  '',
].join('\n');
console.log('\n' + table);
if (args.write) {
  const current = readFileSync(args.write, 'utf8');
  const start = current.indexOf(heading);
  const next = start < 0 ? -1 : current.indexOf('\n### ', start + heading.length);
  writeFileSync(args.write, start < 0 ? `${current.trimEnd()}\n\n${table}` : current.slice(0, start) + table + (next < 0 ? '' : current.slice(next + 1)));
}
