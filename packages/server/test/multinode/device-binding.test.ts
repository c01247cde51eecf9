import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from 'seshat/postgres';
import { DbscClient } from 'seshat/testing';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process-server.ts';

/**
 * Device binding across two real `seshat serve` processes on one PostgreSQL database: a session registered on
 * one node is enforced on the other at once (its cached unbound copy is invalidated), a challenge and a bound
 * cookie issued by one node verify on the other (shared, rotated secrets), and a key mismatch detected on one
 * node ends the session on both, like any revocation.
 */
let db: TestDatabase;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let store: PostgresStore;
const ADMIN = { email: 'admin@example.com', password: 'admin password 1' };

beforeAll(async () => {
  db = await createTestDatabase();
  const common = { SESHAT_GC_INTERVAL_SECONDS: '0', DATABASE_URL: db.url, SESHAT_ADMIN_EMAIL: ADMIN.email, SESHAT_ADMIN_PASSWORD: ADMIN.password };
  // Started together: both create the first signing secret at once, as nodes of one deployment may.
  [a, b] = await Promise.all([startServerProcess({ ...common, SESHAT_NODE_ID: 'node-a' }), startServerProcess({ ...common, SESHAT_NODE_ID: 'node-b' })]);
  store = new PostgresStore(db.url);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await store?.close();
  await db?.drop();
});

const sessionStatus = async (device: DbscClient, node: ServerProcess) => (await device.useNode(node.url).fetch('GET', '/api/auth/session')).status;

describe('device binding on two nodes (PostgreSQL)', () => {
  it('registers on one node, is enforced and refreshed on the other, and a key mismatch there ends it on both', async () => {
    const device = await DbscClient.create(a!.url);
    expect((await device.fetch('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
    // B caches the session while it is still unbound.
    expect(await sessionStatus(device, b!)).toBe(200);

    // Registration on A.
    expect((await device.useNode(a!.url).register()).status).toBe(200);
    const id = device.session!.id;
    expect(await store.findSession(id)).toMatchObject({ deviceKey: { alg: 'ES256' } });

    // On B the bound cookie issued by A is accepted, and without it the session is refused: B dropped its
    // cached unbound copy when A bound the key.
    expect(await sessionStatus(device, b!)).toBe(200);
    const bare = await fetch(b!.url + '/api/auth/session', { headers: { cookie: `session_token=${device.jar.get('session_token')}` } });
    expect(bare.status).toBe(401);

    // Refresh on B: the challenge comes from B, the proof goes to B; then A accepts B's cookie.
    expect((await device.useNode(b!.url).refresh()).status).toBe(200);
    expect(await sessionStatus(device, a!)).toBe(200);

    // A thief refreshing on B with another key ends the session; A refuses it too (invalidated over NOTIFY).
    const thief = await device.stolenBy();
    expect((await thief.useNode(b!.url).refresh()).status).toBe(401);
    expect(await store.findSession(id)).toMatchObject({ revokedReason: 'key-mismatch' });
    const deadline = Date.now() + 5_000;
    while ((await sessionStatus(device, a!)) !== 401) {
      if (Date.now() > deadline) throw new Error('node A still accepts the session ended on node B');
      await new Promise((r) => setTimeout(r, 25));
    }
  });
});
