import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionManager, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { UserDirectory } from '../../src/users.ts';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process-server.ts';
import { Client, TEST_PASSWORD_COST } from '../helpers/server.ts';

/**
 * Four real `seshat serve` processes on one fresh PostgreSQL database (issue 11, goal 5): a session revoked
 * on one node is refused on every other node on its very next request after the revoke answered. Confirmed
 * delivery makes that hold however loaded the machine is, so there is no timing here, only order.
 */
const NODES = 4;

let db: TestDatabase;
let nodes: ServerProcess[] = [];
let store: PostgresStore;
let issuer: SessionManager<StoreScope>;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const common = { SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url, SESHAT_ADMIN_EMAIL: 'admin@example.com', SESHAT_ADMIN_PASSWORD: 'admin password 1' };
  // Started together, as the nodes of one deployment are: all migrate and create the admin at once.
  nodes = await Promise.all(Array.from({ length: NODES }, (_, i) => startServerProcess({ ...common, SESHAT_NODE_ID: `node-${i}` }, 90_000)));
  store = new PostgresStore(db.url);
  // Sessions are issued straight through a manager on the same database: a sign-in each would cost a full scrypt.
  issuer = await new SessionManager<StoreScope>({ store, cache: false }).start();
  const users = new UserDirectory(store, issuer, TEST_PASSWORD_COST);
  userId = (await users.create({ email: 'user@example.com', name: 'User', password: 'irrelevant password' })).id;
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await issuer?.stop();
  await store?.close();
  await db?.drop();
});

async function issue(): Promise<{ id: string; cookie: string }> {
  const created = await issuer.createSession({ userId, remember: false, ip: null, userAgent: null });
  return { id: created.session.id, cookie: `session_token=${created.token}` };
}

function client(node: ServerProcess, session: { cookie: string }): Client {
  const c = new Client(node.url);
  c.cookie = session.cookie;
  return c;
}

async function status(node: ServerProcess, session: { cookie: string }): Promise<number> {
  return (await client(node, session).get('/api/auth/session')).status;
}

describe(`${NODES} server processes on one PostgreSQL database`, () => {
  it('every node listens for invalidations on its own connection', async () => {
    const { rows } = await db.query<{ name: string }>(
      "SELECT application_name AS name FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'seshat-invalidation %'",
      [db.name],
    );
    expect(rows.map((r) => r.name).sort()).toEqual(nodes.map((_, i) => `seshat-invalidation node-${i}`));
  });

  it('revoke on each node in turn: refused on every other node on its very next request', async () => {
    const keeper = await issue();
    for (let revoker = 0; revoker < NODES; revoker++) {
      const target = await issue();
      // Cached everywhere first: the refusal must come from the invalidation, not from a cache miss.
      for (const node of nodes) {
        expect(await status(node, target)).toBe(200);
        expect(await status(node, target)).toBe(200);
      }
      expect((await client(nodes[revoker]!, keeper).delete(`/api/sessions/${target.id}`)).status).toBe(204);
      // All others at once, right after the answer: none may still serve it.
      const after = await Promise.all(nodes.map((node) => status(node, target)));
      expect(after).toEqual(nodes.map(() => 401));
      // The revoker's own session is untouched everywhere.
      expect(await Promise.all(nodes.map((node) => status(node, keeper)))).toEqual(nodes.map(() => 200));
    }
  }, 60_000);
});
