import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../core/ports.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookMessage } from '../core/webhook.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const id = (prefix: string) => prefix + randomBytes(9).toString('base64url');

/** A webhook endpoint for store tests; `overrides` win. */
export function webhookEndpointRecord(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return { id: id('whe_'), url: 'http://127.0.0.1:9/hook', secret: 'whsec_' + randomBytes(24).toString('base64'), events: null, enabled: true, description: null, createdAt: NOW, ...overrides };
}

function message(overrides: Partial<WebhookMessage> = {}): WebhookMessage {
  // Key order and spacing that JSONB would not keep: the store must return the body byte for byte.
  return { id: id('msg_'), type: 'session.created', at: NOW, payload: '{"type":"session.created", "b":1,"a":"ü"}', ...overrides };
}

function delivery(m: WebhookMessage, endpoint: WebhookEndpoint, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: id('dlv_'), messageId: m.id, endpointId: endpoint.id, eventType: m.type, status: 'pending', attempts: 0, nextAttemptAt: NOW,
    expiresAt: NOW + 86_400_000, createdAt: NOW, lastAttemptAt: null, lastStatusCode: null, lastError: null, ...overrides,
  };
}

/** The WebhookStore part of the store contract: every dialect must pass it. */
export function webhookStoreContract(current: () => Store): void {
  describe('webhooks', () => {
    it('round-trips endpoints, changes and deletes them', async () => {
      const store = current();
      const a = webhookEndpointRecord({ events: ['session.ended', 'api-key.created'], description: 'audit sink' });
      const b = webhookEndpointRecord({ createdAt: NOW + 1, enabled: false });
      await store.insertWebhookEndpoint(a);
      await store.insertWebhookEndpoint(b);
      expect(await store.listWebhookEndpoints()).toEqual([a, b]);
      expect(await store.updateWebhookEndpoint(a.id, { enabled: false, events: null, url: 'https://example.com/x' })).toBe(true);
      expect(await store.findWebhookEndpoint(a.id)).toEqual({ ...a, enabled: false, events: null, url: 'https://example.com/x' });
      expect(await store.updateWebhookEndpoint('whe_missing', { enabled: true })).toBe(false);
      expect(await store.deleteWebhookEndpoint(b.id)).toBe(true);
      expect(await store.deleteWebhookEndpoint(b.id)).toBe(false);
      expect(await store.findWebhookEndpoint(b.id)).toBeNull();
    });

    it('stores a message with its deliveries, hands out due ones with the exact body, records attempts', async () => {
      const store = current();
      const on = webhookEndpointRecord();
      const off = webhookEndpointRecord({ enabled: false });
      await store.insertWebhookEndpoint(on);
      await store.insertWebhookEndpoint(off);
      const m = message();
      const d1 = delivery(m, on);
      const d2 = delivery(m, off);
      const later = delivery(m, on, { nextAttemptAt: NOW + 1000 });
      await store.insertWebhookMessage(m, [d1, d2, later]);
      const due = await store.dueWebhookDeliveries(NOW, 10);
      expect(due.map((d) => d.id)).toEqual([d1.id]); // not the disabled endpoint's, not the later one
      expect(due[0]).toMatchObject({ url: on.url, secret: on.secret, payload: m.payload });

      await store.recordWebhookAttempt(d1.id, { at: NOW + 5, status: 'pending', statusCode: 503, error: 'HTTP 503', nextAttemptAt: NOW + 5000 });
      expect(await store.findWebhookDelivery(d1.id)).toMatchObject({ attempts: 1, status: 'pending', lastStatusCode: 503, lastAttemptAt: NOW + 5, nextAttemptAt: NOW + 5000 });
      expect((await store.dueWebhookDeliveries(NOW + 1000, 10)).map((d) => d.id)).toEqual([later.id]);
      await store.recordWebhookAttempt(d1.id, { at: NOW + 6000, status: 'succeeded', statusCode: 204, error: null, nextAttemptAt: null });
      expect(await store.findWebhookDelivery(d1.id)).toMatchObject({ attempts: 2, status: 'succeeded', lastStatusCode: 204, lastError: null });

      const log = await store.listWebhookDeliveries({ limit: 2 });
      expect(log.items.map((d) => d.id)).toEqual([later.id, d2.id]);
      expect((await store.listWebhookDeliveries({ limit: 2, cursor: log.nextCursor })).items.map((d) => d.id)).toEqual([d1.id]);
      expect((await store.listWebhookDeliveries({ endpointId: off.id })).items.map((d) => d.id)).toEqual([d2.id]);

      expect(await store.requeueWebhookDelivery(d1.id, NOW + 7000, NOW + 9000)).toBe(true);
      expect(await store.findWebhookDelivery(d1.id)).toMatchObject({ status: 'pending', nextAttemptAt: NOW + 7000, expiresAt: NOW + 9000 });
      expect(await store.requeueWebhookDelivery('dlv_missing', NOW, NOW)).toBe(false);
    });

    it('rolls a message back with the transaction it was written in', async () => {
      const store = current();
      const endpoint = webhookEndpointRecord();
      await store.insertWebhookEndpoint(endpoint);
      const m = message();
      await expect(store.transaction(async (scope) => {
        await scope.insertWebhookMessage(m, [delivery(m, endpoint)]);
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
      expect((await store.listWebhookDeliveries({})).items).toEqual([]);
    });

    it('gives the delivery lease to one holder until it expires or is released', async () => {
      const store = current();
      expect(await store.claimWebhookLease('n1', NOW, 1000)).toBe(true);
      expect(await store.claimWebhookLease('n2', NOW + 10, 1000)).toBe(false);
      expect(await store.claimWebhookLease('n1', NOW + 500, 1000)).toBe(true); // renewed until NOW + 1500
      expect(await store.claimWebhookLease('n2', NOW + 1200, 1000)).toBe(false);
      expect(await store.claimWebhookLease('n2', NOW + 1501, 1000)).toBe(true);
      await store.releaseWebhookLease('n1'); // not n1's any more: nothing happens
      expect(await store.claimWebhookLease('n1', NOW + 1600, 1000)).toBe(false);
      await store.releaseWebhookLease('n2');
      expect(await store.claimWebhookLease('n1', NOW + 1600, 1000)).toBe(true);
      const claims = await Promise.all(['a', 'b', 'c', 'd'].map((h) => store.claimWebhookLease(h, NOW + 10_000, 1000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('prunes finished deliveries and orphaned messages, keeps pending ones', async () => {
      const store = current();
      const endpoint = webhookEndpointRecord();
      await store.insertWebhookEndpoint(endpoint);
      const m1 = message({ at: NOW - 10 });
      const m2 = message({ at: NOW - 10 });
      const done = delivery(m1, endpoint, { createdAt: NOW - 10 });
      const pending = delivery(m2, endpoint, { createdAt: NOW - 10 });
      await store.insertWebhookMessage(m1, [done]);
      await store.insertWebhookMessage(m2, [pending]);
      await store.recordWebhookAttempt(done.id, { at: NOW, status: 'failed', statusCode: 500, error: 'HTTP 500', nextAttemptAt: null });
      expect(await store.pruneWebhookDeliveries(NOW)).toBe(1);
      expect((await store.listWebhookDeliveries({})).items.map((d) => d.id)).toEqual([pending.id]);
    });
  });
}
