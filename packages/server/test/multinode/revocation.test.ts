import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, ManualClock, SessionManager, roleBasedPolicy, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { UserDirectory } from '../../src/users.ts';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process-server.ts';
import { Client, TEST_PASSWORD_COST } from '../helpers/server.ts';

/**
 * Two real `seshat serve` processes (A and B) on one fresh PostgreSQL database, as in a multi-node
 * deployment behind a load balancer. B uses a short cache TTL so the "notification lost" bound is testable.
 */
const B_CACHE_TTL_SECONDS = 3;

let db: TestDatabase;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let store: PostgresStore;
let issuer: SessionManager<StoreScope>;
let users: UserDirectory;

beforeAll(async () => {
  db = await createTestDatabase();
  // No background GC (where the server has one): the test inspects revoked rows afterwards.
  // Patient database timeouts: thirty parallel revocations queue for ten pooled connections, and on a loaded test
  // machine the 2-s production deadlines would turn some into 503s, which is not what these tests are about
  // (test/fault/postgres-faults.test.ts is).
  const common = {
    SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url, SESHAT_ADMIN_EMAIL: 'admin@example.com', SESHAT_ADMIN_PASSWORD: 'admin password 1',
    SESHAT_DB_CONNECT_TIMEOUT_MS: '30000', SESHAT_DB_QUERY_TIMEOUT_MS: '30000', SESHAT_DB_STATEMENT_TIMEOUT_MS: '25000',
  };
  // Started together: both migrate and both try to create the admin at once, as nodes of one deployment do.
  [a, b] = await Promise.all([
    startServerProcess({ ...common, SESHAT_NODE_ID: 'node-a' }),
    startServerProcess({ ...common, SESHAT_NODE_ID: 'node-b', SESHAT_CACHE_TTL_SECONDS: String(B_CACHE_TTL_SECONDS), SESHAT_TOUCH_INTERVAL_SECONDS: '1' }),
  ]);
  store = new PostgresStore(db.url);
  // Sessions are issued straight through a manager on the same database (a login per session would cost
  // a full scrypt each); they were "created" ten minutes ago so B's first request on each is due to touch.
  // Sessions signed in two minutes ago: old enough for touches to be due, recent enough for the step-up window
  // (10 min) that "sign out other sessions" asks for.
  issuer = await new SessionManager<StoreScope>({ store, clock: new ManualClock(Date.now() - 2 * MINUTE), cache: false }).start();
  users = new UserDirectory(store, issuer, TEST_PASSWORD_COST);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await issuer?.stop();
  await store?.close();
  await db?.drop();
});

let userCount = 0;
async function newUser(): Promise<string> {
  const user = await users.create({ email: `user${++userCount}@example.com`, name: 'User', password: 'irrelevant password' });
  return user.id;
}

async function issue(userId: string): Promise<{ id: string; cookie: string }> {
  const created = await issuer.createSession({ userId, remember: false, ip: null, userAgent: null });
  return { id: created.session.id, cookie: `session_token=${created.token}` };
}

function client(server: ServerProcess, session: { cookie: string }): Client {
  const c = new Client(server.url);
  c.cookie = session.cookie;
  return c;
}

async function status(server: ServerProcess, session: { cookie: string }): Promise<number> {
  return (await client(server, session).get('/api/auth/session')).status;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function listenerPids(nodeId: string): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2', [
    `seshat-invalidation ${nodeId}`,
    db.name,
  ]);
  return rows.map((r) => r.pid);
}

