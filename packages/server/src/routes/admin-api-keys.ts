import { z } from 'zod';
import { SeshatError } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import { apiKeyIdParams, apiKeySchema, noContent, optionalReasonBody, problemSchema, userIdParams } from '../schemas.ts';
import { apiKeyView } from '../views.ts';

const denied = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/**
 * Anyone's API keys, for administrators: list a person's live keys and revoke any of them (audited with the
 * reason). Without this a key minted with a stolen cookie could only be found and ended by its owner.
 */
export async function adminApiKeyRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { apiKeys, users } = ctx;

  app.get('/api/admin/users/:id/api-keys', {
    schema: { tags: ['admin'], params: userIdParams, response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }), ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    if (!(await users.find(request.params.id))) throw new SeshatError('not_found', 'No such user.');
    return { apiKeys: (await apiKeys.listOf(actor, request.params.id)).map(apiKeyView) };
  });

  app.delete('/api/admin/api-keys/:id', {
    schema: { tags: ['admin'], params: apiKeyIdParams, body: optionalReasonBody, response: { 204: noContent, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx);
    await apiKeys.revokeAny(actor, request.params.id, request.body?.reason ?? null);
    return reply.code(204).send(null);
  });
}
