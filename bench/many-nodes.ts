/**
 * `npm run bench:nodes [-- --nodes 2,4,8,16] [-- --trials 20] [-- --store postgres|redis|both] [-- --write docs/benchmarks.md]`
 *
 * Many nodes on one PostgreSQL (issue 11, goal 5), or on the Redis session tier (`--store redis`: sessions and
 * invalidations in Redis at BENCH_REDIS_URL, users and audit in PostgreSQL; issue 11, goal 6): for each node count, starts that many real `seshat serve`
 * processes on a fresh database, signs in over HTTP, and repeatedly revokes a session cached on every node
 * through one of them (in turn) while every other node is polled in a tight loop. Measured per node count:
 * - refused after: from sending the revoke until each other node first answers 401 (p50/p99/max over
 *   trials × nodes), and how many requests that started after the revoke answered were still served (must be 0);
 * - the revoke's answer time (includes the confirmed-delivery wait) and the bare confirmed-delivery wait of
 *   one NOTIFY (a publisher subscribed like a node, publishing a no-op invalidation);
 * - connections per node in pg_stat_activity (the pool, which grows on demand up to its max, and the LISTEN one; with
 *   Redis, the listening connections are Redis pub/sub clients, counted from CLIENT LIST).
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { RedisStore } from 'seshat/redis';
import { createTestPrefix } from '../packages/seshat/test/helpers/redis.ts';
import { loadavg, cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SessionManager, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { createTestDatabase } from '../packages/seshat/test/helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../packages/server/test/helpers/process-server.ts';

const { values: args } = parseArgs({
  options: { nodes: { type: 'string', default: '2,4,8,16' }, trials: { type: 'string', default: '20' }, store: { type: 'string', default: 'postgres' }, write: { type: 'string' } },
});
const TIERS = (args.store === 'both' ? ['postgres', 'redis'] : [args.store!]) as ('postgres' | 'redis')[];
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NODE_COUNTS = args.nodes!.split(',').map(Number);
const TRIALS = Number(args.trials);
const ADMIN = { email: 'admin@example.com', password: 'admin password 1' };

interface Result {
  store: 'postgres' | 'redis';
  nodes: number;
  refused: number[];
  servedAfterAnswer: number;
  answer: number[];
  publish: number[];
  poolPerNode: number;
  listenersPerNode: number;
  startSeconds: number;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (v: number) => v.toFixed(1);

async function get(node: ServerProcess, cookie: string): Promise<number> {
  const res = await fetch(node.url + '/api/auth/session', { headers: { cookie } });
  await res.arrayBuffer();
  return res.status;
}

/** Redis pub/sub connections of the benchmark's nodes (named `seshat-invalidation_<nodeId>`). */
async function redisListeners(run: string): Promise<number> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    return String(await client.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).split('\n').filter((l) => l.includes(` name=seshat-invalidation_${run}-node-`)).length;
  } finally {
    client.destroy();
  }
}

