/**
 * The server under benchmark: the real createServer() on the store DATABASE_URL names, plus a few
 * bench-only routes that exist only in this process (never in the product; under /api/ because only API paths
 * read sessions):
 *   GET  /api/bench/bare    no cookie, no store: the floor of a Fastify request with our hooks and headers
 *   GET  /api/bench/whoami  the smallest authenticated route (cookie → validate → request.session)
 *   GET  /bench/stats   this process's CPU time, touch writes and validation counters
 *   POST /bench/gc      runs the garbage collector to completion and reports how long it took
 *   POST /bench/flush   drops this process's session cache (after the runner binds sessions behind its back)
 * Prints `BENCH_READY <url>` when listening.
 */
import { createServer, loadConfig, openStore, requireSession } from '@seshat/server';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
const store = await openStore(config.databaseUrl);

// Count activity writes: one batched statement per touch interval per node (core/touch-batch.ts), with one row
// per session that had activity in that interval.
let touches = 0;
let touchStatements = 0;
const touchesBySession = new Map<string, number>();
const touchBatch = store.touchSessions.bind(store);
store.touchSessions = (batch) => {
  touchStatements++;
  touches += batch.length;
  for (const t of batch) touchesBySession.set(t.id, (touchesBySession.get(t.id) ?? 0) + 1);
  return touchBatch(batch);
};

const server = await createServer({ config, store, logger: false, passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
const { app, manager } = server;

app.get('/api/bench/bare', async () => 'ok');
app.get('/api/bench/whoami', async (request) => requireSession(request).userId);
app.get('/bench/stats', async (request) => {
  const maxTouchesPerSession = Math.max(0, ...touchesBySession.values());
  // `?reset` starts a new window for the per-session maximum.
  if ((request.query as Record<string, string>).reset !== undefined) touchesBySession.clear();
  return { cpu: process.cpuUsage(), touches, touchStatements, maxTouchesPerSession, validations: { ...manager.metrics.validations } };
});
app.post('/bench/flush', async () => {
  manager.flushCache();
  return { flushed: true };
});
app.post('/bench/gc', async () => {
  const started = performance.now();
  const result = await manager.collectGarbage({ batchSize: Number(process.env.BENCH_GC_BATCH ?? 1000) });
  return { ms: performance.now() - started, ...result };
});

// BENCH_PROFILE_DIR: the runner profiles each measured run on its own (node:inspector), not the whole process.
const inspector = process.env.BENCH_PROFILE_DIR ? new (await import('node:inspector/promises')).Session() : null;
inspector?.connect();
app.post('/bench/profile/start', async () => {
  await inspector?.post('Profiler.enable');
  await inspector?.post('Profiler.start');
  return { profiling: inspector !== null };
});
app.post('/bench/profile/stop', async (request) => {
  if (!inspector) return { profiling: false };
  const { profile } = await inspector.post('Profiler.stop');
  const { writeFileSync } = await import('node:fs');
  const file = `${process.env.BENCH_PROFILE_DIR}/${(request.query as Record<string, string>).name ?? 'run'}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  return { file };
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`BENCH_READY ${url}`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
