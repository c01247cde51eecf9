import { z } from 'zod';
import { POLICY_FIELDS, SeshatError, policyFieldValue, isDeviceBound, sessionPolicySchema, type Actor, type SessionPolicy, type SessionRecord, type UserRole } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import { manageableUser, roles } from '../permissions.ts';
import { accountIdSchema, noContent, problemSchema, userIdParams, userSchema } from '../schemas.ts';
import { effectivePolicy, roleSubject, splitPolicies, userSubject } from '../session-policies.ts';
import { recentAuth } from '../step-up.ts';
import { publicUser } from '../users.ts';

const roleParams = z.object({ role: z.enum(roles) });
const updatedAt = z.string().describe('When the policy was last changed (ISO 8601)');
const rolePolicySchema = z.object({ role: z.enum(roles), policy: sessionPolicySchema, updatedAt });
const userPolicySchema = z.object({ user: userSchema, policy: sessionPolicySchema, updatedAt });
const policiesSchema = z.object({ roles: z.array(rolePolicySchema), users: z.array(userPolicySchema) });
const effectiveField = z.object({
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  source: z.enum(['user', 'role', 'global']).describe("The person's override, their role's policy, or the global settings"),
});
const effectivePolicySchema = z.object({
  user: userSchema,
  fields: z.object(Object.fromEntries(POLICY_FIELDS.map((f) => [f, effectiveField])) as Record<(typeof POLICY_FIELDS)[number], typeof effectiveField>),
});

const previewBody = z.union([
  z.object({ role: z.enum(roles), policy: sessionPolicySchema.nullable() }).strict(),
  z.object({ userId: accountIdSchema, policy: sessionPolicySchema.nullable() }).strict(),
]).describe('A role or a person, and the policy to try (null: as if removed)');

const denied = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Session policies per role and per person (issue 13.2): idle timeout, absolute lifetime, remember-me, session limit,
 * step-up window and device binding for some people only. Reads are for whoever reads the settings; changes need
 * `sessions:manage-settings` and a recent password, like settings changes, and are audited (`policy.changed`). A
 * person's override is also an action on their account: only an owner sets one for an owner, or the owners' policy.
 */
export async function sessionPolicyRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager, users, store } = ctx;
  const stepUp = recentAuth(app, ctx);

  /** Switching device binding to required for the caller, from an unbound session, would lock them out at once. */
  const refuseLockOut = (policy: SessionPolicy, session: SessionRecord, coversCaller: boolean) => {
    if (coversCaller && policy.deviceBinding?.policy === 'require-for-admins' && !isDeviceBound(session)) {
      throw new SeshatError('conflict', 'Your own session is not bound to this device: "require-for-admins" would lock you out. Sign in with a browser that supports device binding first.');
    }
  };
  const ownersOnly = (actor: Actor, role: UserRole) => {
    if (role === 'owner' && actor.role !== 'owner') throw new SeshatError('forbidden', "Only an owner can change the owners' policy.");
  };

  app.get('/api/admin/policies', {
    schema: { tags: ['admin'], response: { 200: policiesSchema, ...denied } },
  }, async (request) => {
    await requireAdmin(request, ctx, 'sessions:manage-settings', 'audit:read');
    const { byRole, byUser } = splitPolicies(await store.listSessionPolicies());
    const people = await Promise.all([...byUser.keys()].map((id) => users.find(id)));
    return {
      roles: roles.flatMap((role) => {
        const p = byRole.get(role);
        return p ? [{ role, policy: p.policy, updatedAt: iso(p.updatedAt) }] : [];
      }),
      users: people.flatMap((u) => {
        const p = u && byUser.get(u.id);
        return u && p ? [{ user: publicUser(u), policy: p.policy, updatedAt: iso(p.updatedAt) }] : [];
      }),
    };
  });

  // The editor's confirmation: "This will sign out N sessions now", before anything changes (like the settings').
  app.post('/api/admin/policies/preview', {
    schema: { tags: ['admin'], body: previewBody, response: { 200: z.object({ endingSessions: z.number().int() }), ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const body = request.body;
    const subject = 'role' in body ? roleSubject(body.role) : userSubject((await manageableUser(users, actor, body.userId)).id);
    return manager.previewPolicy(actor, subject, body.policy);
  });

  app.put('/api/admin/policies/roles/:role', {
    schema: { tags: ['admin'], params: roleParams, body: sessionPolicySchema, response: { 200: rolePolicySchema, 409: problemSchema, ...denied } },
    preHandler: stepUp,
  }, async (request) => {
    const { actor, session } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const { role } = request.params;
    ownersOnly(actor, role);
    refuseLockOut(request.body, session, actor.role === role);
    const saved = (await manager.savePolicy(actor, roleSubject(role), request.body))!;
    return { role, policy: saved.policy, updatedAt: iso(saved.updatedAt) };
  });

  app.delete('/api/admin/policies/roles/:role', {
    schema: { tags: ['admin'], params: roleParams, response: { 204: noContent, ...denied } },
    preHandler: stepUp,
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    ownersOnly(actor, request.params.role);
    await manager.savePolicy(actor, roleSubject(request.params.role), null);
    return reply.code(204).send(null);
  });

  app.put('/api/admin/users/:id/policy', {
    schema: { tags: ['admin'], params: userIdParams, body: sessionPolicySchema, response: { 200: userPolicySchema, 409: problemSchema, ...denied } },
    preHandler: stepUp,
  }, async (request) => {
    const { actor, session } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const target = await manageableUser(users, actor, request.params.id);
    refuseLockOut(request.body, session, target.id === actor.userId);
    const saved = (await manager.savePolicy(actor, userSubject(target.id), request.body))!;
    return { user: publicUser(target), policy: saved.policy, updatedAt: iso(saved.updatedAt) };
  });

  app.delete('/api/admin/users/:id/policy', {
    schema: { tags: ['admin'], params: userIdParams, response: { 204: noContent, ...denied } },
    preHandler: stepUp,
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    const target = await manageableUser(users, actor, request.params.id);
    await manager.savePolicy(actor, userSubject(target.id), null);
    return reply.code(204).send(null);
  });

  app.get('/api/admin/users/:id/effective-policy', {
    schema: { tags: ['admin'], params: userIdParams, response: { 200: effectivePolicySchema, ...denied } },
  }, async (request) => {
    await requireAdmin(request, ctx, 'sessions:manage-settings', 'audit:read');
    const target = await users.find(request.params.id);
    if (!target) throw new SeshatError('not_found', 'No such user.');
    const [rolePolicy, override] = await Promise.all([store.findSessionPolicy(roleSubject(target.role)), store.findSessionPolicy(userSubject(target.id))]);
    const { byRole, byUser } = splitPolicies([rolePolicy, override].filter((p) => p !== null));
    const resolved = effectivePolicy(manager.settings, byRole.get(target.role)?.policy, byUser.get(target.id)?.policy);
    const fields = Object.fromEntries(POLICY_FIELDS.map((field) => [
      field,
      { value: policyFieldValue(resolved.settings, field) as string | number | boolean | null, source: resolved.sources[field] },
    ])) as z.infer<typeof effectivePolicySchema>['fields'];
    return { user: publicUser(target), fields };
  });
}