describe('two server processes on one PostgreSQL database', () => {
  it('both nodes are up, share the admin account, and each listens for invalidations', async () => {
    expect(await store.countUsers()).toBe(1);
    expect(await listenerPids('node-a')).toHaveLength(1);
    expect(await listenerPids('node-b')).toHaveLength(1);
    for (const server of [a!, b!]) expect((await fetch(server.url + '/healthz')).status).toBe(200);
  });

  it('revoke on A: the very next request on B is refused', async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200); // now cached on B
    expect(await status(b!, target)).toBe(200);

    expect((await client(a!, other).delete(`/api/sessions/${target.id}`)).status).toBe(204);
    expect(await status(b!, target)).toBe(401);
    expect(await status(a!, target)).toBe(401);
    expect(await status(b!, other)).toBe(200);
  });

  it('a session ended on A is explained on B: 401 …/session-ended with the reason, the cookie cleared (issue #10, item 1)', async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200); // cached on B
    expect((await client(a!, other).post('/api/sessions/revoke-others')).status).toBe(200);
    const res = await fetch(`${b!.url}/api/sessions`, { headers: { cookie: target.cookie } });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toMatch(/^session_token=;.*Max-Age=0/i);
    expect(await res.json()).toMatchObject({ type: 'https://seshat.dev/problems/session-ended', endedReason: 'signed-out-elsewhere' });
  });

  it("with B's notification connection cut, B still refuses a session revoked on A on its very next request", async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200);

    const [pid] = await listenerPids('node-b');
    expect(pid).toBeDefined();
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await status(b!, target)).toBe(200); // B keeps serving while it reconnects, from the store, not its cache
    expect((await client(a!, other).delete(`/api/sessions/${target.id}`)).status).toBe(204);

    // B heard nothing, but a node that is not listening trusts no cache (issue 14, defect 3): refused at once.
    expect(await status(b!, target)).toBe(401);
    await until('B to listen again', async () => {
      const pids = await listenerPids('node-b');
      return pids.length === 1 && pids[0] !== pid;
    }, 15_000);

    // Listening again: the next revocation reaches B through NOTIFY.
    const next = await issue(userId);
    expect(await status(b!, next)).toBe(200);
    expect((await client(a!, other).delete(`/api/sessions/${next.id}`)).status).toBe(204);
    expect(await status(b!, next)).toBe(401);
  });

  it('concurrent revoke on A and touches on B lose nothing', async () => {
    const userId = await newUser();
    const keeper = await issue(userId);
    const sessions = await Promise.all(Array.from({ length: 60 }, () => issue(userId)));
    for (const s of sessions.slice(0, 10)) expect(await status(b!, s)).toBe(200);

    // B hammers every session (touch interval 1 s, sessions last active 2 minutes ago: touches are due).
    let hammering = true;
    const seenOnB: number[] = [];
    const hammer = async (offset: number) => {
      for (let i = offset; hammering; i += 4) seenOnB.push(await status(b!, sessions[i % sessions.length]!));
    };
    const workers = [0, 1, 2, 3].map(hammer);
    // B writes its activity once per touch interval (1 s): let a batch land first, so revocations race real writes.
    await until('a touch batch from B', async () => (await Promise.all(sessions.map((s) => store.findSession(s.id)))).some((row) => row!.requests > 1), 30_000);

    // A revokes them all while that goes on: half one by one, concurrently, the rest with "sign out other sessions".
    const keeperOnA = client(a!, keeper);
    const oneByOne = sessions.slice(0, 30);
    const answers = await Promise.all(oneByOne.map((s) => keeperOnA.delete(`/api/sessions/${s.id}`).then((r) => r.status)));
    expect(answers.every((s) => s === 204)).toBe(true);
    const rest = await keeperOnA.post('/api/sessions/revoke-others');
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { revoked: number }).revoked).toBe(30);
    // Keep hammering a little after the last revocation, so late touches are attempted too.
    const extra = seenOnB.length + 2 * sessions.length;
    await until('more requests on B after the revocations', async () => seenOnB.length >= extra, 30_000);
    hammering = false;
    await Promise.all(workers);

    expect(seenOnB.every((s) => s === 200 || s === 401)).toBe(true);
    expect(seenOnB).toContain(401);
    for (const s of sessions) {
      expect(await status(b!, s)).toBe(401);
      expect(await status(a!, s)).toBe(401);
      const row = await store.findSession(s.id);
      expect(row!.revokedAt).not.toBeNull();
      expect(['revoked', 'signed-out-others']).toContain(row!.revokedReason);
    }
    // B wrote touches during the run (awaited above), and none of them undid a revocation (checked per row above).
    expect(await status(b!, keeper)).toBe(200);
    expect(await status(a!, keeper)).toBe(200);
  }, 60_000);

  it('settings changed through one node apply on the other', async () => {
    // No admin settings endpoint in this branch: change them through a manager on the same database with
    // a channel, which is what the admin API does on its node.
    const channel = store.createInvalidationChannel({ nodeId: 'test-admin' });
    const admin = await new SessionManager({ store, channel, policy: roleBasedPolicy(['admin']) }).start();
    const actor = { userId: 'usr_test', role: 'admin' };
    try {
      const userId = await newUser();
      const control = await issue(userId); // last active ten minutes ago
      expect(await status(b!, control)).toBe(200); // fine under the default 7-day idle timeout
      await admin.updateSettings(actor, { idleTimeoutSeconds: 60 });
      // Each probe is a fresh session idle for ten minutes: one that B accepted would be touched (made
      // active) by that very request, so it is never asked again.
      await until('B to apply the one-minute idle timeout', async () => (await status(b!, await issue(userId))) === 401, 5000);
    } finally {
      await admin.updateSettings(actor, { idleTimeoutSeconds: 7 * 86400 });
      await admin.stop();
    }
  });
});
