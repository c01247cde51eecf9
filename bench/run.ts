/**
 * `npm run bench [-- --quick] [-- --db sqlite|postgres|redis|all] [-- --framework http|express|fastify|hono] [-- --no-cache] [-- --write docs/benchmarks.md]`
 *
 * Every figure as a ratio measured in one run. For each store, one target process per framework
 * (bench/targets.ts) serves a bare route and the same route with one thing added — Seshat's validate(),
 * the hand-written reference (bench/reference.ts), each adapter, express-session, the Fastify adapter with every
 * session device-bound (bench/bind.ts; its row also shows its cost over the unbound adapter) — and each added cost is
 * the server CPU per request over that process's bare route, measured in the same round. Rounds alternate
 * the routes; the median round counts and the spread of the rounds is the noise. Two loads per route:
 * flat out (closed loop, CONNECTIONS connections: throughput, p50/p99 and the CPU figure the goals are
 * checked on) and a fixed rate (CPU per request at equal load, latency without coordinated omission).
 * PostgreSQL's own CPU comes from /proc/<pid>/schedstat of the backends serving the target; with the Redis session
 * tier (`--db redis`: sessions in Redis at BENCH_REDIS_URL, the rest in PostgreSQL), from redis-server's, which
 * counts every client of that Redis (on a shared machine, not only this run).
 *
 * Exits 1 when a goal row misses its target by more than the noise measured for it (see GOALS).
 * Other scenarios (revocation across processes, listing, GC under load): `npm run bench:scenarios`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultCacheTtlMs, openStore, SessionManager, type OpenStoreOptions } from 'seshat';
import { createClient } from '@redis/client';
import { referenceValidator } from './reference.ts';
import { BOUND_COOKIE, bindSessions } from './bind.ts';
import { runLoad, type LoadResult } from './load.ts';
import { postgresSeeder, redisSeeder, sqliteSeeder, type Seeder } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    db: { type: 'string', default: 'all' },
    // One framework only, and the validation cache off: every request reads the store (comparing stores, not caches).
    framework: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    write: { type: 'string' },
  },
});
const QUICK = args.quick!;
const ROUNDS = QUICK ? 3 : 5;
const FLAT_MS = QUICK ? 1500 : 4000;
const PACED_MS = QUICK ? 1500 : 4000;
const WARMUP_MS = QUICK ? 1500 : 3000;
const CONNECTIONS = 50;
const RATE = 2000;
const SESSIONS = 10_000;
const PER_USER = 10;
const TTL = args['no-cache'] ? ({ SQLite: 0, PostgreSQL: 0, Redis: 0 } as const) : ({ SQLite: defaultCacheTtlMs(true), PostgreSQL: defaultCacheTtlMs(true), Redis: defaultCacheTtlMs(true) } as const); // the default of a store with an invalidation channel, as the server runs every store

/** Goal rows (issue #11): extra server CPU µs per request over the bare route of the same framework. */
const GOALS: Record<string, number> = args['no-cache'] ? {} : { '/validate': 6, '/seshat': 10 }; // they are about the cached path

