import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from 'seshat/postgres';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The server reaches PostgreSQL through a TCP relay the test can cut, like a database outage.
 * Requests must then get 503 problem+json (retry later), never 401 (which would sign users out).
 */
let db: TestDatabase;
let relay: Server;
const sockets = new Set<Socket>();
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  relay = createTcpServer((inbound) => {
    const outbound = connect(5432, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const port = (relay.address() as { port: number }).port;
  const url = new URL(db.url);
  url.host = `127.0.0.1:${port}`;
  server = await startTestServer({ store: new PostgresStore(url.toString(), { connectionTimeoutMs: 2000 }), env: { SESHAT_CACHE_TTL_SECONDS: '0' } });
});

afterAll(async () => {
  await server?.close().catch(() => {});
  relay?.close();
  await db?.drop();
});

describe('PostgreSQL unreachable', () => {
  it('answers 503 problem+json for a signed-in request and for /healthz, and recovers when the database is back', async () => {
    const user = await server.addUser('dora@example.com');
    const client = new Client(server.url);
    await client.login(user.email);
    expect((await client.get('/api/auth/session')).status).toBe(200);

    // Outage: no new connections, existing ones cut.
    relay.close();
    for (const s of sockets) s.destroy();
    const during = await client.get('/api/auth/session');
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toContain('application/problem+json');
    expect(((await during.json()) as { status: number }).status).toBe(503);
    expect((await client.get('/api/sessions')).status).toBe(503);
    expect((await fetch(server.url + '/healthz')).status).toBe(503);
    expect(client.cookie).toBeDefined(); // nothing cleared the cookie

    // Back: the same cookie works again.
    const port = Number(new URL(String((server.store as PostgresStore).connectionString)).port);
    await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) status = (await client.get('/api/auth/session')).status;
    expect(status).toBe(200);
  });
});
