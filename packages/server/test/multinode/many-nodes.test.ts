import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionManager, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { UserDirectory } from '../../src/users.ts';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process-server.ts';
import { Client, TEST_PASSWORD_COST } from '../helpers/server.ts';

/**
 * Four real `seshat serve` processes on one fresh PostgreSQL database (issue #11, goal 5): a session revoked
 * through any node is refused by every other node on its very next request — the revoking node answers 204 only
 * after every listening node confirmed it applied the invalidation — and no node holds more connections than
 * its pool allows plus its one listener. The 2/4/8/16-node timings are in `npm run bench:nodes`.
 */
const NODES = 4;
const POOL_MAX = 10; // PostgresStore's default pool size

let db: TestDatabase;
let nodes: ServerProcess[] = [];
let store: PostgresStore;
let issuer: SessionManager<StoreScope>;
let users: UserDirectory;

beforeAll(async () => {
  db = await createTestDatabase();
  const common = { SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url };
  // Two at a time, each given a minute: four processes loading and migrating at once on a busy 2-core machine can take
  // longer than the helper's default 30 s.
  for (let i = 0; i < NODES; i += 2) {
    nodes.push(...(await Promise.all([i, i + 1].map((k) => startServerProcess({ ...common, SESHAT_NODE_ID: `node-${k}` }, 60_000)))));
  }
  store = new PostgresStore(db.url);
  issuer = await new SessionManager<StoreScope>({ store, cache: false }).start();
  users = new UserDirectory(store, issuer, TEST_PASSWORD_COST);
}, 300_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await issuer?.stop();
  await store?.close();
  await db?.drop();
});

async function issue(userId: string): Promise<{ id: string; cookie: string }> {
  const created = await issuer.createSession({ userId, remember: false, ip: null, userAgent: null });
  return { id: created.session.id, cookie: `session_token=${created.token}` };
}

function client(node: ServerProcess, session: { cookie: string }): Client {
  const c = new Client(node.url);
  c.cookie = session.cookie;
  return c;
}

const status = async (node: ServerProcess, session: { cookie: string }) => (await client(node, session).get('/api/auth/session')).status;

describe(`${NODES} server processes on one PostgreSQL database`, () => {
  it('every node listens for invalidations on exactly one connection', async () => {
    const { rows } = await db.query<{ application_name: string }>(
      "SELECT application_name FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'seshat-invalidation %'",
      [db.name],
    );
    expect(rows.map((r) => r.application_name).sort()).toEqual(nodes.map((_, i) => `seshat-invalidation node-${i}`).sort());
  });

  it('a revocation through each node is refused by every other node on its next request', async () => {
    const user = await users.create({ email: 'many@example.com', name: 'Many', password: 'irrelevant password' });
    const actor = await issue(user.id);
    for (let revoker = 0; revoker < NODES; revoker++) {
      const victim = await issue(user.id);
      // Cached everywhere first: each node has just accepted it.
      for (const node of nodes) expect(await status(node, victim)).toBe(200);
      expect((await client(nodes[revoker]!, actor).delete(`/api/sessions/${victim.id}`)).status).toBe(204);
      // No polling: the first request after the 204, on every node, is refused.
      const after = await Promise.all(nodes.map((node) => status(node, victim)));
      expect(after).toEqual(nodes.map(() => 401));
      for (const node of nodes) expect(await status(node, actor)).toBe(200);
    }
  }, 60_000);

  it('connections per node stay within the pool size plus the listener', async () => {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [db.name]);
    // Every node's pool and listener, the issuing store's pool, and the test's own client.
    expect(Number(rows[0]!.n)).toBeLessThanOrEqual(NODES * (POOL_MAX + 1) + 10 + 1);
  });
});
