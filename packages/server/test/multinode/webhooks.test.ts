import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookReceiver, type ReceivedWebhook } from '../../../seshat/test/helpers/webhook-receiver.ts';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { Client } from '../helpers/server.ts';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';

/**
 * Webhook delivery across processes: kill -9 while a delivery is in flight loses nothing (the delivery is sent
 * again, with the same webhook-id), and of two nodes on one PostgreSQL database exactly one delivers.
 */
const EMAIL = 'admin@example.com';
const PASSWORD = 'admin password 1';
const common = {
  LOG_LEVEL: 'warn',
  SESHAT_ADMIN_EMAIL: EMAIL,
  SESHAT_ADMIN_PASSWORD: PASSWORD,
  SESHAT_LOGIN_RATE_LIMIT: '100000',
  SESHAT_GC_INTERVAL_SECONDS: '0',
  SESHAT_WEBHOOK_POLL_MS: '100',
  // A short lease, so the survivor takes over quickly after a kill -9.
  SESHAT_WEBHOOK_LEASE_SECONDS: '2',
  SESHAT_WEBHOOK_RETRY_BASE_MS: '100',
};

let servers: SpawnedServer[] = [];
let receiver: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
let db: TestDatabase | undefined;
let dir: string | undefined;
afterEach(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  servers = [];
  await receiver?.close();
  await db?.drop();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function addEndpoint(url: string): Promise<{ secret: string }> {
  const admin = new Client(url);
  await admin.login(EMAIL, PASSWORD);
  const res = await admin.post('/api/admin/webhooks', { url: receiver!.url, events: ['session.created'] });
  expect(res.status).toBe(201);
  return (await res.json()) as { secret: string };
}

async function signIns(urls: string[], n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await new Client(urls[i % urls.length]!).login(EMAIL, PASSWORD)).session.id);
  return ids;
}

/** Every session id arrived at least once, every copy verified, and copies of one message share its webhook-id. */
function expectNothingLost(received: ReceivedWebhook[], sessionIds: string[]) {
  expect(received.every((r) => r.verified)).toBe(true);
  const idsBySession = new Map<string, Set<string>>();
  for (const r of received) {
    const sessionId = String(r.payload.data.sessionId);
    idsBySession.set(sessionId, (idsBySession.get(sessionId) ?? new Set()).add(r.id));
  }
  for (const id of sessionIds) expect(idsBySession.get(id)?.size, `session ${id}`).toBe(1);
}

describe('webhook delivery across processes', { timeout: 120_000 }, () => {
  it('SQLite: kill -9 while deliveries are in flight loses nothing; the restarted server sends them again with the same webhook-id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'seshat-webhooks-'));
    const env = { ...common, DATABASE_URL: `sqlite:${join(dir, 'seshat.db')}` };
    let secret: string | undefined;
    receiver = await webhookReceiver({ secret: () => secret });
    const first = await spawnServer(env, 60_000);
    servers.push(first);
    secret = (await addEndpoint(first.url)).secret;
    receiver.hold(); // the receiver takes the requests and does not answer: they are in flight
    const before = await signIns([first.url], 3); // (the admin's sign-in for the endpoint came before it existed)
    await receiver.until((r) => r.length >= 1, 'a delivery in flight');
    await first.kill('SIGKILL');
    const inFlight = receiver.received.length;
    receiver.release();

    const second = await spawnServer(env, 60_000);
    servers.push(second);
    const after = await signIns([second.url], 2);
    await receiver.until((r) => new Set(r.map((x) => x.payload.data.sessionId)).size >= 5, 'every sign-in');
    expectNothingLost(receiver.received, [...before, ...after]);
    // What was in flight at the kill came again: a duplicate, recognisable by its webhook-id.
    const duplicated = receiver.received.slice(0, inFlight).map((r) => r.id);
    await receiver.until((r) => duplicated.every((id) => r.filter((x) => x.id === id).length >= 2), 'the in-flight deliveries again');
  });

  it('PostgreSQL, two nodes: exactly one delivers each message; after kill -9 of that node the other takes over and loses nothing', async () => {
    db = await createTestDatabase();
    let secret: string | undefined;
    receiver = await webhookReceiver({ secret: () => secret });
    const a = await spawnServer({ ...common, DATABASE_URL: db.url, SESHAT_NODE_ID: 'node-a' }, 60_000);
    const b = await spawnServer({ ...common, DATABASE_URL: db.url, SESHAT_NODE_ID: 'node-b' }, 60_000);
    servers.push(a!, b!);
    secret = (await addEndpoint(a!.url)).secret;

    // Sign-ins through both nodes: each message arrives exactly once (no crash, so not even a duplicate).
    const both = await signIns([a!.url, b!.url], 8);
    await receiver.until((r) => r.length >= 8, 'eight sign-ins');
    expectNothingLost(receiver.received, both);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(receiver.received.length);
    const holder = String((await db.query('SELECT holder FROM webhook_lease')).rows[0]!.holder);
    expect(['node-a', 'node-b']).toContain(holder);
    const [deliverer, other] = holder === 'node-a' ? [a!, b!] : [b!, a!];

    // Kill the deliverer while it has requests in flight; the other node takes the lease over and resends.
    receiver.hold();
    const count = receiver.received.length;
    const more = await signIns([other.url], 3);
    await receiver.until((r) => r.length > count, 'a delivery in flight');
    await deliverer.kill('SIGKILL');
    receiver.release();
    const later = await signIns([other.url], 2);
    await receiver.until((r) => new Set(r.map((x) => x.payload.data.sessionId)).size >= 13, 'every sign-in');
    expectNothingLost(receiver.received, [...both, ...more, ...later]);
    expect(String((await db.query('SELECT holder FROM webhook_lease')).rows[0]!.holder)).toBe(holder === 'node-a' ? 'node-b' : 'node-a');
  });
});
