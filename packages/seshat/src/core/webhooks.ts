import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { auditBy, type AuditTrail } from './audit-trail.ts';
import { SeshatError } from './errors.ts';
import type { WebhookOutbox } from './outbox.ts';
import type { AuditStore, Page, Transactional, WebhookStore } from './ports.ts';
import type { PermissionPolicy } from './permissions.ts';
import type { Actor } from './session.ts';
import { storableText } from './text.ts';
import { webhookEventTypeSchema, webhookUrlSchema, type WebhookDelivery, type WebhookEndpoint } from './webhook.ts';
import { newWebhookSecret } from './webhook-signature.ts';

/** A new endpoint: URL, which events (omitted or null = all), a note, and whether it starts enabled (default yes). */
export const newWebhookEndpointSchema = z.object({
  url: webhookUrlSchema,
  events: z.array(webhookEventTypeSchema).min(1).max(20).nullable().optional(),
  description: storableText.trim().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
});
/** What `createEndpoint` takes (see `newWebhookEndpointSchema`). */
export type NewWebhookEndpoint = z.infer<typeof newWebhookEndpointSchema>;
/** A change to an endpoint: any of the same fields. */
export const webhookEndpointPatchSchema = newWebhookEndpointSchema.partial();
/** What `updateEndpoint` takes (see `webhookEndpointPatchSchema`). */
export type WebhookEndpointPatch = z.infer<typeof webhookEndpointPatchSchema>;

/** What webhook administration reads and writes; endpoint changes commit with their audit events. */
export type WebhookScope = WebhookStore & AuditStore;

/**
 * Webhook administration (team managers only): endpoints, the delivery log, test events and replays.
 * Usable without the server: give it the store, the manager's outbox and audit trail, and a policy.
 */
export class Webhooks {
  readonly #store: WebhookScope & Transactional<WebhookScope>;
  readonly #outbox: WebhookOutbox;
  readonly #audit: AuditTrail;
  readonly #policy: PermissionPolicy;

  constructor(options: { store: WebhookScope & Transactional<WebhookScope>; outbox: WebhookOutbox; audit: AuditTrail; policy: PermissionPolicy }) {
    this.#store = options.store;
    this.#outbox = options.outbox;
    this.#audit = options.audit;
    this.#policy = options.policy;
  }

  /** Creates an endpoint. The secret is in this answer only; afterwards the API shows its first characters. */
  async createEndpoint(actor: Actor | null, input: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    this.#require(actor);
    const fields = parse(newWebhookEndpointSchema, input);
    const endpoint: WebhookEndpoint = {
      id: 'whe_' + randomBytes(12).toString('base64url'),
      url: fields.url,
      secret: newWebhookSecret(),
      events: fields.events ?? null,
      enabled: fields.enabled ?? true,
      description: fields.description ?? null,
      createdAt: this.#outbox.clock.now(),
    };
    await this.#store.transaction(async (scope) => {
      await scope.insertWebhookEndpoint(endpoint);
      await this.#audit.record(auditBy(actor, 'webhook.created', { details: { endpointId: endpoint.id, url: endpoint.url, events: endpoint.events } }), scope);
    });
    return endpoint;
  }

  /** Every endpoint, oldest first (secrets included: for the API to hide). */
  async listEndpoints(actor: Actor | null): Promise<WebhookEndpoint[]> {
    this.#require(actor);
    return this.#store.listWebhookEndpoints();
  }

  /** One endpoint; `not_found` if there is none. */
  async getEndpoint(actor: Actor | null, id: string): Promise<WebhookEndpoint> {
    this.#require(actor);
    const endpoint = await this.#store.findWebhookEndpoint(id);
    if (!endpoint) throw new SeshatError('not_found', 'No such webhook endpoint.');
    return endpoint;
  }

  /** Changes URL, filter, note or enabled state. */
  async updateEndpoint(actor: Actor | null, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    this.#require(actor);
    const fields = parse(webhookEndpointPatchSchema, patch);
    const change: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description'>> = {};
    if (fields.url !== undefined) change.url = fields.url;
    if (fields.events !== undefined) change.events = fields.events;
    if (fields.enabled !== undefined) change.enabled = fields.enabled;
    if (fields.description !== undefined) change.description = fields.description;
    await this.#store.transaction(async (scope) => {
      if (!(await scope.updateWebhookEndpoint(id, change))) throw new SeshatError('not_found', 'No such webhook endpoint.');
      await this.#audit.record(auditBy(actor, 'webhook.changed', { details: { endpointId: id, ...change } }), scope);
    });
    return this.getEndpoint(actor, id);
  }

  /** Deletes an endpoint with its delivery log; pending deliveries to it are dropped. */
  async deleteEndpoint(actor: Actor | null, id: string): Promise<void> {
    this.#require(actor);
    await this.#store.transaction(async (scope) => {
      if (!(await scope.deleteWebhookEndpoint(id))) throw new SeshatError('not_found', 'No such webhook endpoint.');
      await this.#audit.record(auditBy(actor, 'webhook.deleted', { details: { endpointId: id } }), scope);
    });
  }

  /** The delivery log, newest first (of one endpoint, or all). */
  async listDeliveries(actor: Actor | null, query: { endpointId?: string; limit?: number; cursor?: string | null }): Promise<Page<WebhookDelivery>> {
    this.#require(actor);
    return this.#store.listWebhookDeliveries(query);
  }

  /** Queues a `webhook.test` event to one endpoint (enabled or not: testing comes before enabling). */
  async sendTest(actor: Actor | null, endpointId: string): Promise<WebhookDelivery> {
    const endpoint = await this.getEndpoint(actor, endpointId);
    const message = await this.#store.transaction((scope) => this.#outbox.test(scope, endpoint));
    const page = await this.#store.listWebhookDeliveries({ endpointId, limit: 5 });
    const delivery = page.items.find((d) => d.messageId === message.id);
    if (!delivery) throw new Error('The test delivery was not stored.');
    return delivery;
  }

  /** Sends a delivery again (the same message and `webhook-id`), with a fresh retry window. */
  async replay(actor: Actor | null, deliveryId: string): Promise<WebhookDelivery> {
    this.#require(actor);
    const now = this.#outbox.clock.now();
    if (!(await this.#store.requeueWebhookDelivery(deliveryId, now, now + this.#outbox.retryWindowMs))) {
      throw new SeshatError('not_found', 'No such webhook delivery.');
    }
    this.#outbox.onEnqueued?.();
    return (await this.#store.findWebhookDelivery(deliveryId))!;
  }

  #require(actor: Actor | null): void {
    // null = an operator at the CLI or the library's own code.
    if (actor && !this.#policy.canManageTeam(actor)) throw new SeshatError('forbidden', 'This needs an administrator.');
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeshatError('invalid_input', `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'is not valid'}.`);
  }
  return parsed.data;
}
