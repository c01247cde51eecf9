import { randomBytes } from 'node:crypto';
import type { AuditEvent } from './audit.ts';
import type { Clock } from './clock.ts';
import type { WebhookOutboxStore } from './ports.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookEventType, WebhookMessage } from './webhook.ts';

/** How long a delivery is retried before it is marked failed: 24 hours. */
export const DEFAULT_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Ids of 128 random bits. `count` > 1 draws them from one buffer: 200,000 separate draws cost seconds in bulk. */
function newIds(prefix: string, count: number): string[] {
  const bytes = randomBytes(16 * count);
  return Array.from({ length: count }, (_, i) => prefix + bytes.subarray(16 * i, 16 * i + 16).toString('base64url'));
}
const newId = (prefix: string) => newIds(prefix, 1)[0]!;

/** Messages per bulk insert: bounds one statement's parameters (~300 bytes of payload each) at a few MB. */
const BULK_CHUNK = 5_000;

/**
 * The transactional outbox. `enqueue` runs inside a change's transaction, through its scope: the message and one
 * delivery per interested endpoint commit with the change, or not at all. Nothing is sent here; the dispatcher
 * reads the committed deliveries later, so a crash between commit and send loses nothing (it only delays).
 * With no endpoint interested, nothing is written: the table does not grow for a feature nobody uses.
 */
export class WebhookOutbox {
  readonly clock: Clock;
  readonly retryWindowMs: number;
  /** Called (on a later tick) after an enqueue, so a local dispatcher can look at once instead of at its next poll. */
  onEnqueued: (() => void) | null = null;

  constructor(options: { clock: Clock; retryWindowMs?: number }) {
    this.clock = options.clock;
    this.retryWindowMs = options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS;
  }

  /** Writes one event for every enabled endpoint that wants it; returns the message, or null if none did. */
  async enqueue(scope: WebhookOutboxStore, type: WebhookEventType, data: Record<string, unknown>): Promise<WebhookMessage | null> {
    const endpoints = (await scope.listWebhookEndpoints()).filter((e) => e.enabled && (e.events === null || e.events.includes(type)));
    if (endpoints.length === 0) return null;
    return this.#write(scope, type, data, endpoints);
  }

  /**
   * One event of `type` per entry of `data` (a bulk revocation's `session.ended`, one per session), written in bulk:
   * the endpoints are read once, and a store with `insertWebhookMessages` writes thousands of messages per statement.
   * Returns how many messages were written (0 when no endpoint wants the type).
   */
  async enqueueEach(scope: WebhookOutboxStore, type: WebhookEventType, data: readonly Record<string, unknown>[]): Promise<number> {
    if (data.length === 0) return 0;
    const endpoints = (await scope.listWebhookEndpoints()).filter((e) => e.enabled && (e.events === null || e.events.includes(type)));
    if (endpoints.length === 0) return 0;
    for (let start = 0; start < data.length; start += BULK_CHUNK) {
      const chunk = data.slice(start, start + BULK_CHUNK);
      const ids = { messages: newIds('msg_', chunk.length), deliveries: newIds('dlv_', chunk.length * endpoints.length) };
      const at = this.clock.now();
      const built = chunk.map((item, i) => this.#build(type, item, endpoints, at, ids.messages[i]!, ids.deliveries.slice(i * endpoints.length, (i + 1) * endpoints.length)));
      if (scope.insertWebhookMessages) await scope.insertWebhookMessages(built.map((b) => b.message), built.flatMap((b) => b.deliveries));
      else for (const b of built) await scope.insertWebhookMessage(b.message, b.deliveries);
    }
    this.#notify();
    return data.length;
  }

  /** A `webhook.test` message to one endpoint, whatever its filter and state. */
  test(scope: WebhookOutboxStore, endpoint: WebhookEndpoint): Promise<WebhookMessage> {
    return this.#write(scope, 'webhook.test', { endpointId: endpoint.id, message: 'This is a test event from Seshat.' }, [endpoint]);
  }

  /** The events an audit event stands for (the audit trail calls this for every event it records in a change). */
  enqueueFor(scope: WebhookOutboxStore, event: AuditEvent): Promise<unknown> {
    return Promise.all(webhookEventsOf(event).map((e) => this.enqueue(scope, e.type, e.data)));
  }

  async #write(scope: WebhookOutboxStore, type: WebhookMessage['type'], data: Record<string, unknown>, endpoints: WebhookEndpoint[]): Promise<WebhookMessage> {
    const { message, deliveries } = this.#build(type, data, endpoints, this.clock.now(), newId('msg_'), newIds('dlv_', endpoints.length));
    await scope.insertWebhookMessage(message, deliveries);
    this.#notify();
    return message;
  }

  #notify(): void {
    const notify = this.onEnqueued;
    // After the current transaction had its chance to commit; the dispatcher's poll covers the case where not.
    if (notify) setTimeout(notify, 0).unref();
  }

  #build(type: WebhookMessage['type'], data: Record<string, unknown>, endpoints: readonly WebhookEndpoint[], at: number, id: string, deliveryIds: readonly string[]): { message: WebhookMessage; deliveries: WebhookDelivery[] } {
    // The Standard Webhooks payload shape: type, ISO timestamp, data.
    const message: WebhookMessage = { id, type, at, payload: JSON.stringify({ type, timestamp: new Date(at).toISOString(), data }) };
    const deliveries: WebhookDelivery[] = endpoints.map((endpoint, i) => ({
      id: deliveryIds[i]!,
      messageId: message.id,
      endpointId: endpoint.id,
      eventType: type,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      expiresAt: at + this.retryWindowMs,
      createdAt: at,
      lastAttemptAt: null,
      lastStatusCode: null,
      lastError: null,
    }));
    return { message, deliveries };
  }
}

/**
 * Audit actions that are webhook events, with the data receivers get: ids, who, why, and the facts recorded
 * (never a token or a key). `session.ended` is not here: revocations write it themselves (`SessionChange`), one
 * per ended session, with the revocation's reason.
 */
export function webhookEventsOf(event: AuditEvent): { type: WebhookEventType; data: Record<string, unknown> }[] {
  const common = { auditId: event.id, at: new Date(event.at).toISOString(), actorId: event.actorId, userId: event.targetUserId, ip: event.ip };
  const details = event.details ?? {};
  switch (event.action as string) {
    case 'auth.sign-in': {
      const created = { type: 'session.created' as const, data: { ...common, sessionId: event.sessionId, details } };
      return 'risk' in details ? [created, { type: 'session.suspicious', data: { ...common, sessionId: event.sessionId, signals: details.risk, details } }] : [created];
    }
    case 'session.reported':
      return [{ type: 'session.reported', data: { ...common, sessionId: event.sessionId, reason: event.reason, details } }];
    case 'user.force-signed-out':
      return [{ type: 'user.force-signed-out', data: { ...common, reason: event.reason, count: details.count ?? null } }];
    case 'settings.changed':
      return [{ type: 'settings.changed', data: { ...common, before: details.before ?? null, after: details.after ?? null } }];
    case 'policy.changed':
      return [{ type: 'policy.changed', data: { ...common, subject: details.subject ?? null, before: details.before ?? null, after: details.after ?? null } }];
    case 'api-key.created':
    case 'api-key.revoked':
      return [{ type: event.action as 'api-key.created' | 'api-key.revoked', data: { ...common, keyId: details.keyId ?? null, name: details.name ?? null } }];
    default:
      return [];
  }
}
