import { z } from 'zod';
import type { App, ServerContext } from '../context.ts';
import { requireUser } from '../context.ts';
import { apiKeyView } from '../views.ts';
import { recentAuth } from '../step-up.ts';
import { apiKeyIdParams, apiKeySchema, createdApiKeySchema, newApiKeyBody, noContent, problemSchema } from '../schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A user's own API keys. Managing keys needs a browser session (`requireUser` refuses API keys with 403):
 * a leaked key can neither mint more keys nor delete the others.
 */
export async function apiKeyRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { apiKeys } = ctx;
  const denied = { 401: problemSchema, 403: problemSchema };

  app.get('/api/api-keys', { schema: { tags: ['api-keys'], response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }), ...denied } } }, async (request) => {
    const { actor } = await requireUser(request, ctx);
    const keys = await apiKeys.list(actor);
    return { apiKeys: keys.map(apiKeyView) };
  });

  app.post('/api/api-keys', {
    schema: { tags: ['api-keys'], body: newApiKeyBody, response: { 201: createdApiKeySchema, 400: problemSchema, 409: problemSchema, ...denied } },
    // A stolen cookie alone cannot mint a long-lived key once the sign-in is more than a few minutes old.
    preHandler: recentAuth(app, ctx),
  }, async (request, reply) => {
    const { actor } = await requireUser(request, ctx);
    const { apiKey, key } = await apiKeys.create(actor, request.body.name);
    // The only response that ever carries the key: keep it out of caches.
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, createdAt: iso(apiKey.createdAt), key });
  });

  app.delete('/api/api-keys/:id', {
    schema: { tags: ['api-keys'], params: apiKeyIdParams, response: { 204: noContent, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireUser(request, ctx);
    await apiKeys.revoke(actor, request.params.id);
    return reply.code(204).send(null);
  });
}
