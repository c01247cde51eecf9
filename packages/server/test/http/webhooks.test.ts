import { afterEach, describe, expect, it } from 'vitest';
import { webhookReceiver } from '../../../seshat/test/helpers/webhook-receiver.ts';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(STORE_KINDS)('webhooks over HTTP (%s)', (kind) => {
  let t: TestServer;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
  afterEach(async () => {
    await t?.close();
    await receiver?.close();
  });

  async function setup() {
    t = await startTestServer({ store: kind, env: { SESHAT_WEBHOOK_POLL_MS: '50' } });
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('alice@example.com');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    return admin;
  }

  it('an admin adds an endpoint (secret shown once); sign-ins, settings and API keys arrive signed; the log has status codes', async () => {
    const admin = await setup();
    let secret: string | undefined;
    receiver = await webhookReceiver({ secret: () => secret });
    const created = await admin.post('/api/admin/webhooks', { url: receiver.url, description: 'SIEM' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toContain('no-store');
    const endpoint = (await created.json()) as { id: string; secret: string; secretHint: string; events: null; enabled: boolean };
    secret = endpoint.secret;
    expect(endpoint).toMatchObject({ events: null, enabled: true });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await (await admin.get('/api/admin/webhooks')).text();
    expect(listed).toContain(endpoint.id);
    expect(listed).not.toContain(endpoint.secret);

    const alice = new Client(t.url);
    const { session } = await alice.login('alice@example.com');
    expect((await admin.patch('/api/admin/settings', { anonymizeIp: true })).status).toBe(200);
    expect((await alice.post('/api/api-keys', { name: 'ci' })).status).toBe(201);
    expect((await alice.post('/api/auth/logout')).status).toBe(204);

    const got = await receiver.until((r) => r.length >= 4);
    expect(got.every((r) => r.verified)).toBe(true);
    const types = got.map((r) => r.payload.type);
    expect(types).toEqual(expect.arrayContaining(['session.created', 'settings.changed', 'api-key.created', 'session.ended']));
    const ended = got.find((r) => r.payload.type === 'session.ended')!;
    expect(ended.payload.data).toMatchObject({ sessionId: session.id, reason: 'signed-out', code: 'sign-out' });

    await expect.poll(async () => {
      const log = (await (await admin.get(`/api/admin/webhooks/deliveries?endpoint=${endpoint.id}`)).json()) as { deliveries: { status: string; lastStatusCode: number | null }[] };
      return log.deliveries.filter((d) => d.status === 'succeeded' && d.lastStatusCode === 204).length;
    }).toBeGreaterThanOrEqual(4);
  });

  it('sends a test event, replays a delivery with the same webhook-id, disables and deletes endpoints', async () => {
    const admin = await setup();
    let secret: string | undefined;
    receiver = await webhookReceiver({ secret: () => secret });
    const endpoint = (await (await admin.post('/api/admin/webhooks', { url: receiver.url, events: ['session.ended'], enabled: false })).json()) as { id: string; secret: string };
    secret = endpoint.secret;

    const test = await admin.post(`/api/admin/webhooks/${endpoint.id}/test`);
    expect(test.status).toBe(202);
    // Disabled endpoints receive nothing, tests included, until enabled.
    const enabled = await admin.patch(`/api/admin/webhooks/${endpoint.id}`, { enabled: true });
    expect(await enabled.json()).toMatchObject({ enabled: true, events: ['session.ended'] });
    const [first] = await receiver.until((r) => r.length === 1);
    expect(first).toMatchObject({ verified: true, payload: { type: 'webhook.test' } });

    const { id: deliveryId, messageId } = (await test.json()) as { id: string; messageId: string };
    expect(first!.id).toBe(messageId);
    await expect.poll(async () => ((await (await admin.get('/api/admin/webhooks/deliveries')).json()) as { deliveries: { status: string }[] }).deliveries[0]?.status).toBe('succeeded');
    expect((await admin.post(`/api/admin/webhooks/deliveries/${deliveryId}/replay`)).status).toBe(202);
    const again = await receiver.until((r) => r.length === 2);
    expect(again[1]!.id).toBe(messageId);

    // Only session.ended passes the filter: a sign-in sends nothing.
    await new Client(t.url).login('alice@example.com');
    expect((await admin.delete(`/api/admin/webhooks/${endpoint.id}`)).status).toBe(204);
    expect((await admin.get(`/api/admin/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/admin/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await admin.get('/api/admin/webhooks/whe_not-an-id')).status).toBe(404);
    expect(receiver.received.map((r) => r.payload.type)).toEqual(['webhook.test', 'webhook.test']);
  });

  it('refuses non-admins, API keys and bad input', async () => {
    const admin = await setup();
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    expect((await alice.get('/api/admin/webhooks')).status).toBe(403);
    expect((await alice.post('/api/admin/webhooks', { url: 'http://127.0.0.1:1/x' })).status).toBe(403);
    expect((await new Client(t.url).get('/api/admin/webhooks')).status).toBe(401);
    const bad = await admin.post('/api/admin/webhooks', { url: 'ftp://example.com/x' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await admin.post('/api/admin/webhooks', { url: 'http://example.com/x', events: ['no.such-event'] })).status).toBe(400);
    const audit = (await (await admin.get('/api/admin/audit?action=webhook.created')).json()) as { events: unknown[] };
    expect(audit.events).toHaveLength(0);
    expect((await admin.post('/api/admin/webhooks', { url: 'http://example.com/x' })).status).toBe(201);
    expect(((await (await admin.get('/api/admin/audit?action=webhook.created')).json()) as { events: unknown[] }).events).toHaveLength(1);
  });
});