async function measure(count: number, tier: 'postgres' | 'redis'): Promise<Result> {
  const db = await createTestDatabase();
  const keys = tier === 'redis' ? await createTestPrefix() : null;
  // Node ids unique to this run: the Redis server may be shared with other runs.
  const run = randomBytes(3).toString('hex');
  const common = {
    SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url, SESHAT_ADMIN_EMAIL: ADMIN.email, SESHAT_ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'error',
    ...(keys ? { SESHAT_REDIS_URL: REDIS_URL, SESHAT_REDIS_PREFIX: keys.prefix } : {}),
  };
  const nodeId = (i: number) => (keys ? `${run}-node-${i}` : `node-${i}`);
  const started = performance.now();
  const nodes: ServerProcess[] = [];
  const store = keys ? new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix: keys.prefix }) : new PostgresStore(db.url);
  let issuer: SessionManager<StoreScope> | undefined;
  const channel = store.createInvalidationChannel({ nodeId: 'bench-publisher' });
  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    // The first node migrates and creates the admin; the rest start together (as a rolling deploy would not, but
    // a scale-out does).
    nodes.push(await startServerProcess({ ...common, SESHAT_NODE_ID: nodeId(0) }, 180_000));
    nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startServerProcess({ ...common, SESHAT_NODE_ID: nodeId(i + 1) }, 300_000)))));
    const startSeconds = (performance.now() - started) / 1000;

    // Sign in over HTTP on node 0: the actor that revokes.
    const login = await fetch(nodes[0]!.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify(ADMIN),
    });
    if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
    const actor = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const userId = ((await login.json()) as { user: { id: string } }).user.id;
    // Targets are issued straight through a manager on the same database: a sign-in each would measure scrypt.
    issuer = await new SessionManager<StoreScope>({ store, cache: false }).start();

    const refused: number[] = [];
    const answer: number[] = [];
    let servedAfterAnswer = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const created = await issuer.createSession({ userId, remember: false, ip: null, userAgent: null });
      const cookie = `session_token=${created.token}`;
      for (const node of nodes) for (let i = 0; i < 2; i++) if ((await get(node, cookie)) !== 200) throw new Error('target not accepted');
      const revoker = trial % count;
      const others = nodes.filter((_, i) => i !== revoker);
      const t0 = performance.now();
      let answeredAt = Infinity;
      const pollers = others.map(async (node) => {
        for (;;) {
          const sentAt = performance.now();
          const status = await get(node, cookie);
          if (status === 401) return refused.push(performance.now() - t0);
          if (sentAt > answeredAt) servedAfterAnswer++;
        }
      });
      const res = await fetch(`${nodes[revoker]!.url}/api/sessions/${created.session.id}`, { method: 'DELETE', headers: { cookie: actor, 'sec-fetch-site': 'same-origin' } });
      answeredAt = performance.now();
      if (res.status !== 204) throw new Error(`revoke answered ${res.status}`);
      answer.push(answeredAt - t0);
      await Promise.all(pollers);
    }

    // The bare confirmed-delivery wait: one no-op NOTIFY acknowledged by every node (and this publisher).
    unsubscribe = await channel.subscribe({ message() {}, reset() {} });
    const publish: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const t = performance.now();
      await channel.publish({ kind: 'sessions', ids: ['ses_bench_none'] });
      publish.push(performance.now() - t);
    }

    const { rows } = await db.query<{ name: string; n: string }>(
      'SELECT application_name AS name, count(*) AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1',
      [db.name],
    );
    const pool = rows.filter((r) => r.name === 'seshat').reduce((s, r) => s + Number(r.n), 0);
    const listeners = keys ? await redisListeners(run) : rows.filter((r) => r.name.startsWith('seshat-invalidation node-')).reduce((s, r) => s + Number(r.n), 0);
    return { store: tier, nodes: count, refused, servedAfterAnswer, answer, publish, poolPerNode: pool / count, listenersPerNode: listeners / count, startSeconds };
  } finally {
    await unsubscribe?.();
    await issuer?.stop();
    await store.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await keys?.drop();
    await db.drop();
  }
}

const results: Result[] = [];
for (const tier of TIERS) for (const count of NODE_COUNTS) {
  const result = await measure(count, tier);
  results.push(result);
  console.log(
    `${tier}, ${count} nodes: refused after p50 ${ms(pct(result.refused, 50))} / p99 ${ms(pct(result.refused, 99))} / max ${ms(Math.max(...result.refused))} ms; ` +
      `revoke answered p50 ${ms(pct(result.answer, 50))} ms; confirmed NOTIFY p50 ${ms(pct(result.publish, 50))} / p99 ${ms(pct(result.publish, 99))} ms; ` +
      `served after answer ${result.servedAfterAnswer}; pool ${result.poolPerNode.toFixed(1)} + LISTEN ${result.listenersPerNode.toFixed(1)} per node (started in ${result.startSeconds.toFixed(0)} s)`,
  );
}

const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
const table = [
  `### Many nodes: revoke → refused everywhere (\`npm run bench:nodes\`)`,
  '',
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores, load average ${load} (1/5/15 min) at the end, ${TRIALS} revocations per node count, ` +
    'each revoking node in turn, every other node polled in a tight loop from one client process. Times in ms from sending the revoke.',
  '',
  '| sessions in | nodes | refused after p50 | p99 | max | served after the answer | revoke answered p50 | p99 | confirmed NOTIFY / PUBLISH p50 | p99 | PostgreSQL pool conns / node | listening conns / node |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.store === 'redis' ? 'Redis' : 'PostgreSQL'} | ${r.nodes} | ${ms(pct(r.refused, 50))} | ${ms(pct(r.refused, 99))} | ${ms(Math.max(...r.refused))} | ${r.servedAfterAnswer} | ${ms(pct(r.answer, 50))} | ${ms(pct(r.answer, 99))} | ${ms(pct(r.publish, 50))} | ${ms(pct(r.publish, 99))} | ${r.poolPerNode.toFixed(1)} | ${r.listenersPerNode.toFixed(0)} |`,
  ),
  '',
].join('\n');
console.log('\n' + table);
if (args.write) {
  const heading = '### Many nodes: revoke → refused everywhere';
  const current = readFileSync(args.write, 'utf8');
  const start = current.indexOf(heading);
  const next = start < 0 ? -1 : current.indexOf('\n### ', start + heading.length);
  const updated = start < 0 ? `${current.trimEnd()}\n\n${table}` : current.slice(0, start) + table + (next < 0 ? '' : current.slice(next + 1));
  writeFileSync(args.write, updated);
}
if (results.some((r) => r.servedAfterAnswer > 0)) {
  console.error('A node served a revoked session after the revoke answered.');
  process.exitCode = 1;
}