const log = (line: string) => process.stderr.write(line + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ── the target process ───────────────────────────────────────────────────────────────────────────

interface Target {
  child: ChildProcess;
  port: number;
  routes: string[];
  expressSessionCookies?: string[];
  /** CPU microseconds used so far, and the validation cache's misses so far. */
  cpu(): Promise<{ cpuUs: number; misses: number }>;
  stop(): Promise<void>;
}

async function startTarget(env: Record<string, string>): Promise<Target> {
  const profile = [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : []), ...(process.env.BENCH_TARGET_ARGS?.split(' ').filter(Boolean) ?? [])]; // CPU profiles of the targets, for looking into a row
  const child = fork('bench/targets.ts', { execArgv: ['--conditions=seshat-source', ...profile], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ port: number; routes: string[]; expressSessionCookies?: string[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`bench target ${env.BENCH_FRAMEWORK} exited with ${code}`)));
  });
  return {
    child,
    ...ready,
    cpu: () => new Promise((resolve) => {
      child.once('message', (m) => {
        const { cpu, validations } = m as { cpu: { user: number; system: number }; validations: { miss: number } };
        resolve({ cpuUs: cpu.user + cpu.system, misses: validations.miss });
      });
      child.send('cpu');
    }),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send('stop');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

// ── PostgreSQL's own CPU ─────────────────────────────────────────────────────────────────────────

/** CPU nanoseconds used so far by each backend connected to `database` (from /proc/<pid>/schedstat). */
async function backendCpu(admin: pg.Client | null, database: string | null): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!admin || !database) return out;
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  for (const { pid } of rows) {
    try {
      out.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // Not on this machine (a remote server) or gone: no figure for it.
    }
  }
  return out;
}
const cpuDelta = (before: Map<number, number>, after: Map<number, number>) => {
  let ns = 0;
  for (const [pid, t] of after) ns += t - (before.get(pid) ?? t); // a backend born mid-run is not charged its start-up
  return ns / 1000;
};

// ── one measurement ──────────────────────────────────────────────────────────────────────────────

interface Sample {
  flat: LoadResult;
  flatCpuUs: number;
  /** Validation-cache misses during the flat-out run (store reads on the request path). */
  flatMisses: number;
  paced: LoadResult;
  pacedCpuUs: number;
  dbUs: number | null;
}

/** How to read the database server's own CPU per process (null: not measured, SQLite is in the target's process). */
interface Db {
  cpu: (() => Promise<Map<number, number>>) | null;
}

/** redis-server's CPU nanoseconds so far (/proc/<pid>/schedstat), by its process id from INFO. */
async function redisCpu(url: string): Promise<Map<number, number>> {
  const client = createClient({ url });
  await client.connect();
  try {
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    const out = new Map<number, number>();
    try {
      out.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // Redis on another machine: no figure.
    }
    return out;
  } finally {
    client.destroy();
  }
}

/** One flat-out run of a route: CPU per request, cache misses and the database's CPU. */
async function flatSample(target: Target, path: string, cookies: string[], db: Db): Promise<Pick<Sample, 'flat' | 'flatCpuUs' | 'flatMisses' | 'dbUs'>> {
  const c0 = await target.cpu();
  const d0 = (await db.cpu?.()) ?? new Map<number, number>();
  const flat = await runLoad({ port: target.port, path, cookies, connections: CONNECTIONS, durationMs: FLAT_MS });
  const c1 = await target.cpu();
  const d1 = (await db.cpu?.()) ?? new Map<number, number>();
  if (flat.failed > 0) throw new Error(`${path}: ${flat.failed} failed requests`);
  return { flat, flatCpuUs: (c1.cpuUs - c0.cpuUs) / flat.requests, flatMisses: c1.misses - c0.misses, dbUs: db.cpu ? cpuDelta(d0, d1) / flat.requests : null };
}

/** One run of a route at the fixed rate. */
async function pacedSample(target: Target, path: string, cookies: string[]): Promise<Pick<Sample, 'paced' | 'pacedCpuUs'>> {
  const c0 = await target.cpu();
  const paced = await runLoad({ port: target.port, path, cookies, connections: CONNECTIONS, durationMs: PACED_MS, rate: RATE });
  const c1 = await target.cpu();
  if (paced.failed > 0) throw new Error(`${path}: ${paced.failed} failed requests`);
  return { paced, pacedCpuUs: (c1.cpuUs - c0.cpuUs) / paced.requests };
}

// ── rows ─────────────────────────────────────────────────────────────────────────────────────────

interface Row {
  store: string;
  framework: string;
  route: string;
  ttl: string;
  samples: Sample[];
  /** Per round: flat-out CPU µs over the bare route of the same round. */
  extras: number[];
  pacedExtras: number[];
  /** Per round, where the row compares with another route of the same round (device binding vs unbound). */
  over?: { label: string; extras: number[] };
}
const rows: Row[] = [];

