/**
 * `node --conditions=seshat-source bench/redis-scale.ts [--count 100000]`
 *
 * The Redis session tier's walks over many sessions (issue 11, goal 6): `count` live sessions written straight into
 * Redis (half "from DE", half "from FR"), then the calls that visit every live session — count, filter, revoke by
 * filter, a listing page, revoke-all — each timed once. Redis at BENCH_REDIS_URL (default 127.0.0.1:6379), under a
 * prefix of its own that is deleted at the end; nothing is written to PostgreSQL.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from '@redis/client';
import { defaultSettings, expiryCutoffs } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { RedisStore } from 'seshat/redis';

const { values: args } = parseArgs({ options: { count: { type: 'string', default: '100000' } } });
const N = Number(args.count);
const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `seshat-scale:${process.pid}:`;
// The PostgreSQL half is never queried here (sessions only): the store is built but no connection is opened.
const store = new RedisStore({ url, postgres: new PostgresStore('postgres://127.0.0.1:5432/unused'), prefix });
const client = createClient({ url });
await client.connect();
const now = Date.now();
const loadBefore = loadavg()[0]!;
try {
  for (let i = 0; i < N; i += 10_000) {
    const multi = client.multi();
    for (let k = i; k < Math.min(N, i + 10_000); k++) {
      const id = `ses_scale${String(k).padStart(9, '0')}`;
      const user = `usr_${k % 1000}`;
      multi.hSet(`${prefix}s:${id}`, {
        id, userId: user, secretHash: '00', tokenHint: 'x', persistent: '0', passwordChangeRequired: '0', createdAt: String(now - 1000), lastActiveAt: String(now - 10),
        requests: '1', device: '{"deviceType":"desktop","label":"Chrome on macOS"}', location: JSON.stringify({ countryCode: k % 2 ? 'DE' : 'FR' }), ip: '203.0.113.7',
      });
      multi.zAdd(`${prefix}ids`, { score: 0, value: id });
      multi.zAdd(`${prefix}live`, { score: Math.floor((now - 10) / 60_000), value: id }); // the live index is scored by minute
      multi.zAdd(`${prefix}u:${user}`, { score: now - 10, value: id });
    }
    await multi.execAsPipeline();
  }
  const cutoffs = expiryCutoffs(defaultSettings({}), now);
  const time = async (label: string, work: () => Promise<unknown>) => {
    const t = performance.now();
    const result = await work();
    console.log(`| ${label} | ${result} | ${Math.round(performance.now() - t).toLocaleString('en')} |`);
  };
  console.log(`| ${N.toLocaleString('en')} live sessions in Redis | result | ms |\n|---|---:|---:|`);
  await time('count live sessions', () => store.countActiveSessions(cutoffs));
  await time('find matching (country DE)', async () => (await store.findMatchingSessions({ countryCodes: ['DE'] }, cutoffs)).length);
  await time('revoke matching (country DE)', async () => (await store.revokeMatchingSessions({ countryCodes: ['DE'] }, cutoffs, { at: now, reason: 'revoked-by-admin' })).length);
  await time('list the first page (50; all in one minute)', async () => (await store.listActiveSessions({ cutoffs, limit: 50 })).items.length);
  await time('list the tenth page (50)', async () => {
    let page = await store.listActiveSessions({ cutoffs, limit: 50 });
    for (let i = 1; i < 10; i++) page = await store.listActiveSessions({ cutoffs, limit: 50, cursor: page.nextCursor });
    return page.items.length;
  });
  await time('revoke all the others', () => store.revokeAllSessions({ at: now, reason: 'invalidate-all' }));
  console.log(`\nLoad average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end; ${new Date().toISOString()}.`);
} finally {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.unlink(keys);
  client.destroy();
  await store.close();
}
