import { spawn } from 'node:child_process';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, ManualClock, SessionManager, type StoreScope } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { RedisStore } from 'seshat/redis';
import { UserDirectory } from '../../src/users.ts';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { createTestPrefix, REDIS_URL } from '../../../seshat/test/helpers/redis.ts';
import { seshatCommand } from '../helpers/command.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process-server.ts';
import { Client, TEST_PASSWORD_COST } from '../helpers/server.ts';

/**
 * Two real `seshat serve` processes (A and B) with the Redis session tier: sessions in one Redis (a key prefix of
 * their own), users, settings and audit in one fresh PostgreSQL database, revocations over Redis pub/sub.
 * If Redis or PostgreSQL is unreachable, beforeAll throws and every test fails: never a silent skip.
 */
let db: TestDatabase;
let keys: Awaited<ReturnType<typeof createTestPrefix>>;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let store: RedisStore;
let issuer: SessionManager<StoreScope>;
let users: UserDirectory;
const node = (name: string) => `redis-${name}-${process.pid}`;

beforeAll(async () => {
  keys = await createTestPrefix();
  db = await createTestDatabase();
  const common = {
    SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url, SESHAT_REDIS_URL: REDIS_URL, SESHAT_REDIS_PREFIX: keys.prefix,
    SESHAT_ADMIN_EMAIL: 'admin@example.com', SESHAT_ADMIN_PASSWORD: 'admin password 1',
    SESHAT_DB_CONNECT_TIMEOUT_MS: '30000', SESHAT_DB_QUERY_TIMEOUT_MS: '30000', SESHAT_DB_STATEMENT_TIMEOUT_MS: '25000',
  };
  [a, b] = await Promise.all([
    startServerProcess({ ...common, SESHAT_NODE_ID: node('a') }),
    startServerProcess({ ...common, SESHAT_NODE_ID: node('b'), SESHAT_TOUCH_INTERVAL_SECONDS: '1' }),
  ]);
  store = new RedisStore({ url: REDIS_URL, postgres: new PostgresStore(db.url), prefix: keys.prefix });
  // Sessions are issued straight through a manager on the same data (a login per session would cost a full scrypt).
  issuer = await new SessionManager<StoreScope>({ store, clock: new ManualClock(Date.now() - 2 * MINUTE), cache: false }).start();
  users = new UserDirectory(store, issuer, TEST_PASSWORD_COST);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await issuer?.stop();
  await store?.close();
  await keys?.drop();
  await db?.drop();
});

/** Runs the `seshat` CLI with the same Redis tier as the servers. */
function seshat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const command = seshatCommand(args);
    const env = { ...process.env, DATABASE_URL: db.url, SESHAT_REDIS_URL: REDIS_URL, SESHAT_REDIS_PREFIX: keys.prefix };
    const child = spawn(command.command, command.args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

let userCount = 0;
async function newUser(): Promise<string> {
  return (await users.create({ email: `user${++userCount}@example.com`, name: 'User', password: 'irrelevant password' })).id;
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

/** Redis client ids of a node's listening connections (named after its node id). */
async function listeners(nodeId: string): Promise<string[]> {
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  try {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
    return list.split('\n').filter((line) => line.includes(` name=seshat-invalidation_${nodeId} `)).map((line) => /id=(\d+)/.exec(line)![1]!);
  } finally {
    admin.destroy();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two server processes on one Redis session tier and one PostgreSQL database', () => {
  it('both nodes are up on the Redis store, and each listens for invalidations on Redis', async () => {
    expect(await store.countUsers()).toBe(1);
    for (const server of [a!, b!]) expect(await (await fetch(server.url + '/healthz')).json()).toEqual({ status: 'ok', store: 'redis' });
    expect(await listeners(node('a'))).toHaveLength(1);
    expect(await listeners(node('b'))).toHaveLength(1);
  });

  it('revoke on A: the very next request on B is refused; the session is in Redis, the audit in PostgreSQL', async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200); // now cached on B
    expect(await status(b!, target)).toBe(200);

    expect((await client(a!, other).delete(`/api/sessions/${target.id}`)).status).toBe(204);
    expect(await status(b!, target)).toBe(401);
    expect(await status(a!, target)).toBe(401);
    expect(await status(b!, other)).toBe(200);
    expect(await store.findSession(target.id)).toMatchObject({ revokedReason: 'revoked' });
    expect((await db.query('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n).toBe(0);
    expect((await db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'session.revoked' AND session_id = $1", [target.id])).rows[0]!.n).toBe(1);
  });

  it('a session ended on A is explained on B: 401 …/session-ended with the reason', async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200);
    expect((await client(a!, other).post('/api/sessions/revoke-others')).status).toBe(200);
    const res = await fetch(`${b!.url}/api/sessions`, { headers: { cookie: target.cookie } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'https://seshat.dev/problems/session-ended', endedReason: 'signed-out-elsewhere' });
  });

  it("with B's listening connection killed, B still refuses a session revoked on A on its very next request", async () => {
    const userId = await newUser();
    const target = await issue(userId);
    const other = await issue(userId);
    expect(await status(b!, target)).toBe(200);

    const [id] = await listeners(node('b'));
    expect(id).toBeDefined();
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    try {
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', id!]);
    } finally {
      admin.destroy();
    }
    expect((await client(a!, other).delete(`/api/sessions/${target.id}`)).status).toBe(204);
    // B may have heard nothing, but a node that is not listening trusts no cache: refused at once.
    expect(await status(b!, target)).toBe(401);
    await until('B to listen again', async () => {
      const now = await listeners(node('b'));
      return now.length === 1 && now[0] !== id;
    }, 15_000);
    const next = await issue(userId);
    expect(await status(b!, next)).toBe(200);
    expect((await client(a!, other).delete(`/api/sessions/${next.id}`)).status).toBe(204);
    expect(await status(b!, next)).toBe(401);
  });

  it("B's touches reach Redis and never undo A's revocation", async () => {
    const userId = await newUser();
    const keeper = await issue(userId);
    const sessions = await Promise.all(Array.from({ length: 10 }, () => issue(userId)));
    for (const s of sessions) expect(await status(b!, s)).toBe(200);
    await until('a touch batch from B', async () => (await Promise.all(sessions.map((s) => store.findSession(s.id)))).some((row) => row!.requests > 1), 30_000);
    expect((await client(a!, keeper).post('/api/sessions/revoke-others')).status).toBe(200);
    for (const s of sessions) expect(await status(b!, s)).toBe(401);
    // B's next batch (one per second) comes after the revocation: the rows stay ended.
    await new Promise((r) => setTimeout(r, 1500));
    for (const s of sessions) expect((await store.findSession(s.id))!.revokedAt).not.toBeNull();
    expect(await status(a!, keeper)).toBe(200);
  }, 60_000);

  // Last: it signs everyone out.
  it('the CLI on the same tier: invalidate-all ends every session in Redis, and both nodes refuse at once', async () => {
    const userId = await newUser();
    const sessions = [await issue(userId), await issue(userId)];
    for (const s of sessions) {
      expect(await status(a!, s)).toBe(200);
      expect(await status(b!, s)).toBe(200);
    }
    const result = await seshat(['sessions', 'invalidate-all', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Signed out \d+ sessions/);
    for (const s of sessions) {
      expect(await status(a!, s)).toBe(401);
      expect(await status(b!, s)).toBe(401);
    }
    expect(await issuer.countActiveSessions()).toBe(0);
  }, 60_000);
});
