import { z } from 'zod';
import { newWebhookEndpointSchema, webhookEndpointPatchSchema, webhookEventTypes } from 'seshat';

/** Request and response shapes of the webhook admin API (`/api/admin/webhooks`); see docs/webhooks.md. */
export const webhookEndpointSchema = z.object({
  id: z.string().describe('whe_…'),
  url: z.string(),
  events: z.array(z.enum(webhookEventTypes)).nullable().describe('null = every event type'),
  enabled: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.string(),
  secretHint: z.string().describe('The first characters of the signing secret; the secret itself is shown once, on creation'),
});
export type WebhookEndpointView = z.infer<typeof webhookEndpointSchema>;

export const createdWebhookEndpointSchema = webhookEndpointSchema.extend({
  secret: z.string().describe('whsec_…: the Standard Webhooks signing secret. Shown in this response only.'),
});

export const webhookDeliverySchema = z.object({
  id: z.string().describe('dlv_…'),
  messageId: z.string().describe('msg_…: the webhook-id header, the same on every retry and replay'),
  endpointId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  expiresAt: z.string().describe('Retries stop after this; then the delivery is failed'),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable().describe('HTTP status of the last attempt; null if there was no response'),
  lastError: z.string().nullable(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliverySchema>;

export const newWebhookEndpointBody = newWebhookEndpointSchema;
export const webhookEndpointPatchBody = webhookEndpointPatchSchema;
export const webhookEndpointParams = z.object({ id: z.string().regex(/^whe_[A-Za-z0-9_-]{16}$/) });
export const webhookDeliveryParams = z.object({ id: z.string().regex(/^dlv_[A-Za-z0-9_-]{22}$/) });
export const webhookDeliveriesQuery = z.object({
  endpoint: z.string().regex(/^whe_[A-Za-z0-9_-]{16}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});
