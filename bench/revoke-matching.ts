/**
 * Revoke-matching at scale: 100,000 matching live sessions (plus 100,000 that do not match) are ended by one
 * `SessionManager.revokeMatching` call — one transaction, one audit event — on SQLite and on PostgreSQL.
 *
 *   node --conditions=seshat-source bench/revoke-matching.ts [--count 100000] [--db sqlite|postgres|all] [--webhook]
 *
 * `--webhook` registers one endpoint for `session.ended` first (its URL is never called: no dispatcher runs), so
 * the transaction also writes one outbox message and delivery per ended session, as a deployment with webhooks does.
 *
 * PostgreSQL: BENCH_POSTGRES_URL, else postgres://root@127.0.0.1:5432/test; a fresh seshat_bench_rm_<random>
 * database is created and dropped. Goal (issue #13): under 2 s per store, the dry run included separately.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { SessionManager, Webhooks, type Store, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { SqliteStore } from 'seshat/sqlite';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, db: { type: 'string', default: 'all' }, webhook: { type: 'boolean', default: false } } });
const COUNT = Number(values.count);
const DEVICE = JSON.stringify({ browser: 'Firefox', browserVersion: '140', os: 'Linux', osVersion: null, deviceType: 'desktop', deviceModel: null, label: 'Firefox on Linux' });
const location = (cc: string) => JSON.stringify({ city: null, region: null, country: null, countryCode: cc });
const now = Date.now();
const OLD = now - 10 * 86_400_000; // matching: signed in ten days ago
const CUTOFF = now - 5 * 86_400_000;

interface Row { store: string; matched: number; dryRunMs: number; revoked: number; revokeMs: number; cpuMs: number; auditEvents: number; webhookMessages: number }

/** CPU time (ms) the PostgreSQL backends of `database` have used so far, from /proc (PostgreSQL on this machine). */
async function backendCpuMs(client: pg.Client | null, database: string): Promise<number> {
  if (!client) return 0;
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  let ns = 0;
  for (const { pid } of rows) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a backend that ended meanwhile
    }
  }
  return ns / 1e6;
}

async function measure(name: string, store: Store, observer: { client: pg.Client; database: string } | null = null): Promise<Row> {
  const manager = await new SessionManager<StoreScope>({ store }).start();
  if (values.webhook) {
    await new Webhooks({ store, outbox: manager.outbox, audit: manager.audit, policy: manager.policy }).createEndpoint(null, { url: 'https://receiver.invalid/hook', events: ['session.ended'] });
  }
  const filter = { countryCodes: ['DE'], createdBefore: CUTOFF };
  let started = performance.now();
  const preview = await manager.revokeMatching(null, filter, { reason: 'bench', dryRun: true });
  const dryRunMs = performance.now() - started;
  const cpu = process.cpuUsage();
  const dbCpu = await backendCpuMs(observer?.client ?? null, observer?.database ?? '');
  started = performance.now();
  const { revoked } = await manager.revokeMatching(null, filter, { reason: 'bench' });
  const revokeMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // CPU actually used: this process (all of SQLite's work; the driver's for PostgreSQL) plus PostgreSQL's backends.
  const cpuMs = (used.user + used.system) / 1000 + (await backendCpuMs(observer?.client ?? null, observer?.database ?? '')) - dbCpu;
  const webhookMessages = (await store.listWebhookDeliveries({ limit: 1 })).items.length > 0 ? await countMessages(store) : 0;
  const auditEvents = (await store.listAudit({ action: 'sessions.revoked-matching' })).items.length;
  const left = await store.findMatchingSessions({ countryCodes: ['DE'] }, { createdBefore: 0, rememberedCreatedBefore: null, idleBefore: null });
  if (revoked !== COUNT || preview.matched !== COUNT || auditEvents !== 1 || left.length !== 0) throw new Error(`${name}: wrong outcome (matched ${preview.matched}, revoked ${revoked}, events ${auditEvents})`);
  await manager.stop();
  if (values.webhook && webhookMessages !== COUNT) throw new Error(`${name}: ${webhookMessages} session.ended messages for ${COUNT} sessions`);
  return { store: name, matched: preview.matched, dryRunMs, revoked, revokeMs, cpuMs, auditEvents, webhookMessages };
}

/** Outbox messages written: read page by page (the delivery log is the store's public view of the outbox). */
async function countMessages(store: Store): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page = await store.listWebhookDeliveries({ limit: 1000, cursor });
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

async function sqlite(): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-bench-rm-'));
  const file = join(dir, 'bench.db');
  try {
    const store = new SqliteStore(file);
    await store.migrate();
    const db = new DatabaseSync(file);
    db.exec('BEGIN IMMEDIATE');
    const insert = db.prepare(`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?)
      INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, location, requests)
      SELECT 'ses_' || lower(hex(randomblob(12))), 'usr_bench_' || (i % 20000), randomblob(32), 'abcd1234', 0, ?, ?, '203.0.113.9', 'bench', ?, ?, 1 FROM k`);
    insert.run(COUNT, OLD, now - 60_000, DEVICE, location('DE'));
    insert.run(COUNT, OLD, now - 60_000, DEVICE, location('FR'));
    db.exec('COMMIT');
    db.close();
    const row = await measure('SQLite', store);
    await store.close();
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<Row> {
  const base = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const name = `seshat_bench_rm_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    const store = new PostgresStore(url.toString());
    await store.migrate();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    for (const cc of ['DE', 'FR']) {
      await client.query(
        `INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, ip, user_agent, device, location, requests)
         SELECT 'ses_' || substr(md5(i::text || random()::text), 1, 24), 'usr_bench_' || (i % 20000), decode(md5(i::text), 'hex') || decode(md5(random()::text), 'hex'),
                'abcd1234', false, $2, $3, '203.0.113.9', 'bench', $4::jsonb, $5::jsonb, 1
         FROM generate_series(1, $1::int) AS i`,
        [COUNT, OLD, now - 60_000, DEVICE, location(cc)],
      );
    }
    await client.query('ANALYZE sessions');
    const row = await measure('PostgreSQL', store, { client, database: name });
    await client.end();
    await store.close();
    return row;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const rows: Row[] = [];
if (values.db !== 'postgres') rows.push(await sqlite());
if (values.db !== 'sqlite') rows.push(await postgres());
const ms = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });
console.log(`| Store | Live sessions | Matching | Dry run (count + sample) ms | Revoke-matching ms (one transaction) | CPU used ms (process + PostgreSQL) | Audit events | session.ended outbox messages |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.store} | ${(2 * COUNT).toLocaleString('en')} | ${r.matched.toLocaleString('en')} | ${ms(r.dryRunMs)} | ${ms(r.revokeMs)} | ${ms(r.cpuMs)} | ${r.auditEvents} | ${r.webhookMessages.toLocaleString('en')} |`);
console.log(`\n${new Date().toISOString()}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`);
