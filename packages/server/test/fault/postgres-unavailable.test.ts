import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from 'seshat';
import { openStore } from 'seshat';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * PostgreSQL goes away under a running server (a real failure: every connection between them is cut and
 * new ones are refused), then comes back. Validation must fail closed (503) meanwhile, no revocation may be
 * reported done, and the server must recover by itself. The server reaches PostgreSQL through a TCP relay
 * the test controls, so the shared PostgreSQL server is never disturbed.
 */
const BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const database = `seshat_t_${randomBytes(5).toString('hex')}`;

async function postgresAvailable(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: BASE, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    await admin.end();
  } catch {
    return false;
  }
  try {
    await (await openStore('postgres://127.0.0.1:1/x')).close();
    return true;
  } catch {
    return false; // this build has no PostgreSQL store
  }
}
const available = await postgresAvailable();

/** A TCP relay to PostgreSQL that can be cut (sockets destroyed, port closed) and restored on the same port. */
class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  async open(): Promise<void> {
    const { hostname, port } = new URL(BASE);
    this.#server = createTcpServer((client) => {
      const upstream = connect(Number(port || 5432), hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}

let relay: Relay;
let t: TestServer;
let store: Store;

beforeAll(async () => {
  if (!available) return;
  const admin = new pg.Client({ connectionString: BASE });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  relay = new Relay();
  await relay.open();
  const url = new URL(BASE);
  url.host = `127.0.0.1:${relay.port}`;
  url.pathname = `/${database}`;
  store = await openStore(url.toString());
  t = await startTestServer({ store });
});

afterAll(async () => {
  if (!available) return;
  await t?.close().catch(() => {});
  await relay?.cut().catch(() => {});
  const admin = new pg.Client({ connectionString: BASE });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

async function expectUnavailable(res: Response, what: string): Promise<void> {
  expect(res.status, what).toBe(503);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
}

describe.skipIf(!available)('PostgreSQL unavailable', () => {
  it('fails closed while the database is unreachable, reports no revocation it did not make, and recovers', async () => {
    await t.addUser('ann@example.com');
    const a = new Client(t.url);
    const b = new Client(t.url);
    await a.login('ann@example.com');
    const { session: bSession } = await b.login('ann@example.com');

    await relay.cut();
    await expectUnavailable(await a.get('/api/auth/session'), 'validation');
    await expectUnavailable(await b.get('/api/sessions'), 'listing');
    await expectUnavailable(await a.delete(`/api/sessions/${bSession.id}`), 'revoke one');
    await expectUnavailable(await a.post('/api/sessions/revoke-others'), 'revoke others');
    await expectUnavailable(await a.post('/api/auth/logout'), 'logout');
    await expectUnavailable(await fetch(`${t.url}/healthz`), 'health');

    await relay.open(); // same port: the pool reconnects on its own
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${t.url}/healthz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('server did not recover');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Nothing was revoked by the failed attempts.
    expect((await a.get('/api/auth/session')).status).toBe(200);
    expect((await b.get('/api/auth/session')).status).toBe(200);
  }, 60_000);
});