const LABEL: Record<string, string> = {
  '/bare': 'bare route',
  '/validate': 'validate() (cookie → manager.validate)',
  '/reference': 'hand-written reference (SHA-256 + SQLite read)',
  '/seshat': 'Seshat adapter',
  '/seshat-bound': 'Seshat adapter, every session device-bound (bound cookie checked)',
  '/express-session': 'express-session (MemoryStore)',
};

/**
 * `bound`: each token's bound cookie (bench/bind.ts), sent with it on /seshat-bound; the same sessions, unbound
 * routes ignore the binding.
 */
async function benchFramework(store: string, databaseUrl: string, framework: string, tokens: string[], db: Db, extra: Record<string, string>, bound?: string[]): Promise<void> {
  Object.assign(extra, storeEnv);
  const target = await startTarget({ DATABASE_URL: databaseUrl, BENCH_FRAMEWORK: framework, BENCH_CACHE_TTL_MS: String(TTL[store as keyof typeof TTL]), ...extra });
  try {
    const cookiesFor = (route: string) =>
      route === '/bare'
        ? tokens.map((t) => `decoy=${t}`)
        : route === '/express-session'
          ? target.expressSessionCookies!
          : route === '/seshat-bound'
            ? tokens.map((t, i) => `session_token=${t}; ${BOUND_COOKIE}=${bound![i]}`)
            : tokens.map((t) => `session_token=${t}`);
    const samples = new Map<string, Sample[]>(target.routes.map((r) => [r, []]));
    await new Promise((resolve) => {
      target.child.once('message', resolve);
      target.child.send({ warm: tokens });
    });
    for (const route of target.routes) await runLoad({ port: target.port, path: route, cookies: cookiesFor(route), connections: CONNECTIONS, durationMs: WARMUP_MS });
    // The flat-out rounds first, then the paced ones: between two flat-out runs of a route its sessions rest at most
    // (routes − 1) × FLAT_MS (8 s), as they never do on a busy site. With the paced runs in between they rested
    // 16 s, longer than the cache's refresh-ahead window (10 s): the warm-up's entries, all cached in the same second,
    // then came due unseen and missed together in one round (~3,000 misses, +10–30 µs per request there).
    const orderOf = (round: number) => (round % 2 === 0 ? target.routes : [...target.routes].reverse()); // no route always after the same neighbour
    const flats = new Map<string, Awaited<ReturnType<typeof flatSample>>[]>(target.routes.map((r) => [r, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of orderOf(round)) flats.get(route)!.push(await flatSample(target, route, cookiesFor(route), db));
      log(`[${store}/${framework}] flat-out round ${round + 1}/${ROUNDS}: ` + target.routes.map((r) => {
        const last = flats.get(r)!.at(-1)!;
        // Misses show which rounds carried store reads (entries coming due together, a flush).
        return `${r} ${last.flatCpuUs.toFixed(1)} µs${last.flatMisses > 0 ? ` (${last.flatMisses.toLocaleString('en')} misses)` : ''}`;
      }).join(', ') + ` (load ${loadavg()[0]!.toFixed(1)})`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of orderOf(round)) samples.get(route)!.push({ ...flats.get(route)![round]!, ...(await pacedSample(target, route, cookiesFor(route))) });
    }
    const bare = samples.get('/bare')!;
    for (const route of target.routes) {
      const s = samples.get(route)!;
      const ttl = route === '/validate' || route.startsWith('/seshat') ? (TTL[store as keyof typeof TTL] === 0 ? 'off' : `${TTL[store as keyof typeof TTL] / 1000} s`) : route === '/bare' ? '—' : 'none (no cache)';
      rows.push({
        store: route === '/express-session' ? 'memory' : route === '/reference' ? 'SQLite' : store,
        framework,
        route,
        ttl,
        samples: s,
        extras: s.map((x, i) => x.flatCpuUs - bare[i]!.flatCpuUs),
        pacedExtras: s.map((x, i) => x.pacedCpuUs - bare[i]!.pacedCpuUs),
        // The cost of enforcement alone: the bound route over the unbound one, round by round.
        ...(route === '/seshat-bound' ? { over: { label: 'the unbound adapter', extras: s.map((x, i) => x.flatCpuUs - samples.get('/seshat')![i]!.flatCpuUs) } } : {}),
      });
    }
  } finally {
    await target.stop();
  }
}

// ── in process: the same checks without HTTP, CPU per call (steadier than the HTTP rows on a busy machine) ──

interface InProcess {
  label: string;
  perCallUs: number[];
}
const inProcess: InProcess[] = [];

/** In process, the touch batch is written every this many calls: 3.5 requests per session per write, as flat out over HTTP. */
const TOUCH_EVERY = 35_000;

async function benchInProcess(file: string, tokens: string[]): Promise<void> {
  const store = await openStore(`sqlite:${file}`);
  const manager = await new SessionManager({ store, cache: { ttlMs: 3_600_000, max: 20_000 } }).start();
  for (const t of tokens) await manager.validate(t, { path: '/x' }); // every session cached (and touched if due)
  const reference = referenceValidator(file);
  const requests = tokens.map((t) => ({ headers: { cookie: `session_token=${t}` } }) as never);
  const n = QUICK ? 100_000 : 300_000;
  const pick = () => (Math.random() * tokens.length) | 0;
  const cases: [string, () => unknown][] = [
    ['hand-written reference (SHA-256 + SQLite read), per call', () => reference(requests[pick()]!)],
    ['validateCached() on a cache hit (what the adapters call), per call', () => manager.validateCached(tokens[pick()], { path: '/x' })],
    ['await validate() on a cache hit, per call', () => manager.validate(tokens[pick()], { path: '/x' })],
    // The touch batch's share too: the flat-out HTTP runs serve each session ~3–4 times per touch interval.
    [`validateCached() and its share of the touch batch (written every ${TOUCH_EVERY.toLocaleString('en-US')} calls), per call`, () => manager.validateCached(tokens[pick()], { path: '/x' })],
  ];
  const results = cases.map(([label]) => ({ label, perCallUs: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, run]] of cases.entries()) {
      if (i === 3) await manager.flushActivity(); // what the other cases counted is not this case's to write
      const before = process.cpuUsage();
      if (i === 2) for (let k = 0; k < n; k++) await run();
      else if (i === 3) for (let k = 1; k <= n; k++) (run(), k % TOUCH_EVERY === 0 && (await manager.flushActivity()));
      else for (let k = 0; k < n; k++) run();
      if (i === 3) await manager.flushActivity();
      const used = process.cpuUsage(before);
      results[i]!.perCallUs.push((used.user + used.system) / n);
    }
  }
  inProcess.push(...results);
  await manager.stop();
  await store.close();
}

