import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/core/api-keys.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import type { Store, StoreScope } from '../../src/core/ports.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { WebhookDispatcher, webhookBackoff } from '../../src/core/webhook-dispatcher.ts';
import { signWebhook, verifyWebhook } from '../../src/core/webhook-signature.ts';
import { Webhooks } from '../../src/core/webhooks.ts';
import { PostgresStore } from '../../src/stores/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { webhookReceiver } from '../helpers/webhook-receiver.ts';

const admin = { userId: 'usr_admin', role: 'admin', sessionId: undefined as string | undefined, ip: '192.0.2.1' };
const signIn = (userId: string) => ({ userId, remember: false, ip: '203.0.113.9', userAgent: 'test-agent' });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

describe('Standard Webhooks signatures', () => {
  it('match the spec example and verify within the tolerance only', () => {
    // The example of the Standard Webhooks specification (spec/standard-webhooks.md, "Signature scheme").
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, id, 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const headers = { id, timestamp: '1614265330', signature: 'v1,bad v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
    expect(verifyWebhook(secret, headers, body, 1614265330)).toBe(true);
    expect(verifyWebhook(secret, headers, body + ' ', 1614265330)).toBe(false);
    expect(verifyWebhook(secret, headers, body, 1614265330 + 301)).toBe(false);
  });

  it('back off exponentially, capped', () => {
    const half = () => 0.5;
    expect([1, 2, 3, 4].map((n) => webhookBackoff(n, 1000, 5000, half))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe.each([
  ['sqlite', async () => new SqliteStore(':memory:') as Store],
  ['postgres', async () => {
    const store = new PostgresStore(db.url);
    await store.migrate();
    await db.query('TRUNCATE sessions, users, settings, audit_events, api_keys, api_key_usage, webhook_endpoints, webhook_messages, webhook_deliveries, webhook_lease RESTART IDENTITY');
    return store as Store;
  }],
] as const)('the webhook outbox on %s, without the server', (_kind, open) => {
  let store: Store;
  let manager: SessionManager<StoreScope>;
  let dispatcher: WebhookDispatcher;
  let webhooks: Webhooks;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
  let secret: string | undefined;

  async function setUp(options: { retryWindowMs?: number; respond?: (n: number) => number } = {}) {
    store = await open();
    await store.migrate();
    manager = await new SessionManager<StoreScope>({ store, defaults: defaultSettings({}), policy: roleBasedPolicy(['admin']), ...(options.retryWindowMs ? { webhookRetryWindowMs: options.retryWindowMs } : {}) }).start();
    webhooks = new Webhooks({ store, outbox: manager.outbox, audit: manager.audit, policy: manager.policy });
    dispatcher = new WebhookDispatcher({ store, pollIntervalMs: 20, baseBackoffMs: 10, maxBackoffMs: 40 }).start();
    manager.outbox.onEnqueued = () => dispatcher.wake();
    receiver = await webhookReceiver({ secret: () => secret, ...(options.respond ? { respond: options.respond } : {}) });
  }

  afterEach(async () => {
    await dispatcher?.stop();
    await receiver?.close();
    await manager?.stop();
    await store?.close();
    secret = undefined;
  });

  it('writes nothing while no endpoint is configured', async () => {
    await setUp();
    await manager.createSession(signIn('usr_a'));
    expect((await store.listWebhookDeliveries({})).items).toEqual([]);
  });

  it('delivers sign-ins, sign-outs and API-key changes, signed; a filter picks event types', async () => {
    await setUp();
    const all = await webhooks.createEndpoint(admin, { url: receiver!.url });
    secret = all.secret;
    const { session } = await manager.createSession(signIn('usr_a'));
    await manager.revokeSession({ userId: 'usr_a', sessionId: 'ses_other' }, session.id);
    const keys = new ApiKeys({ store, audit: manager.audit });
    await keys.create({ userId: 'usr_a', sessionId: undefined }, 'deploy');
    const got = await receiver!.until((r) => r.length >= 3);
    expect(got.every((r) => r.verified)).toBe(true);
    const byType = Object.fromEntries(got.map((r) => [r.payload.type, r.payload.data]));
    expect(byType['session.created']).toMatchObject({ sessionId: session.id, userId: 'usr_a' });
    expect(byType['session.ended']).toMatchObject({ sessionId: session.id, userId: 'usr_a', reason: 'signed-out-elsewhere', code: 'revoked', actorId: 'usr_a' });
    expect(byType['api-key.created']).toMatchObject({ userId: 'usr_a', name: 'deploy' });
    expect(JSON.stringify(got)).not.toContain('sk_'); // never the key itself
    expect(new Set(got.map((r) => r.id)).size).toBe(3);

    // Only session.ended from now on, to a second endpoint, and nothing to the first once it is disabled.
    await webhooks.updateEndpoint(admin, all.id, { enabled: false });
    const filtered = await webhooks.createEndpoint(admin, { url: receiver!.url, events: ['session.ended'] });
    secret = filtered.secret;
    const next = await manager.createSession(signIn('usr_b'));
    await manager.revokeOtherSessions({ userId: 'usr_b', sessionId: 'ses_none' });
    await receiver!.until((r) => r.length >= 4);
    expect(receiver!.received.slice(3).map((r) => [r.payload.type, r.payload.data.sessionId, r.payload.data.reason, r.verified])).toEqual([
      ['session.ended', next.session.id, 'signed-out-elsewhere', true],
    ]);
    // The answer is recorded just after it arrives.
    await expect.poll(async () => (await webhooks.listDeliveries(admin, {})).items.map((d) => [d.status, d.lastStatusCode])).toEqual(Array(4).fill(['succeeded', 204]));
  });

  it('writes nothing when the change rolls back', async () => {
    await setUp();
    secret = (await webhooks.createEndpoint(admin, { url: receiver!.url })).secret;
    const { session } = await manager.createSession(signIn('usr_a'));
    await receiver!.until((r) => r.length === 1);
    await expect(manager.change(async (change) => {
      await change.revokeSession(session, 'revoked', 'usr_a');
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect((await store.listWebhookDeliveries({})).items).toHaveLength(1);
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx', async () => {
    await setUp({ respond: (n) => (n <= 2 ? 503 : 200) });
    secret = (await webhooks.createEndpoint(admin, { url: receiver!.url })).secret;
    await manager.createSession(signIn('usr_a'));
    const got = await receiver!.until((r) => r.length === 3);
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    expect(got.every((r) => r.verified)).toBe(true);
    await expect.poll(async () => (await store.listWebhookDeliveries({})).items[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
  });

  it('marks a delivery failed when its retry window ends; replay sends the same message again', async () => {
    await setUp({ retryWindowMs: 30, respond: () => 500 });
    secret = (await webhooks.createEndpoint(admin, { url: receiver!.url })).secret;
    await manager.createSession(signIn('usr_a'));
    await expect.poll(async () => (await store.listWebhookDeliveries({})).items[0]?.status, { timeout: 10_000 }).toBe('failed');
    const [failed] = (await webhooks.listDeliveries(admin, {})).items;
    expect(failed).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP 500' });
    const before = receiver!.received.length;
    await webhooks.replay(admin, failed!.id);
    const got = await receiver!.until((r) => r.length > before);
    expect(got[before]!.id).toBe(failed!.messageId);
  });

  it('revoke-matching writes one session.ended per ended session in its transaction (bulk), by filter and by address block', async () => {
    await setUp();
    const endpoint = await webhooks.createEndpoint(admin, { url: receiver!.url, events: ['session.ended'] });
    secret = endpoint.secret;
    const a = await manager.createSession(signIn('usr_a'));
    const b = await manager.createSession(signIn('usr_b'));
    const kept = await manager.createSession({ ...signIn('usr_c'), ip: '198.51.100.4' });
    expect(await manager.revokeMatching(admin, { userIds: ['usr_a', 'usr_b'] }, { reason: 'leaked laptop' })).toEqual({ revoked: 2 });
    const got = await receiver!.until((r) => r.length >= 2);
    expect(got.every((r) => r.verified && r.payload.type === 'session.ended')).toBe(true);
    expect(got.map((r) => r.payload.data).sort((x, y) => String(x.userId).localeCompare(String(y.userId)))).toEqual([
      expect.objectContaining({ sessionId: a.session.id, userId: 'usr_a', reason: 'admin', code: 'revoked-by-admin', actorId: 'usr_admin' }),
      expect.objectContaining({ sessionId: b.session.id, userId: 'usr_b', reason: 'admin', code: 'revoked-by-admin', actorId: 'usr_admin' }),
    ]);
    expect(new Set(got.map((r) => r.id)).size).toBe(2); // a message each

    // The address-block path (matches read, checked, revoked by id) tells the same.
    expect(await manager.revokeMatching(admin, { ip: '198.51.100.0/24' }, { reason: 'bad network' })).toEqual({ revoked: 1 });
    const third = await receiver!.until((r) => r.length >= 3);
    expect(third[2]!.payload.data).toMatchObject({ sessionId: kept.session.id, userId: 'usr_c', reason: 'admin' });
  });

  it('sends a test event to one endpoint, even a disabled one… once enabled', async () => {
    await setUp();
    const endpoint = await webhooks.createEndpoint(admin, { url: receiver!.url, events: ['settings.changed'] });
    secret = endpoint.secret;
    const delivery = await webhooks.sendTest(admin, endpoint.id);
    const [got] = await receiver!.until((r) => r.length === 1);
    expect(got).toMatchObject({ id: delivery.messageId, verified: true, payload: { type: 'webhook.test' } });
    await expect(webhooks.sendTest({ userId: 'usr_a', sessionId: undefined }, endpoint.id)).rejects.toThrow(/administrator/);
  });
});
