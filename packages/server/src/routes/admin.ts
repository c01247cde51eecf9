import { z } from 'zod';
import { SeshatError, isDeviceBound, sessionSettingsPatchSchema, sessionSettingsSchema, type UserRecord } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import {
  adminSessionSchema,
  adminSessionsQuery,
  adminUserSchema,
  auditEventSchema,
  auditQuery,
  noContent,
  optionalReasonBody,
  problemSchema,
  requiredReasonBody,
  containedCount,
  sessionIdParams,
  userIdParams,
} from '../schemas.ts';
import { publicUser } from '../users.ts';
import { recentAuth } from '../step-up.ts';
import { auditEventView, sessionView } from '../views.ts';

const denied = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

/**
 * Team-wide endpoints. Every handler starts with `requireAdmin`: 401 without a session, 403 when the
 * permission policy does not let the caller manage the team (and always for API keys).
 */
export async function adminRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager, users } = ctx;
  // Ending other people's sessions and changing settings need a recent sign-in (or the password again).
  const stepUp = recentAuth(app, ctx);

  /** `user=` takes an id or an e-mail; an unknown e-mail matches nobody (user ids never contain '@'). */
  const resolveUserId = async (idOrEmail: string | undefined): Promise<string | undefined> => {
    if (idOrEmail === undefined || !idOrEmail.includes('@')) return idOrEmail;
    return (await users.findByEmail(idOrEmail))?.id ?? idOrEmail;
  };

  /** Looks users up once per id for a page of rows. */
  const userLookup = () => {
    const cache = new Map<string, Promise<UserRecord | null>>();
    return (id: string) => {
      let found = cache.get(id);
      if (!found) cache.set(id, (found = users.find(id)));
      return found;
    };
  };

  app.get('/api/admin/sessions', {
    schema: {
      tags: ['admin'],
      querystring: adminSessionsQuery,
      response: { 200: z.object({ sessions: z.array(adminSessionSchema), nextCursor: z.string().nullable(), total: z.number().int() }), ...denied },
    },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    const { user, limit, cursor } = request.query;
    const userId = await resolveUserId(user);
    const page = await manager.listTeamSessions(actor, { ...(userId !== undefined ? { userId } : {}), limit, cursor: cursor ?? null });
    const lookup = userLookup();
    const sessions = await Promise.all(page.items.map(async (s) => {
      const owner = await lookup(s.userId);
      // Sessions of ids without an account (library use of the same database) still show, with the bare id.
      const shown = owner ? publicUser(owner) : { id: s.userId, email: '', name: '(unknown user)', role: 'user' as const };
      return { ...sessionView(s, manager, actor.sessionId), user: shown };
    }));
    return { sessions, nextCursor: page.nextCursor, total: page.total };
  });

  app.get('/api/admin/users', {
    schema: {
      tags: ['admin'],
      response: {
        200: z.object({
          users: z.array(adminUserSchema),
          totalActiveSessions: z.number().int(),
          deviceBoundSessions: z.number().int().describe('Active sessions bound to their device (DBSC)'),
        }),
        ...denied,
      },
    },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    const [all, stats, deviceBoundSessions] = await Promise.all([users.list(), manager.teamStats(actor), ctx.deviceBinding.countBoundSessions()]);
    const byUser = new Map(stats.map((s) => [s.userId, s]));
    return {
      users: all.map((u) => {
        const s = byUser.get(u.id);
        return { ...publicUser(u), activeSessions: s?.activeSessions ?? 0, lastActiveAt: s ? new Date(s.lastActiveAt).toISOString() : null };
      }),
      totalActiveSessions: stats.reduce((sum, s) => sum + s.activeSessions, 0),
      deviceBoundSessions,
    };
  });

  app.delete('/api/admin/sessions/:id', {
    schema: { tags: ['admin'], params: sessionIdParams, body: optionalReasonBody, response: { 204: noContent, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx);
    // An admin may end any session here, their own included (the "my sessions" API still answers 409 for that).
    await manager.revokeSession(actor, request.params.id, { reason: request.body?.reason ?? null, allowCurrent: true });
    // Ending one's own session here is a sign-out: drop the dead cookie too.
    if (request.params.id === actor.sessionId) reply.endSession();
    return reply.code(204).send(null);
  });

  app.post('/api/admin/users/:id/sign-out', {
    schema: { tags: ['admin'], params: userIdParams, body: requiredReasonBody, response: { 200: containedCount, 404: problemSchema, ...denied } },
    preHandler: stepUp,
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx);
    const target = await users.find(request.params.id);
    if (!target) throw new SeshatError('not_found', 'No such user.');
    const contained = await manager.containUser(actor, target.id, request.body.reason);
    if (target.id === actor.userId) reply.endSession(); // signed themselves out everywhere, this browser included
    return { revoked: contained.sessions, apiKeysRevoked: contained.credentials };
  });

  app.post('/api/admin/sessions/revoke-all', {
    schema: { tags: ['admin'], body: optionalReasonBody, response: { 200: containedCount, ...denied } },
    preHandler: stepUp,
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx);
    const contained = await manager.containAll(actor, request.body?.reason ?? null);
    reply.endSession(); // the caller's own session is among them
    return { revoked: contained.sessions, apiKeysRevoked: contained.credentials };
  });

  app.get('/api/admin/settings', {
    schema: { tags: ['admin'], response: { 200: sessionSettingsSchema, ...denied } },
  }, async (request) => {
    await requireAdmin(request, ctx);
    return manager.settings;
  });

  app.patch('/api/admin/settings', {
    schema: { tags: ['admin'], body: sessionSettingsPatchSchema, response: { 200: sessionSettingsSchema, ...denied } },
    preHandler: stepUp,
  }, async (request) => {
    const { actor, session } = await requireAdmin(request, ctx);
    // Switching to require-for-admins from an unbound session would lock the switching admin out at once.
    if (request.body.deviceBinding?.policy === 'require-for-admins' && !isDeviceBound(session)) {
      throw new SeshatError('conflict', 'Your own session is not bound to this device: "require-for-admins" would lock you out. Sign in with a browser that supports device binding first.');
    }
    return manager.updateSettings(actor, request.body);
  });

  // The settings form's confirmation: "This will sign out N sessions now", before anything changes.
  app.post('/api/admin/settings/preview', {
    schema: { tags: ['admin'], body: sessionSettingsPatchSchema, response: { 200: z.object({ endingSessions: z.number().int() }), ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    return manager.previewSettings(actor, request.body);
  });

  app.get('/api/admin/audit', {
    schema: {
      tags: ['admin'],
      querystring: auditQuery,
      response: { 200: z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() }), ...denied },
    },
  }, async (request) => {
    await requireAdmin(request, ctx);
    const { user, action, limit, cursor } = request.query;
    const userId = await resolveUserId(user);
    const page = await manager.audit.list({ ...(userId !== undefined ? { userId } : {}), ...(action ? { action } : {}), limit, cursor: cursor ?? null });
    const lookup = userLookup();
    return { events: await Promise.all(page.items.map((e) => auditEventView(e, lookup))), nextCursor: page.nextCursor };
  });
}
