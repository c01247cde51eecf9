import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { openEventStream } from '../helpers/event-stream.ts';
import { Client } from '../helpers/server.ts';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';

/**
 * Live sign-out across nodes: a page streaming from node B hears `session.ended` the moment its session is
 * revoked through node A (PostgreSQL NOTIFY, the cache-invalidation path), and `sessions.changed` for a sign-in on A.
 */
const EMAIL = 'admin@example.com';
const PASSWORD = 'admin password 1';
let db: TestDatabase;
let a: SpawnedServer | undefined;
let b: SpawnedServer | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  const common = { LOG_LEVEL: 'warn', DATABASE_URL: db.url, SESHAT_ADMIN_EMAIL: EMAIL, SESHAT_ADMIN_PASSWORD: PASSWORD, SESHAT_LOGIN_RATE_LIMIT: '100000', SESHAT_GC_INTERVAL_SECONDS: '0' };
  a = await spawnServer({ ...common, SESHAT_NODE_ID: 'node-a' }, 60_000);
  b = await spawnServer({ ...common, SESHAT_NODE_ID: 'node-b' }, 60_000);
}, 150_000);

afterAll(async () => {
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  await db?.drop();
});

describe('live session events across two PostgreSQL nodes', { timeout: 60_000 }, () => {
  it('a stream on node B hears a revocation made on node A at once, with the reason; its sibling hears sessions.changed', async () => {
    const onB = new Client(b!.url);
    const { session } = await onB.login(EMAIL, PASSWORD);
    const sibling = new Client(b!.url);
    await sibling.login(EMAIL, PASSWORD);
    const stream = await openEventStream(`${b!.url}/api/sessions/stream`, { cookie: onB.cookie! });
    const siblingStream = await openEventStream(`${b!.url}/api/sessions/stream`, { cookie: sibling.cookie! });
    try {
      await stream.until(() => stream.events.some((e) => e.event === 'ready'));
      await siblingStream.until(() => siblingStream.events.some((e) => e.event === 'ready'));

      // A sign-in on A is a change for the pages on B.
      const onA = new Client(a!.url);
      await onA.login(EMAIL, PASSWORD);
      await siblingStream.until(() => siblingStream.events.some((e) => e.event === 'sessions.changed'), 'sessions.changed from node A');

      expect((await onA.delete(`/api/sessions/${session.id}`)).status).toBe(204);
      await stream.until(() => stream.ended, 'the stream on B to end');
      expect(stream.events.at(-1)).toMatchObject({ event: 'session.ended', data: { reason: 'signed-out-elsewhere', endedAt: expect.any(String) } });
      expect(siblingStream.ended).toBe(false);
    } finally {
      stream.close();
      siblingStream.close();
    }
  });
});
