/**
 * `npm run bench:scenarios [-- --quick] [-- --hot-path] [-- --db sqlite|postgres|all] [-- --write docs/benchmarks.md]`
 *
 * Starts the server (bench/server.ts) as its own process for each store, seeds it with SQL, and measures
 * with autocannon on 127.0.0.1. Server CPU per request comes from the server process's own
 * process.cpuUsage(), read before and after each run. See docs/benchmarks.md for the latest table.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '@seshat/server';
import { postgresSeeder, sqliteSeeder, type Seeder } from './seed.ts';
import { signBoundCookie } from '../packages/seshat/src/device-binding/signed-values.ts';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'hot-path': { type: 'boolean', default: false }, db: { type: 'string', default: 'all' }, write: { type: 'string' } },
});
const QUICK = args.quick!;
const DURATION = QUICK ? 3 : 8; // seconds per measured run
const WARMUP = QUICK ? 1 : 3;
const CONNECTIONS = 10;
const LIVE_SESSIONS = 10_000;
const PER_USER = 10;
const BULK = QUICK ? 100_000 : 1_000_000;
const REVOKE_SAMPLES = QUICK ? 10 : 30;
const CPU_GOAL_US = 25;
const ROUNDS = QUICK ? 1 : 3;
const CPU_RATE = 1500; // req/s for the CPU-per-request runs

function median<T extends { cpuUs: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.cpuUs - y.cpuUs)[Math.floor(runs.length / 2)]!;
}

interface Row {
  store: string;
  scenario: string;
  rps?: number;
  p50?: number;
  p99?: number;
  cpuUs?: number;
  note?: string;
}
const rows: Row[] = [];
const summary: string[] = [];
const log = (line: string) => process.stderr.write(line + '\n');

// ── the server process ───────────────────────────────────────────────────────────────────────────

interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(databaseUrl: string): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--conditions=seshat-source', 'bench/server.ts'], { env: { ...process.env, DATABASE_URL: databaseUrl, SESHAT_GC_INTERVAL_SECONDS: '0' /* the GC row runs it on purpose */ }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BENCH_READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}: ${out}`)));
  });
  return {
    url,
    child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

interface Stats {
  cpu: { user: number; system: number };
  touches: number;
  touchStatements: number;
  maxTouchesPerSession: number;
  validations: { hit: number; miss: number; rejected: number };
}
const stats = async (url: string, reset = false): Promise<Stats> => (await fetch(`${url}/bench/stats${reset ? '?reset' : ''}`)).json() as Promise<Stats>;
const cpuOf = (s: Stats) => s.cpu.user + s.cpu.system;

// ── measuring ────────────────────────────────────────────────────────────────────────────────────

interface Load {
  path: string;
  /** Random one per request (the realistic case: many sessions, not one hot one). */
  cookies?: string[];
  /** Cookie name (default the session cookie). The bare run sends the same tokens under another name, so
   * the load generator does the same work and the server parses the same bytes, minus the session. */
  cookieName?: string;
  duration: number;
  /** Requests per second across all connections; unset = as fast as the server answers. */
  rate?: number;
}

function cannon(url: string, load: Load): { instance: autocannon.Instance; done: Promise<autocannon.Result> } {
  const cookies = load.cookies;
  const name = load.cookieName ?? 'session_token';
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: url + load.path,
        connections: CONNECTIONS,
        duration: load.duration,
        ...(load.rate ? { overallRate: load.rate } : {}),
        ...(cookies
          ? { requests: [{ method: 'GET', path: load.path, setupRequest: (req: any) => ({ ...req, headers: { ...req.headers, cookie: `${name}=${cookies[(Math.random() * cookies.length) | 0]}` } }) }] }
          : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
  return { instance, done };
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  /** Achieved rate of the fixed-rate run (below CPU_RATE if the server could not keep up). */
  pacedRps: number;
  requests: number;
  non2xx: number;
  before: Stats;
  after: Stats;
}

/**
 * Two runs: one flat out, for throughput and latency; one at a fixed rate, for server CPU per request.
 * CPU per request depends on load (a busier server batches more work per wake-up), so comparing the bare
 * and authenticated routes flat out would charge the slower one for its lower rate; at the same fixed rate
 * the difference is the work the session adds.
 */
async function measure(url: string, load: Load, cpuRate = CPU_RATE): Promise<Measured> {
  await cannon(url, { ...load, duration: WARMUP }).done;
  const before = await stats(url);
  const result = await cannon(url, load).done;
  const middle = await stats(url);
  // BENCH_PROFILE_DIR=dir: a V8 CPU profile of the server during each fixed-rate run (<path>.cpuprofile).
  if (process.env.BENCH_PROFILE_DIR) await fetch(`${url}/bench/profile/start`, { method: 'POST' });
  const paced = await cannon(url, { ...load, rate: cpuRate }).done;
  if (process.env.BENCH_PROFILE_DIR) await fetch(`${url}/bench/profile/stop?name=${load.path.replace(/\W+/g, '_')}`, { method: 'POST' });
  const after = await stats(url);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs: (cpuOf(after) - cpuOf(middle)) / paced.requests.total,
    pacedRps: paced.requests.average,
    requests: result.requests.total + paced.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts + paced.non2xx + paced.errors + paced.timeouts,
    before,
    after,
  };
}

// ── one store ────────────────────────────────────────────────────────────────────────────────────

async function benchStore(store: string, databaseUrl: string, seeder: () => Promise<Seeder>, multiNode: boolean): Promise<void> {
  const migrating = await openStore(databaseUrl);
  await migrating.migrate();
  await migrating.close();
  const seed = await seeder();
  const a = await startServer(databaseUrl);
  const servers = [a];
  try {
    // Seeded just before the runs, with last activity spread over the past minute: the steady state of busy
    // sessions, without a backlog of overdue touches building up first.
    let started = performance.now();
    const tokens = await seed.liveSessions(LIVE_SESSIONS, PER_USER);
    log(`[${store}] seeded ${LIVE_SESSIONS} live sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Bare and authenticated runs alternate, and the median round counts: on a shared 2-core machine one run
    // can land on a busy moment.
    const bares: Measured[] = [];
    const auths: Measured[] = [];
    const first = await stats(a.url, true);
    const firstAt = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      bares.push(await measure(a.url, { path: '/api/bench/bare', cookies: tokens, cookieName: 'decoy', duration: DURATION }));
      auths.push(await measure(a.url, { path: '/api/bench/whoami', cookies: tokens, duration: DURATION }));
    }
    const bare = median(bares);
    const auth = median(auths);
    rows.push({ store, scenario: 'bare route (same cookie bytes under another name)', ...bare, note: ROUNDS > 1 ? `median of ${ROUNDS} runs (CPU µs/req: ${bares.map((m) => m.cpuUs.toFixed(1)).join(', ')})` : '' });
    const failed = auths.reduce((n, m) => n + m.non2xx, 0);
    if (failed > 0) throw new Error(`authenticated runs had ${failed} failed requests`);
    // Touch writes over the whole stretch the sessions were in use (warm-ups included), per session per
    // minute of wall-clock time, and the most any single session got.
    const last = await stats(a.url);
    const minutes = (performance.now() - firstAt) / 60_000;
    const touches = last.touches - first.touches;
    const statements = last.touchStatements - first.touchStatements;
    const writesPerSessionMinute = touches / LIVE_SESSIONS / minutes;
    const maxPerSession = last.maxTouchesPerSession;
    // Batched touches: at most one statement per touch interval (1 s by default) on this node.
    const allowed = Math.ceil(minutes * 60) + 1;
    const lookups = auths.reduce((n, m) => n + m.after.validations.miss - m.before.validations.miss, 0);
    const requests = auths.reduce((n, m) => n + m.requests, 0);
    rows.push({
      store,
      scenario: `authenticated route (${LIVE_SESSIONS.toLocaleString('en')} sessions, random cookie)`,
      ...auth,
      note: `${ROUNDS > 1 ? `median of ${ROUNDS} runs (CPU µs/req: ${auths.map((m) => m.cpuUs.toFixed(1)).join(', ')}); ` : ''}` +
        `${touches.toLocaleString('en')} touched rows in ${statements.toLocaleString('en')} batched statements in ${minutes.toFixed(1)} min, at most ${maxPerSession} for any one session; ${lookups.toLocaleString('en')} store reads (cache misses) in ${requests.toLocaleString('en')} requests`,
    });
    const extra = auth.cpuUs - bare.cpuUs;
    summary.push(
      `**${store}**: authenticated/bare throughput ratio ${(auth.rps / bare.rps).toFixed(2)}; authenticated costs ` +
        `**${extra.toFixed(1)} µs** of server CPU more than bare (goal < ${CPU_GOAL_US} µs: ${extra < CPU_GOAL_US ? 'met' : 'MISSED'}); ` +
        `**${statements}** batched touch statements in ${minutes.toFixed(1)} min (goal ≤ 1 per second: ${statements <= allowed ? 'met' : 'MISSED'}), ` +
        `${writesPerSessionMinute.toFixed(2)} rows per session per minute, at most ${maxPerSession} for any one session.`,
    );

    if (args['hot-path']) return; // --hot-path: only the bare/authenticated comparison (for profiling)

    rows.push(await deviceBoundRow(store, databaseUrl, a.url, tokens, auth));

    if (multiNode) {
      const b = await startServer(databaseUrl);
      servers.push(b);
      rows.push({ store, scenario: 'revoke → rejected on a second process', ...(await revokeDelay(a.url, b.url, tokens)) });
    } else {
      rows.push({ store, scenario: 'revoke → rejected on a second process', note: 'skipped: needs PostgreSQL (SQLite is one process per file)' });
    }

    started = performance.now();
    await seed.expiredSessions(BULK);
    log(`[${store}] seeded ${BULK.toLocaleString('en')} expired sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const lister = tokens[PER_USER]!; // usr_bench_1 has PER_USER live sessions
    const list = await measure(a.url, { path: '/api/sessions', cookies: [lister], duration: DURATION });
    rows.push({ store, scenario: `list a user's sessions (${(BULK + LIVE_SESSIONS).toLocaleString('en')} rows in table)`, ...list });

    // GC while the authenticated route is under load: how long, and what it does to validation latency.
    const during = cannon(a.url, { path: '/api/bench/whoami', cookies: tokens, duration: 3600 });
    await new Promise((r) => setTimeout(r, 500));
    const gc = (await (await fetch(`${a.url}/bench/gc`, { method: 'POST' })).json()) as { ms: number; deleted: number; scanned: number };
    during.instance.stop();
    const load = await during.done;
    rows.push({
      store,
      scenario: `GC of ${BULK.toLocaleString('en')} expired sessions, under load`,
      rps: load.requests.average,
      p50: load.latency.p50,
      p99: load.latency.p99,
      note: `GC took ${(gc.ms / 1000).toFixed(1)} s, deleted ${gc.deleted.toLocaleString('en')} of ${gc.scanned.toLocaleString('en')}; p50/p99 are validation latency while it ran (baseline p99 ${auth.p99} ms)`,
    });
  } finally {
    for (const s of servers) await s.stop();
    await seed.close();
  }
}

