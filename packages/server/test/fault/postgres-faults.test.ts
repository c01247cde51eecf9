import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from 'seshat/postgres';
import { Client, PATIENT_POSTGRES, startTestServer, type TestServer } from '../helpers/server.ts';
import { TcpRelay } from '../helpers/tcp-relay.ts';
import { ThrowawayPostgres } from '../helpers/throwaway-postgres.ts';

/**
 * Issue 14, defects 3, 4 and 5, against a PostgreSQL cluster of this test's own (initdb + pg_ctl in a temporary
 * directory, on another port), which it stops and restarts, and a TCP relay it can silence: the shared server
 * others test against is never disturbed. Each server here is a node of its own (its own pool, its own LISTEN
 * connection), as in a deployment of several processes.
 */
let cluster: ThrowawayPostgres;
let databases = 0;
const admin = { userId: 'usr_fault_admin', role: 'admin' };

beforeAll(async () => {
  cluster = await ThrowawayPostgres.create();
}, 120_000);
afterAll(async () => {
  await cluster?.destroy();
});

/** A fresh database on the throwaway cluster, migrated. */
async function freshDatabase(): Promise<string> {
  const name = `fault_${++databases}`;
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return cluster.url(name);
}

async function node(url: string, nodeId: string, options: PostgresStoreOptions = {}): Promise<TestServer> {
  return startTestServer({ store: new PostgresStore(url, options), env: { SESHAT_NODE_ID: nodeId, SESHAT_GC_INTERVAL_SECONDS: '0' } });
}

/**
 * Twenty sign-ins queue on one account's lock and for ten pooled connections: on a loaded test machine the last ones
 * wait longer than the 2-s production deadlines (and would answer 503), which is not what defect 4 is about.
 */
const PATIENT: PostgresStoreOptions = PATIENT_POSTGRES;

