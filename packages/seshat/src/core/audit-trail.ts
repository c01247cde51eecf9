import { randomBytes } from 'node:crypto';
import type { AuditAction, AuditEvent, NewAuditEvent } from './audit.ts';
import type { Clock } from './clock.ts';
import type { WebhookOutbox } from './outbox.ts';
import type { AuditQuery, AuditStore, Page, WebhookOutboxStore } from './ports.ts';
import type { Actor } from './session.ts';

/** What an audit event says besides who acted: whom it concerns, in which session, why, and extra facts. */
export interface AuditFields {
  targetUserId?: string | null;
  /** Defaults to the session the actor acts through. */
  sessionId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

/** An event by `actor` (null = the system: the CLI, expiry, GC), with the actor's session and recorded IP. */
export function auditBy(actor: Actor | null, action: AuditAction, fields: AuditFields = {}): NewAuditEvent {
  return {
    action,
    actorId: actor?.userId ?? null,
    targetUserId: fields.targetUserId ?? null,
    sessionId: fields.sessionId !== undefined ? fields.sessionId : (actor?.sessionId ?? null),
    reason: fields.reason ?? null,
    ip: actor?.ip ?? null,
    details: fields.details ?? null,
  };
}

/**
 * Appends and reads audit events. Events that go with a state change are written inside that change's
 * transaction (`SessionChange.audit`); `record` is for events that are the whole change (a failed sign-in).
 */
export class AuditTrail {
  readonly #store: AuditStore;
  readonly #clock: Clock;
  /** Where events that are also webhooks go, in the same transaction (see `WebhookOutbox`). */
  readonly outbox: WebhookOutbox | null;
  constructor(store: AuditStore, clock: Clock, outbox: WebhookOutbox | null = null) {
    this.#store = store;
    this.#clock = clock;
    this.outbox = outbox;
  }

  /** A complete event: a fresh id, and the time now unless given. */
  event(event: NewAuditEvent): AuditEvent {
    return { ...event, id: 'aud_' + randomBytes(12).toString('base64url'), at: event.at ?? this.#clock.now() };
  }

  /** Appends one event through `store` (a transaction's scope) or, by default, the trail's own store. */
  async record(event: NewAuditEvent, store: AuditStore & Partial<WebhookOutboxStore> = this.#store): Promise<AuditEvent> {
    const full = this.event(event);
    await store.appendAudit(full);
    // Every audited change that is also a webhook event (sign-in, settings, API keys…) goes to the outbox here,
    // through the same scope: one hook covers every change path, and the event commits with the change.
    if (this.outbox && store.insertWebhookMessage && store.listWebhookEndpoints) {
      await this.outbox.enqueueFor(store as AuditStore & WebhookOutboxStore, full);
    }
    return full;
  }

  /** Events newest first, filtered and paged. */
  list(query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.#store.listAudit(query);
  }
}
