import { z } from 'zod';
import type { WebhookDelivery, WebhookEndpoint } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import { noContent, problemSchema } from '../schemas.ts';
import {
  createdWebhookEndpointSchema,
  newWebhookEndpointBody,
  webhookDeliveriesQuery,
  webhookDeliveryParams,
  webhookDeliverySchema,
  webhookEndpointParams,
  webhookEndpointPatchBody,
  webhookEndpointSchema,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../webhook-schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const denied = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

export const endpointView = (e: WebhookEndpoint): WebhookEndpointView => ({
  id: e.id,
  url: e.url,
  events: e.events,
  enabled: e.enabled,
  description: e.description,
  createdAt: iso(e.createdAt),
  secretHint: e.secret.slice(0, 10) + '…',
});

export const deliveryView = (d: WebhookDelivery): WebhookDeliveryView => ({
  id: d.id,
  messageId: d.messageId,
  endpointId: d.endpointId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: isoOrNull(d.nextAttemptAt),
  expiresAt: iso(d.expiresAt),
  createdAt: iso(d.createdAt),
  lastAttemptAt: isoOrNull(d.lastAttemptAt),
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
});

/** Webhook administration: endpoints, the delivery log, test events and replays (team managers, browser sessions only). */
export async function webhookRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { webhooks } = ctx;
  const tags = ['webhooks'];

  app.get('/api/admin/webhooks', { schema: { tags, response: { 200: z.object({ endpoints: z.array(webhookEndpointSchema) }), ...denied } } }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return { endpoints: (await webhooks.listEndpoints(actor)).map(endpointView) };
  });

  app.post('/api/admin/webhooks', {
    schema: { tags, body: newWebhookEndpointBody, response: { 201: createdWebhookEndpointSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const endpoint = await webhooks.createEndpoint(actor, request.body);
    // The only response that carries the secret: keep it out of caches.
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ ...endpointView(endpoint), secret: endpoint.secret });
  });

  app.get('/api/admin/webhooks/deliveries', {
    schema: { tags, querystring: webhookDeliveriesQuery, response: { 200: z.object({ deliveries: z.array(webhookDeliverySchema), nextCursor: z.string().nullable() }), ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const { endpoint, limit, cursor } = request.query;
    const page = await webhooks.listDeliveries(actor, { ...(endpoint ? { endpointId: endpoint } : {}), ...(limit ? { limit } : {}), cursor: cursor ?? null });
    return { deliveries: page.items.map(deliveryView), nextCursor: page.nextCursor };
  });

  app.post('/api/admin/webhooks/deliveries/:id/replay', {
    schema: { tags, params: webhookDeliveryParams, response: { 202: webhookDeliverySchema, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return reply.code(202).send(deliveryView(await webhooks.replay(actor, request.params.id)));
  });

  app.get('/api/admin/webhooks/:id', {
    schema: { tags, params: webhookEndpointParams, response: { 200: webhookEndpointSchema, 404: problemSchema, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return endpointView(await webhooks.getEndpoint(actor, request.params.id));
  });

  app.patch('/api/admin/webhooks/:id', {
    schema: { tags, params: webhookEndpointParams, body: webhookEndpointPatchBody, response: { 200: webhookEndpointSchema, 404: problemSchema, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return endpointView(await webhooks.updateEndpoint(actor, request.params.id, request.body));
  });

  app.delete('/api/admin/webhooks/:id', {
    schema: { tags, params: webhookEndpointParams, response: { 204: noContent, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    await webhooks.deleteEndpoint(actor, request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/api/admin/webhooks/:id/test', {
    schema: { tags, params: webhookEndpointParams, response: { 202: webhookDeliverySchema, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return reply.code(202).send(deliveryView(await webhooks.sendTest(actor, request.params.id)));
  });
}
