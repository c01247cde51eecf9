import { z } from 'zod';
import { SeshatError } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import { manageableUser } from '../permissions.ts';
import { apiKeyIdParams, apiKeySchema, noContent, optionalReasonBody, problemSchema, userIdParams, userSchema } from '../schemas.ts';
import { publicUser, roleSchema } from '../users.ts';
import { recentAuth } from '../step-up.ts';
import { apiKeyView } from '../views.ts';

/** `password` omitted: one is generated and returned once. Either way the person must change it at the next sign-in. */
const setPasswordBody = z.object({ password: z.string().min(1).max(1024).optional() }).strict().nullish();
const passwordSet = z.object({
  password: z.string().optional().describe('The generated password, shown once (absent when one was given)'),
  revoked: z.number().int(),
  apiKeysRevoked: z.number().int(),
});
const setRoleBody = z.object({ role: roleSchema }).strict();

const denied = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/**
 * Containment tools for administrators (issue 14.16, 14.17): anyone's API keys (list, revoke with a reason),
 * a new password the person must change at the next sign-in (ending their sessions and keys), and role changes.
 * Every change is audited. Without these a key minted with a stolen cookie could only be found and ended by its
 * owner, and a force sign-out is useless while the attacker still knows the password.
 */
export async function adminCredentialRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { apiKeys, users } = ctx;
  const stepUp = recentAuth(app, ctx);

  app.get('/api/admin/users/:id/api-keys', {
    schema: { tags: ['admin'], params: userIdParams, response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }), ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    if (!(await users.find(request.params.id))) throw new SeshatError('not_found', 'No such user.');
    return { apiKeys: (await apiKeys.listOf(actor, request.params.id)).map(apiKeyView) };
  });

  app.delete('/api/admin/api-keys/:id', {
    schema: { tags: ['admin'], params: apiKeyIdParams, body: optionalReasonBody, response: { 204: noContent, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    // An owner's keys are an owner's credentials: like their password and role, only an owner ends them.
    await apiKeys.revokeAny(actor, request.params.id, request.body?.reason ?? null, (key) => manageableUser(users, actor, key.userId));
    return reply.code(204).send(null);
  });

  app.post('/api/admin/users/:id/password', {
    schema: { tags: ['admin'], params: userIdParams, body: setPasswordBody, response: { 200: passwordSet, ...denied } },
    preHandler: stepUp,
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    await manageableUser(users, actor, request.params.id);
    const result = await users.resetPassword(actor, request.params.id, request.body?.password);
    if (result.user.id === actor.userId) reply.endSession(); // reset their own: signed out here too
    // The only response that carries a password: keep it out of caches.
    reply.header('cache-control', 'no-store');
    return { ...(result.generated ? { password: result.password } : {}), revoked: result.revoked, apiKeysRevoked: result.apiKeysRevoked };
  });

  app.post('/api/admin/users/:id/role', {
    schema: { tags: ['admin'], params: userIdParams, body: setRoleBody, response: { 200: userSchema, 409: problemSchema, ...denied } },
    preHandler: stepUp,
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    await manageableUser(users, actor, request.params.id, request.body.role);
    return publicUser(await users.setRole(actor, request.params.id, request.body.role));
  });
}