/**
 * The authenticated route again, with every seeded session bound to a device key (DBSC) and each request carrying
 * the session cookie and a valid bound cookie: the extra cost is the bound-cookie check on the hot path. The same
 * warm process as the authenticated row; its cache is flushed so no unbound copy from before the binding is used.
 */
async function deviceBoundRow(store: string, databaseUrl: string, url: string, tokens: string[], auth: Measured): Promise<Row> {
  const db = await openStore(databaseUrl);
  let cookies: string[];
  try {
    const key = { alg: 'ES256' as const, jwk: { kty: 'EC', crv: 'P-256', x: 'bench', y: 'bench' } };
    const at = Date.now();
    for (let i = 0; i < tokens.length; i += 100) {
      await Promise.all(tokens.slice(i, i + 100).map((t) => db.bindSessionKey(t.slice(0, 28), { key, at })));
    }
    const [secret] = await db.listBindingSecrets();
    if (!secret) throw new Error('no device-binding secret in the store');
    const signing = { id: secret.id, key: createSecretKey(secret.secret) };
    // The token, then the bound cookie: the runner sends `session_token=<this>`.
    cookies = tokens.map((t) => `${t}; session_token_bound=${signBoundCookie(signing, t.slice(0, 28), at + 3_600_000)}`);
  } finally {
    await db.close();
  }
  await fetch(`${url}/bench/flush`, { method: 'POST' });
  const m = await measure(url, { path: '/bench/whoami', cookies, duration: DURATION });
  if (m.non2xx > 0) throw new Error(`device-bound runs had ${m.non2xx} failed requests`);
  return {
    store,
    scenario: 'authenticated route, every session device-bound (DBSC bound cookie checked)',
    ...m,
    note: `${(m.cpuUs - auth.cpuUs).toFixed(1)} µs of server CPU per request more than the unbound authenticated route (one run)`,
  };
}

