/**
 * `npm run bench:nodes [-- --quick] [-- --write docs/benchmarks.md]`
 *
 * Many nodes on one PostgreSQL database (issue #11, goal 5): for 2, 4, 8 and 16 server processes
 * (bench/server.ts: the real createServer()), node 0 revokes a session every other node has just accepted
 * (so cached), and we measure
 *   - how long node 0 takes to answer 204: the revocation commits, then NOTIFY and the wait until every
 *     listening node confirmed it applied the invalidation (the confirmed-delivery wait);
 *   - from that 204, how long until each other node refuses the session (polled back to back), p50/p99/max,
 *     and how often the very first request after the 204 was already refused;
 *   - PostgreSQL connections held per node.
 * Bounded: a fixed number of samples per node count, every process stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from 'seshat';
import { postgresSeeder } from './seed.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, write: { type: 'string' }, nodes: { type: 'string' } } });
const COUNTS = args.nodes ? args.nodes.split(',').map(Number) : args.quick ? [2, 4, 8] : [2, 4, 8, 16];
const SAMPLES = args.quick ? 10 : 30;
const PER_USER = 2;
const log = (line: string) => process.stderr.write(line + '\n');

interface Node {
  url: string;
  child: ChildProcess;
}

async function startNode(databaseUrl: string, id: string): Promise<Node> {
  const child = spawn(process.execPath, ['--conditions=seshat-source', 'bench/server.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, SESHAT_NODE_ID: id, SESHAT_GC_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node ${id} did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BENCH_READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}: ${out}`)));
  });
  return { url, child };
}

const stopNode = (n: Node) =>
  new Promise<void>((resolve) => {
    if (n.child.exitCode !== null) return resolve();
    n.child.once('exit', () => resolve());
    n.child.kill('SIGTERM');
    setTimeout(() => n.child.kill('SIGKILL'), 5000).unref();
  });

const whoami = (node: Node, token: string) => fetch(`${node.url}/api/bench/whoami`, { headers: { cookie: `session_token=${token}` } }).then((r) => r.status);
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

interface Result {
  nodes: number;
  confirm: number[];
  refuse: number[];
  firstRefused: number;
  attempts: number;
  connectionsPerNode: number;
  listeners: number;
}
const results: Result[] = [];
const failures: string[] = [];

const base = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: base });
await admin.connect();
const startedAt = new Date();
const loadBefore = loadavg();
try {
  for (const n of COUNTS) {
    const name = `seshat_nodes_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const nodes: Node[] = [];
    try {
      const migrating = await openStore(databaseUrl);
      await migrating.migrate();
      await migrating.close();
      const seed = await postgresSeeder(databaseUrl);
      const tokens = await seed.liveSessions(SAMPLES * PER_USER, PER_USER);
      await seed.close();
      // Four at a time: sixteen processes migrating and connecting at once on 2 busy cores time out.
      for (let i = 0; i < n; i += 4) nodes.push(...(await Promise.all(Array.from({ length: Math.min(4, n - i) }, (_, k) => startNode(databaseUrl, `node-${i + k}`)))));
      const { rows } = await admin.query<{ app: string | null }>('SELECT application_name AS app FROM pg_stat_activity WHERE datname = $1', [name]);
      const listeners = rows.filter((r) => r.app?.startsWith('seshat-invalidation')).length;
      const result: Result = { nodes: n, confirm: [], refuse: [], firstRefused: 0, attempts: 0, connectionsPerNode: 0, listeners };
      for (let i = 0; i < SAMPLES; i++) {
        const actor = tokens[i * PER_USER]!;
        const victim = tokens[i * PER_USER + 1]!;
        for (const node of nodes) {
          const s = await whoami(node, victim);
          if (s !== 200) throw new Error(`victim not valid on a node: ${s}`);
        }
        const before = performance.now();
        const res = await fetch(`${nodes[0]!.url}/api/sessions/${victim.split('.')[0]}`, { method: 'DELETE', headers: { cookie: `session_token=${actor}`, 'sec-fetch-site': 'same-origin' } });
        if (res.status !== 204) throw new Error(`revoke answered ${res.status}: ${await res.text()}`);
        const answered = performance.now();
        result.confirm.push(answered - before);
        await Promise.all(nodes.slice(1).map(async (node) => {
          let first = true;
          for (;;) {
            const s = await whoami(node, victim);
            if (first) {
              result.attempts++;
              if (s === 401) result.firstRefused++;
              first = false;
            }
            if (s === 401) break;
            if (performance.now() - answered > 30_000) throw new Error('never refused');
          }
          result.refuse.push(performance.now() - answered);
        }));
      }
      // Connections after the run: pools grow with use, so this is what the nodes held under the revocations.
      const { rows: after } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      result.connectionsPerNode = Number(after[0]!.n) / n;
      results.push(result);
      log(`[${n} nodes] 204 after p50 ${q(result.confirm, 0.5).toFixed(1)} ms; refused p50 ${q(result.refuse, 0.5).toFixed(1)} ms; first request refused ${result.firstRefused}/${result.attempts} (load ${loadavg()[0]!.toFixed(1)})`);
    } catch (error) {
      // One node count failing (a node that did not start on a saturated machine) does not lose the others.
      failures.push(`${n} nodes: ${(error as Error).message.split('\n')[0]}`);
      log(`[${n} nodes] failed: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await Promise.all(nodes.map(stopNode));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
} finally {
  await admin.end();
}

const fmt = (x: number) => x.toFixed(1);
const lines = [
  '| nodes | revoke answered 204 (confirmed delivery) p50 / p99 / max ms | refused on every other node after the 204, p50 / p99 / max ms | first request after the 204 refused | listeners | connections per node |',
  '|---:|---|---|---:|---:|---:|',
  ...results.map((r) =>
    `| ${r.nodes} | ${fmt(q(r.confirm, 0.5))} / ${fmt(q(r.confirm, 0.99))} / ${fmt(Math.max(...r.confirm))} | ${fmt(q(r.refuse, 0.5))} / ${fmt(q(r.refuse, 0.99))} / ${fmt(Math.max(...r.refuse))} | ${r.firstRefused}/${r.attempts} | ${r.listeners} | ${r.connectionsPerNode.toFixed(1)} |`),
];
const growth = results.length > 1 ? results.map((r) => `${r.nodes}: ${(q(r.confirm, 0.5) / q(results[0]!.confirm, 0.5)).toFixed(2)}×`).join(', ') : '';
const report = `${lines.join('\n')}\n\n${failures.map((f) => `- not measured: ${f}\n`).join('')}Confirmed-delivery wait (p50) relative to ${results[0]?.nodes} nodes — ${growth}. ${SAMPLES} revocations per node count. ` +
  `Load average ${loadBefore.map((x) => x.toFixed(2)).join(' / ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end (2 cores: all nodes, PostgreSQL and the load generator share them). Run at ${startedAt.toISOString()}.`;
console.log(report);
if (args.write) {
  const doc = readFileSync(args.write, 'utf8');
  writeFileSync(args.write, doc.replace(/<!-- nodes:start -->[\s\S]*<!-- nodes:end -->/, `<!-- nodes:start -->\n${report}\n<!-- nodes:end -->`));
}
