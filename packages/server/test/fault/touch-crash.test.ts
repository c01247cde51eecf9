import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { SqliteStore } from 'seshat/sqlite';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { Client, STORE_KINDS } from '../helpers/server.ts';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';

const EMAIL = 'counts@example.com';
const PASSWORD = 'count-every-request';

/**
 * Batched touches (issue #11, goal 3) against the real CLI process: every request is counted while the node runs
 * (even when its cache entries are evicted all the time), and a kill -9 loses at most the last touch interval.
 */
describe.each(STORE_KINDS)('request counts survive eviction and kill -9 (%s)', (kind) => {
  let server: SpawnedServer | undefined;
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.kill('SIGKILL');
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = database = dir = undefined;
  });

  async function start(): Promise<{ url: string; open: () => Store }> {
    let databaseUrl: string;
    if (kind === 'postgres') databaseUrl = (database = await createTestDatabase()).url;
    else databaseUrl = `sqlite:${join((dir = mkdtempSync(join(tmpdir(), 'seshat-touch-'))), 'seshat.db')}`;
    server = await spawnServer({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      SESHAT_ADMIN_EMAIL: EMAIL,
      SESHAT_ADMIN_PASSWORD: PASSWORD,
      SESHAT_TOUCH_INTERVAL_SECONDS: '1',
      // One cached session: two sessions taking turns evict each other on every request.
      SESHAT_CACHE_MAX: '1',
      SESHAT_GC_INTERVAL_SECONDS: '0',
    });
    const open = () => (kind === 'postgres' ? new PostgresStore(database!.url) : new SqliteStore(databaseUrl.slice('sqlite:'.length)));
    return { url: server.url, open };
  }

  async function requestsOf(open: () => Store, id: string): Promise<number> {
    const store = open();
    try {
      return (await store.findSession(id))!.requests;
    } finally {
      await store.close();
    }
  }

  async function twoSessionsTakingTurns(url: string, rounds: number) {
    const a = new Client(url);
    const b = new Client(url);
    const sa = (await a.login(EMAIL, PASSWORD)).session;
    const sb = (await b.login(EMAIL, PASSWORD)).session;
    for (let i = 0; i < rounds; i++) {
      expect((await a.get('/api/auth/session')).status).toBe(200);
      expect((await b.get('/api/auth/session')).status).toBe(200);
    }
    return [sa.id, sb.id] as const;
  }

  it('counts every request although cache entries are evicted, and writes them all on shutdown', async () => {
    const { url, open } = await start();
    const ids = await twoSessionsTakingTurns(url, 150);
    await server!.kill('SIGTERM');
    // Sign-in counts as the first request of a session.
    for (const id of ids) expect(await requestsOf(open, id)).toBe(1 + 150);
  });

  it('kill -9 loses at most the last touch interval: counts older than that are in the database', async () => {
    const { url, open } = await start();
    const ids = await twoSessionsTakingTurns(url, 150);
    // Three touch intervals of quiet: everything seen is due and written, none of it by a shutdown.
    await sleep(3000);
    await server!.kill('SIGKILL');
    for (const id of ids) expect(await requestsOf(open, id)).toBe(1 + 150);
  });
});