/** Process A revokes a session that process B has just validated (and cached); how long until B refuses it. */
async function revokeDelay(aUrl: string, bUrl: string, tokens: string[]): Promise<Omit<Row, 'store' | 'scenario'>> {
  const delays: number[] = [];
  for (let i = 0; i < REVOKE_SAMPLES; i++) {
    const user = 100 + i; // users 100.. are not used by other scenarios' assertions
    const actor = tokens[user * PER_USER]!;
    const victim = tokens[user * PER_USER + 1]!;
    const victimCookie = { cookie: `session_token=${victim}` };
    if ((await fetch(`${bUrl}/api/bench/whoami`, { headers: victimCookie })).status !== 200) throw new Error('victim not valid on B');
    const res = await fetch(`${aUrl}/api/sessions/${victim.split('.')[0]}`, { method: 'DELETE', headers: { cookie: `session_token=${actor}`, 'sec-fetch-site': 'same-origin' } });
    if (res.status !== 204) throw new Error(`revoke failed: ${res.status} ${await res.text()}`);
    const acknowledged = performance.now();
    for (;;) {
      if ((await fetch(`${bUrl}/api/bench/whoami`, { headers: victimCookie })).status === 401) break;
      if (performance.now() - acknowledged > 30_000) throw new Error('B never rejected the revoked session');
    }
    delays.push(performance.now() - acknowledged);
  }
  delays.sort((x, y) => x - y);
  const at = (q: number) => Number(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]!.toFixed(1));
  return { p50: at(0.5), p99: at(0.99), note: `${REVOKE_SAMPLES} samples; time from A's 204 to B's first 401 (ms), polling B back to back; max ${at(1)} ms` };
}

