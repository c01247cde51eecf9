import { z } from 'zod';
import { isStorableText, UNSTORABLE_MESSAGE } from './text.ts';

/**
 * Webhooks: what is sent, to whom, and how each delivery went. Events are written to the outbox in the same
 * transaction as the change they report (`outbox.ts`); a dispatcher delivers them afterwards (`webhook-dispatcher.ts`).
 */

/** The events an endpoint can subscribe to. `webhook.test` is sent only by "send test event". */
export const webhookEventTypes = [
  'session.created',
  'session.ended',
  'session.suspicious',
  'session.reported',
  'user.force-signed-out',
  'settings.changed',
  'policy.changed',
  'api-key.created',
  'api-key.revoked',
] as const;
/** One of `webhookEventTypes`. */
export type WebhookEventType = (typeof webhookEventTypes)[number];
/** Checks an event type name (endpoint filters). */
export const webhookEventTypeSchema = z.enum(webhookEventTypes);

/** A receiver of webhooks. The secret signs every delivery (Standard Webhooks); it is shown once, on creation. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** `whsec_<base64>`: kept in the clear because signing needs it (like any HMAC key). */
  secret: string;
  /** The event types it receives; null = all. */
  events: WebhookEventType[] | null;
  enabled: boolean;
  description: string | null;
  createdAt: number;
}

/**
 * One event, as sent. `payload` is the exact request body: the signature covers its bytes, so it is stored as
 * text (a JSONB column would reorder keys and change them).
 */
export interface WebhookMessage {
  /** `msg_…`: the `webhook-id` header, the same on every retry and replay, so receivers can drop duplicates. */
  id: string;
  type: WebhookEventType | 'webhook.test';
  at: number;
  payload: string;
}

/** `pending` until it succeeds (2xx) or its retry window ends (`failed`). */
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One message to one endpoint: retried with backoff until it succeeds or its retry window ends. */
export interface WebhookDelivery {
  id: string;
  messageId: string;
  endpointId: string;
  eventType: WebhookMessage['type'];
  status: WebhookDeliveryStatus;
  attempts: number;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: number | null;
  /** After this, a failed attempt marks the delivery failed instead of scheduling another. */
  expiresAt: number;
  createdAt: number;
  lastAttemptAt: number | null;
  /** HTTP status of the last attempt; null if it got no response (refused, timed out). */
  lastStatusCode: number | null;
  lastError: string | null;
}

/** A due delivery with what sending it needs. */
export interface DueWebhookDelivery extends WebhookDelivery {
  url: string;
  secret: string;
  payload: string;
}

/** What one attempt changed. */
export interface WebhookAttempt {
  at: number;
  status: WebhookDeliveryStatus;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: number | null;
}

/** Endpoint URLs: http(s) only, at most 2,000 characters. */
export const webhookUrlSchema = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')
  .refine(isStorableText, UNSTORABLE_MESSAGE);