/** Extra environment of the target processes for the store being measured (the Redis tier's URL and prefix). */
let storeEnv: Record<string, string> = {};

async function benchStore(store: string, databaseUrl: string, seeder: () => Promise<Seeder>, db: Db, sqliteFile?: string, open: OpenStoreOptions = {}): Promise<void> {
  const migrating = await openStore(databaseUrl, open);
  await migrating.migrate();
  await migrating.close();
  const seed = await seeder();
  const tokens = await seed.liveSessions(SESSIONS, PER_USER);
  await seed.close();
  log(`[${store}] seeded ${SESSIONS.toLocaleString('en')} sessions`);
  if (sqliteFile) await benchInProcess(sqliteFile, tokens);
  const wanted = (framework: string) => args.framework === undefined || args.framework === framework;
  // The hand-written reference reads the SQLite file, so it runs in the SQLite targets, in every framework: each
  // adapter is compared with the reference in the same framework (a middleware and a route, as the adapter is).
  const reference: Record<string, string> = sqliteFile ? { BENCH_REFERENCE_DB: sqliteFile } : {};
  if (wanted('http')) await benchFramework(store, databaseUrl, 'http', tokens, db, { ...reference });
  if (wanted('express')) await benchFramework(store, databaseUrl, 'express', tokens, db, sqliteFile ? { ...reference, BENCH_EXPRESS_SESSIONS: String(SESSIONS) } : {});
  if (wanted('fastify')) {
    // Every session bound to a device key (issue #15) just before the target that enforces it: bound cookies live
    // 10 minutes (the default), the fastify target a minute or two. Not on the Redis tier yet (bench/bind.ts binds
    // through the SQL stores' transaction).
    let bound: string[] | undefined;
    if (!open.redis) {
      const started = performance.now();
      bound = await bindSessions(databaseUrl, tokens);
      log(`[${store}] bound ${bound.length.toLocaleString('en')} sessions to a device key in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await benchFramework(store, databaseUrl, 'fastify', tokens, db, { ...reference, ...(bound ? { BENCH_DEVICE_BINDING: '1' } : {}) }, bound);
  }
  if (wanted('hono')) await benchFramework(store, databaseUrl, 'hono', tokens, db, { ...reference });
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

const fmt = (n: number | null | undefined, digits = 1) => (n == null || Number.isNaN(n) ? '—' : Math.abs(n) >= 10_000 ? Math.round(n).toLocaleString('en') : n.toFixed(digits));
const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / 2;

const startedAt = new Date();
const loadBefore = loadavg();
const tmp = mkdtempSync(join(tmpdir(), 'seshat-bench-'));
let failed = false;
try {
  if (args.db === 'all' || args.db === 'sqlite') {
    const file = join(tmp, 'bench.db');
    await benchStore('SQLite', `sqlite:${file}`, async () => sqliteSeeder(file), { cpu: null }, file);
  }
  for (const tier of ['postgres', 'redis'] as const) {
    if (args.db !== 'all' && args.db !== tier) continue;
    const base = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
    const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
    const reachable = await admin.connect().then(() => true, (e: Error) => (log(`PostgreSQL skipped: not reachable at ${base} (${e.message})`), false));
    if (reachable) {
      const name = `seshat_bench_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(base);
      url.pathname = `/${name}`;
      try {
        // The reference (and express-session) run in the SQLite part: `--db postgres` has no ratio column.
        if (tier === 'postgres') await benchStore('PostgreSQL', url.toString(), () => postgresSeeder(url.toString()), { cpu: () => backendCpu(admin, name) });
        else await benchRedis(url.toString());
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** The Redis session tier: sessions in Redis under a prefix of this run's own (deleted afterwards), the rest in `postgresUrl`. */
async function benchRedis(postgresUrl: string): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `seshat-bench:${randomBytes(4).toString('hex')}:`;
  const reachable = await redisCpu(redisUrl).then(() => true, (e: Error) => (log(`Redis skipped: not reachable at ${redisUrl} (${e.message})`), false));
  if (!reachable) return;
  storeEnv = { BENCH_REDIS_URL: redisUrl, BENCH_REDIS_PREFIX: prefix };
  try {
    await benchStore('Redis', postgresUrl, () => redisSeeder(postgresUrl, redisUrl, prefix), { cpu: () => redisCpu(redisUrl) }, undefined, { redis: { url: redisUrl, prefix } });
  } finally {
    storeEnv = {};
    const client = createClient({ url: redisUrl });
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.unlink(keys);
    client.destroy();
  }
}

// The reference's extra cost in this run, per framework: what "N× cheaper than hand-written" is measured against.
// Every store's rows of a framework compare with the reference in that framework (it reads SQLite whatever the
// store: the cheapest a hand-written check gets).
const referenceExtra = new Map(rows.filter((r) => r.route === '/reference').map((r) => [r.framework, median(r.extras)]));

const header = [
  '| Store | Framework | Route | cache TTL | req/s (flat) | p50 ms | p99 ms | server CPU µs/req | **+µs over bare** (noise ±) | paced: p50 / p99 ms | paced: +µs over bare | DB CPU µs/req | reference ÷ this | goal |',
  '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
const lines = [...header];
const verdicts: string[] = [];
for (const r of rows) {
  const pick = (f: (s: Sample) => number) => median(r.samples.map(f));
  const isBare = r.route === '/bare';
  const extra = median(r.extras);
  const noise = spread(r.extras);
  const goal = GOALS[r.route];
  let verdict = '';
  if (goal !== undefined) {
    const ok = extra <= goal + noise;
    verdict = `≤ +${goal} µs: ${extra <= goal ? 'met' : ok ? 'within noise' : '**MISSED**'}`;
    if (!ok) failed = true;
    verdicts.push(`${r.store} ${r.framework} ${LABEL[r.route]}: +${extra.toFixed(1)} µs ± ${noise.toFixed(1)} (goal ≤ +${goal}) → ${extra <= goal ? 'met' : ok ? 'not shown (above the goal, within the noise)' : 'MISSED'}`);
  }
  if (r.over) {
    const over = median(r.over.extras);
    verdict = `+${fmt(over)} µs (±${fmt(spread(r.over.extras))}) over ${r.over.label}`;
    verdicts.push(`${r.store} ${r.framework} ${LABEL[r.route]}: ${verdict}`);
  }
  const db = r.samples[0]!.dbUs === null ? null : pick((s) => s.dbUs ?? 0);
  lines.push(
    `| ${r.store} | ${r.framework} | ${LABEL[r.route] ?? r.route} | ${r.ttl} | ${fmt(pick((s) => s.flat.rps), 0)} | ${fmt(pick((s) => s.flat.p50), 2)} | ${fmt(pick((s) => s.flat.p99), 2)} | ` +
      `${fmt(pick((s) => s.flatCpuUs))} | ${isBare ? '—' : `**${fmt(extra)}** (±${fmt(noise)})`} | ${fmt(pick((s) => s.paced.p50), 2)} / ${fmt(pick((s) => s.paced.p99), 2)} | ` +
      `${isBare ? '—' : fmt(median(r.pacedExtras))} | ${fmt(db)} | ${isBare || r.route === '/reference' || !(extra > 0) || !referenceExtra.has(r.framework) ? '—' : `${(referenceExtra.get(r.framework)! / extra).toFixed(1)}×`} | ${verdict} |`,
  );
}

if (inProcess.length) {
  const ref = median(inProcess[0]!.perCallUs);
  lines.push('', '| In process (SQLite, 10,000 sessions cached, no HTTP) | CPU µs per call (rounds) | reference ÷ this |', '|---|---:|---:|');
  for (const r of inProcess) {
    const m = median(r.perCallUs);
    lines.push(`| ${r.label} | **${m.toFixed(2)}** (${r.perCallUs.map((x) => x.toFixed(2)).join(', ')}) | ${r === inProcess[0] ? '—' : `${(ref / m).toFixed(1)}×`} |`);
  }
}

const cpu = cpus();
const machine =
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Linux ${release()}, Node ${process.version}. Load average (1/5/15 min) ${loadBefore.map((x) => x.toFixed(2)).join(' / ')} at the start, ` +
  `${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end. ${SESSIONS.toLocaleString('en')} sessions, a random one per request; ${CONNECTIONS} connections; ` +
  `${ROUNDS} rounds of ${FLAT_MS / 1000} s flat out + ${PACED_MS / 1000} s at ${RATE.toLocaleString('en')} req/s per route, median round shown, noise = half the spread of the rounds${QUICK ? ' (--quick)' : ''}. ` +
  `Run at ${startedAt.toISOString()}.`;
const report = `${lines.join('\n')}\n\n${verdicts.map((v) => `- ${v}`).join('\n')}\n\n${machine}`;
console.log(report);
if (args.write) {
  const doc = readFileSync(args.write, 'utf8');
  writeFileSync(args.write, doc.replace(/<!-- compare:start -->[\s\S]*<!-- compare:end -->/, `<!-- compare:start -->\n${report}\n<!-- compare:end -->`));
  log(`updated ${args.write}`);
}
if (failed) {
  log('a goal row missed its target by more than the measured noise');
  process.exitCode = 1;
}