// ── PostgreSQL, when there is one ────────────────────────────────────────────────────────────────

async function postgresTarget(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const base = process.env.BENCH_POSTGRES_URL ?? (/^postgres/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : 'postgres://root@127.0.0.1:5432/test');
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (e) {
    return `PostgreSQL not reachable at ${base.replace(/:[^:@/]+@/, ':***@')} (${(e as Error).message})`;
  }
  try {
    await openStore('postgres://probe.invalid/x').then((s) => s.close());
  } catch (e) {
    await admin.end();
    return `this build has no PostgreSQL store (${(e as Error).message})`;
  }
  const name = `seshat_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '—' : n >= 1000 ? Math.round(n).toLocaleString('en') : n.toFixed(digits));

function table(): string {
  const lines = ['| Store | Scenario | req/s | p50 ms | p99 ms | server CPU µs/req | Notes |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of rows) lines.push(`| ${r.store} | ${r.scenario} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpuUs)} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} GiB free), Linux ${release()}, Node ${process.version}; ` +
    `load average ${loadavg()[0]!.toFixed(1)} at the end; autocannon on the same machine, ${CONNECTIONS} connections, ${DURATION} s per run after ${WARMUP} s warm-up, CPU per request measured in a separate ${DURATION}-s run at ${CPU_RATE} req/s${QUICK ? ' (--quick)' : ''}`;
}

const want = args.db!;
const dirs: string[] = [];
try {
  if (want === 'all' || want === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'seshat-bench-'));
    dirs.push(dir);
    const file = join(dir, 'bench.db');
    await benchStore('SQLite', `sqlite:${file}`, async () => sqliteSeeder(file), false);
  }
  if (want === 'all' || want === 'postgres') {
    const target = await postgresTarget();
    if (typeof target === 'string') {
      rows.push({ store: 'PostgreSQL', scenario: 'all', note: `skipped: ${target}` });
    } else {
      try {
        await benchStore('PostgreSQL', target.url, () => postgresSeeder(target.url), true);
      } finally {
        await target.drop();
      }
    }
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const report = `${table()}\n\n${summary.map((s) => `- ${s}`).join('\n')}\n\nMachine: ${machine()}. Run at ${new Date().toISOString()}.`;
console.log(report);
if (args.write) {
  const doc = readFileSync(args.write, 'utf8');
  const next = doc.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${report}\n<!-- bench:end -->`);
  writeFileSync(args.write, next);
  log(`updated ${args.write}`);
}