function withCookie(server: TestServer, cookie: string | undefined): Client {
  const c = new Client(server.url);
  c.cookie = cookie;
  return c;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many LISTEN connections a node has open on the database. */
async function listeners(url: string, nodeId: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [`seshat-invalidation ${nodeId}`]);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** GET /api/auth/session; a request that does not answer in 15 s fails the test (a hang is the defect). */
async function sessionStatus(client: Client): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(client.baseUrl + '/api/auth/session', { headers: { cookie: client.cookie ?? '' }, signal: AbortSignal.timeout(15_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: Math.round(performance.now() - started) };
}

describe('defect 3: a revocation made while another node is not listening (PostgreSQL restarted)', () => {
  it('is refused on that node at once, though its pool is back before its LISTEN connection', async () => {
    const url = await freshDatabase();
    const a = await node(url, 'node-a');
    const b = await node(url, 'node-b');
    try {
      await a.addUser('ann@example.com');
      const target = new Client(a.url);
      const { session } = await target.login('ann@example.com');
      const keeper = new Client(a.url);
      await keeper.login('ann@example.com');
      const onB = withCookie(b, target.cookie);
      expect((await sessionStatus(onB)).status).toBe(200);
      expect((await sessionStatus(onB)).status).toBe(200); // cached on B

      // A restart: every connection ends; the LISTEN reconnect backs off (100 ms, 200 ms, … up to 5 s).
      await cluster.stop('fast');
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.start();

      // B's pool reconnects on its next request; without the trust gate it would cache the session again now.
      await until('B to answer 200 again', async () => (await sessionStatus(onB)).status === 200);
      let revoked: Response | undefined;
      await until('the revocation on A', async () => (revoked = await keeper.delete(`/api/sessions/${session.id}`)).status !== 503);
      expect(revoked!.status).toBe(204);
      // The very next request on B, and every one after, is refused.
      for (let i = 0; i < 20; i++) expect((await sessionStatus(onB)).status).toBe(401);
      // Once B listens again, its cache is used again, and revocations still reach it.
      await until('B to listen again', async () => (await listeners(url, 'node-b')) === 1);
      const again = new Client(a.url);
      const { session: second } = await again.login('ann@example.com');
      const secondOnB = withCookie(b, again.cookie);
      expect((await sessionStatus(secondOnB)).status).toBe(200);
      expect((await keeper.delete(`/api/sessions/${second.id}`)).status).toBe(204);
      expect((await sessionStatus(secondOnB)).status).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  }, 90_000);
});

describe('defect 4: the concurrent-session limit under 20 parallel sign-ins', () => {
  for (const action of ['deny', 'evict-oldest'] as const) {
    for (const nodes of [1, 2]) {
      it(`never leaves more than 3 live sessions (${action}, ${nodes} node${nodes > 1 ? 's' : ''})`, async () => {
        const url = await freshDatabase();
        const servers = [await node(url, 'limit-a', PATIENT)];
        if (nodes === 2) servers.push(await node(url, 'limit-b', PATIENT));
        try {
          await servers[0]!.addUser('ann@example.com');
          await servers[0]!.server.manager.updateSettings(admin, { maxSessionsPerUser: 3, sessionLimitAction: action });
          await until('every node to apply the limit', async () => servers.every((s) => s.server.manager.settings.maxSessionsPerUser === 3));
          const statuses = await Promise.all(
            Array.from({ length: 20 }, (_, i) => new Client(servers[i % servers.length]!.url).post('/api/auth/login', { email: 'ann@example.com', password: 'correct horse battery' }).then((r) => r.status)),
          );
          const live = await servers[0]!.store.countActiveSessions(
            { createdBefore: 0, rememberedCreatedBefore: null, idleBefore: null },
            (await servers[0]!.store.findUserByEmail('ann@example.com'))!.id,
          );
          expect(live).toBe(3);
          if (action === 'deny') {
            expect(statuses.filter((s) => s === 200)).toHaveLength(3);
            expect(statuses.filter((s) => s === 409)).toHaveLength(17);
          } else {
            expect(statuses.every((s) => s === 200)).toBe(true);
          }
        } finally {
          for (const s of servers) await s.close();
        }
      }, 60_000);
    }
  }
});

describe('defect 5: the database link goes silent (no FIN, no RST)', () => {
  it('answers 503 problem+json within the query and connection timeouts, never 200 for a session revoked meanwhile, and recovers', async () => {
    const url = await freshDatabase();
    const relay = await new TcpRelay({ host: '127.0.0.1', port: cluster.port }).open();
    const a = await node(url, 'direct-a', PATIENT); // only B's link goes silent: A need not hurry
    const b = await node(relay.url(url), 'relayed-b');
    try {
      await a.addUser('ann@example.com');
      const target = new Client(a.url);
      const { session } = await target.login('ann@example.com');
      const keeper = new Client(a.url);
      await keeper.login('ann@example.com');
      const fresh = new Client(a.url);
      await fresh.login('ann@example.com'); // never seen by B: a cache miss there
      const onB = withCookie(b, target.cookie);
      expect((await sessionStatus(onB)).status).toBe(200); // cached on B

      relay.silence();
      // A revokes; B cannot hear it. A waits for B's confirmation at most its ack timeout (1 s), by which time B's
      // lease has run out too, so B no longer trusts its cache.
      expect((await keeper.delete(`/api/sessions/${session.id}`)).status).toBe(204);
      const stale = await sessionStatus(onB);
      expect(stale.status).toBe(503); // fails closed: never the revoked session's 200
      // The HTTP route also reads the account, which would fail anyway; what an embedding app sees is validation
      // alone: B's cache must not vouch for the session any more (it reads the store, which cannot answer).
      await expect(b.server.manager.validate(target.token)).rejects.toMatchObject({ code: 'unavailable' });
      const miss = await sessionStatus(withCookie(b, fresh.cookie));
      expect(miss.status).toBe(503);
      const later = await sessionStatus(withCookie(b, fresh.cookie));
      expect(later.status).toBe(503);
      const response = await fetch(b.url + '/api/sessions', { headers: { cookie: onB.cookie!, 'sec-fetch-site': 'same-origin' }, signal: AbortSignal.timeout(15_000) });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // Measured, not asserted (the machine may be busy): printed for docs/operations.md.
      console.info(`silent link: 503 after ${stale.ms} ms (cached session), ${miss.ms} ms (cache miss), ${later.ms} ms (next request)`);

      relay.heal();
      await until('B to recover', async () => (await sessionStatus(withCookie(b, fresh.cookie))).status === 200);
      expect((await sessionStatus(onB)).status).toBe(401);
    } finally {
      await a.close();
      await b.close();
      await relay.close();
    }
  }, 90_000);
});
