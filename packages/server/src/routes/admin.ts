import { z } from 'zod';
import { Readable } from 'node:stream';
import { SeshatError, anonymizeIp, auditBy, overviewEndedReasons, type OverviewEndedReason, isDeviceBound, type AuditQuery, sessionSettingsPatchSchema, sessionSettingsSchema, type Actor, type SessionFilter, type SessionRecord, type UserRecord } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { requireAdmin } from '../context.ts';
import { canManageUser, manageableUser } from '../permissions.ts';
import { csvHeader, csvRow } from '../audit-export.ts';
import {
  adminSessionSchema,
  adminSessionsQuery,
  adminUserDetailSchema,
  adminUserSchema,
  adminUsersQuery,
  revokeMatchingBody,
  revokeMatchingResult,
  userSchema,
  auditEventSchema,
  auditExportQuery,
  auditFilterQuery,
  auditQuery,
  noContent,
  optionalReasonBody,
  overviewQuery,
  overviewSchema,
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
 * Team-wide endpoints. Every handler starts with `requireAdmin`: 401 without a session, 403 without any of the
 * permissions it names (and always for API keys); the permission policy then decides what the caller reaches of
 * other people's sessions (`teamSessionAccess`), and reads of them are audited by the manager.
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

  /** A page of sessions as the team view shows them: owners attached, addresses anonymised without `sessions:view-ip`. */
  const teamSessionViews = async (actor: Actor, items: readonly SessionRecord[]) => {
    const lookup = userLookup();
    return Promise.all(items.map(async (s) => {
      const owner = await lookup(s.userId);
      // Sessions of ids without an account (library use of the same database) still show, with the bare id.
      const shown = owner ? publicUser(owner) : { id: s.userId, email: '', name: '(unknown user)', role: 'user' as const, disabled: false };
      const view = sessionView(s, manager, actor.sessionId);
      // Already stored full addresses are anonymised on the way out, like new ones with the anonymizeIp setting.
      if (!(await manager.canViewIp(actor, s))) {
        if (view.ip !== null) view.ip = anonymizeIp(view.ip);
        if (view.signInIp !== null) view.signInIp = anonymizeIp(view.signInIp);
      }
      return { ...view, user: shown };
    }));
  };

  app.get('/api/admin/sessions', {
    schema: {
      tags: ['admin'],
      querystring: adminSessionsQuery,
      response: {
        200: z.object({
          sessions: z.array(adminSessionSchema),
          nextCursor: z.string().nullable(),
          total: z.number().int().describe('Live sessions matching, counted up to 10,000'),
          totalCapped: z.boolean().describe('True when there are more than `total` (the count stopped at 10,000)'),
        }),
        ...denied,
      },
    },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:view');
    const { user, limit, cursor } = request.query;
    const userId = await resolveUserId(user);
    const page = await manager.listTeamSessions(actor, { ...(userId !== undefined ? { userId } : {}), limit, cursor: cursor ?? null });
    return { sessions: await teamSessionViews(actor, page.items), nextCursor: page.nextCursor, total: page.total, totalCapped: page.totalCapped };
  });

  app.get('/api/admin/users', {
    schema: {
      tags: ['admin'],
      querystring: adminUsersQuery,
      response: {
        200: z.object({
          users: z.array(adminUserSchema),
          totalActiveSessions: z.number().int(),
          manySessionsThreshold: z.number().int(),
          deviceBoundSessions: z.number().int().describe('Active sessions bound to their device (DBSC)'),
        }),
        ...denied,
      },
    },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    const [all, stats, deviceBoundSessions] = await Promise.all([users.list(), manager.teamStats(actor), ctx.deviceBinding.countBoundSessions()]);
    const byUser = new Map(stats.map((s) => [s.userId, s]));
    const threshold = manager.settings.manySessionsThreshold;
    const rows = all.map((u) => {
      const s = byUser.get(u.id);
      const activeSessions = s?.activeSessions ?? 0;
      return { ...publicUser(u), activeSessions, lastActiveAt: s ? new Date(s.lastActiveAt).toISOString() : null, manySessions: activeSessions > threshold };
    });
    const wanted = request.query.manySessions;
    // Most sessions first ("investigate users with excessive sessions"), then by e-mail.
    const listed = rows
      .filter((u) => wanted === undefined || u.manySessions === (wanted === 'true'))
      .sort((a, b) => b.activeSessions - a.activeSessions || a.email.localeCompare(b.email));
    return { users: listed, totalActiveSessions: stats.reduce((sum, s) => sum + s.activeSessions, 0), manySessionsThreshold: threshold, deviceBoundSessions };
  });

  app.get('/api/admin/overview', {
    schema: { tags: ['admin'], querystring: overviewQuery, response: { 200: overviewSchema, ...denied } },
  }, async (request) => {
    // Team statistics (`view-stats`: sessions:view or users:manage), read from the daily rollups and bounded
    // aggregates, never from the audit trail. Names go with the per-person counts only where the caller may see
    // other people's sessions (teamSessionAccess), as in the sessions list.
    const { actor } = await requireAdmin(request, ctx);
    const days = Number(request.query.days);
    const overview = await manager.overview(actor, { days });
    const namesShown = await manager.policy.canManageTeam(actor, 'view-sessions');
    const lookup = userLookup();
    return {
      days,
      daily: overview.days.map((d) => ({ ...d, ended: Object.fromEntries(overviewEndedReasons.map((r) => [r, d.ended[r] ?? 0])) as Record<OverviewEndedReason, number> })),
      activeSessions: overview.activeSessions,
      boundSessions: overview.boundSessions,
      countries: overview.countries.map((g) => ({ countryCode: g.key, sessions: g.count })),
      deviceTypes: overview.deviceTypes.map((g) => ({ deviceType: g.key, sessions: g.count })),
      topUsers: {
        namesShown,
        users: await Promise.all(overview.holders.map(async (h) => {
          const owner = namesShown ? await lookup(h.userId) : null;
          return { user: owner ? publicUser(owner) : null, sessions: h.count };
        })),
      },
    };
  });

  // The person page's header: the same counts as the people list, for one account. Like the list it needs any admin
  // permission and shows nothing of anyone's devices, so it is not a `sessions.viewed` read.
  app.get('/api/admin/users/:id', {
    schema: { tags: ['admin'], params: userIdParams, response: { 200: adminUserDetailSchema, 404: problemSchema, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx);
    const user = await users.find(request.params.id);
    if (!user) throw new SeshatError('not_found', 'No such user.');
    const stats = (await manager.teamStats(actor)).find((s) => s.userId === user.id);
    const activeSessions = stats?.activeSessions ?? 0;
    return {
      ...publicUser(user),
      activeSessions,
      lastActiveAt: stats ? new Date(stats.lastActiveAt).toISOString() : null,
      manySessions: activeSessions > manager.settings.manySessionsThreshold,
      createdAt: new Date(user.createdAt).toISOString(),
      disabledAt: user.disabledAt === null ? null : new Date(user.disabledAt).toISOString(),
      passwordChangeRequired: user.passwordChangeRequired,
      manageable: canManageUser(actor, user),
    };
  });

  app.post('/api/admin/sessions/revoke-matching', {
    schema: { tags: ['admin'], body: revokeMatchingBody, response: { 200: revokeMatchingResult, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:revoke');
    const { filter: body, reason, dryRun } = request.body;
    const { users: people, role, countries, ...rest } = body;
    const filter: SessionFilter = { ...rest, ...(countries ? { countryCodes: countries } : {}) };
    // People by id or e-mail, and by role: both become ids (both given: the people who are both).
    let ids: string[] | undefined;
    if (people) ids = await Promise.all(people.map(async (p) => (await resolveUserId(p)) ?? p));
    if (role) {
      const withRole = new Set((await users.list()).filter((u) => u.role === role).map((u) => u.id));
      ids = ids ? ids.filter((id) => withRole.has(id)) : [...withRole];
    }
    if (ids) filter.userIds = ids;
    if (!dryRun) return manager.revokeMatching(actor, filter, { reason });
    const preview = await manager.revokeMatching(actor, filter, { reason, dryRun: true });
    return { matched: preview.matched, users: preview.users, sample: await teamSessionViews(actor, preview.sample) };
  });

  app.post('/api/admin/users/:id/disable', {
    schema: { tags: ['admin'], params: userIdParams, body: requiredReasonBody, response: { 200: z.object({ user: userSchema, revoked: z.number().int(), apiKeysRevoked: z.number().int() }), 404: problemSchema, 409: problemSchema, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    const target = await manageableUser(users, actor, request.params.id);
    // Locking oneself out would leave nobody to undo it.
    if (target.id === actor.userId) throw new SeshatError('conflict', 'You cannot disable your own account.');
    const { revoked, apiKeysRevoked } = await users.disable(actor, target.id, request.body.reason);
    return { user: publicUser((await users.find(target.id))!), revoked, apiKeysRevoked };
  });

  app.post('/api/admin/users/:id/enable', {
    schema: { tags: ['admin'], params: userIdParams, body: optionalReasonBody, response: { 200: z.object({ user: userSchema }), 404: problemSchema, ...denied } },
  }, async (request) => {
    const { actor } = await requireAdmin(request, ctx, 'users:manage');
    const target = await manageableUser(users, actor, request.params.id);
    await users.enable(actor, target.id, request.body?.reason ?? null);
    return { user: publicUser((await users.find(target.id))!) };
  });

  app.delete('/api/admin/sessions/:id', {
    schema: { tags: ['admin'], params: sessionIdParams, body: optionalReasonBody, response: { 204: noContent, 404: problemSchema, ...denied } },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'sessions:revoke', 'sessions:view');
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
    const { actor } = await requireAdmin(request, ctx, 'sessions:revoke');
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
    const { actor } = await requireAdmin(request, ctx, 'sessions:revoke');
    const contained = await manager.containAll(actor, request.body?.reason ?? null);
    reply.endSession(); // the caller's own session is among them
    return { revoked: contained.sessions, apiKeysRevoked: contained.credentials };
  });

  app.get('/api/admin/settings', {
    schema: { tags: ['admin'], response: { 200: sessionSettingsSchema, ...denied } },
  }, async (request) => {
    // Auditors read the settings (the UI shows them read-only); changing them is the policy's `manage-settings`.
    await requireAdmin(request, ctx, 'sessions:manage-settings', 'audit:read');
    return manager.settings;
  });

  app.patch('/api/admin/settings', {
    schema: { tags: ['admin'], body: sessionSettingsPatchSchema, response: { 200: sessionSettingsSchema, ...denied } },
    preHandler: stepUp,
  }, async (request) => {
    const { actor, session } = await requireAdmin(request, ctx, 'sessions:manage-settings');
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
    const { actor } = await requireAdmin(request, ctx, 'sessions:manage-settings');
    return manager.previewSettings(actor, request.body);
  });

  /** The store's audit query for the API's filters: people by id or e-mail, free text also by name and e-mail. */
  const auditFilter = async (f: z.infer<typeof auditFilterQuery>): Promise<AuditQuery> => {
    const userId = await resolveUserId(f.user);
    const text = f.q?.toLowerCase();
    const people = text === undefined ? [] : (await users.list()).filter((u) => u.email.includes(text) || u.name.toLowerCase().includes(text)).map((u) => u.id);
    return {
      ...(userId !== undefined ? { userId } : {}),
      ...(f.action ? { action: f.action } : {}),
      ...(f.actions ? { actions: f.actions } : {}),
      ...(f.outcome ? { outcome: f.outcome } : {}),
      ...(f.from ? { from: Date.parse(f.from) } : {}),
      ...(f.to ? { to: Date.parse(f.to) } : {}),
      ...(f.q ? { search: { text: f.q, userIds: people } } : {}),
    };
  };

  app.get('/api/admin/audit', {
    schema: {
      tags: ['admin'],
      querystring: auditQuery,
      response: { 200: z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() }), ...denied },
    },
  }, async (request) => {
    await requireAdmin(request, ctx, 'audit:read');
    const { limit, cursor, ...filters } = request.query;
    const page = await manager.audit.list({ ...(await auditFilter(filters)), limit, cursor: cursor ?? null });
    const lookup = userLookup();
    return { events: await Promise.all(page.items.map((e) => auditEventView(e, lookup))), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/audit/export', {
    schema: {
      tags: ['admin'],
      querystring: auditExportQuery,
      description: 'The filtered audit log as CSV (text/csv) or NDJSON (application/x-ndjson), streamed, newest first.',
      response: denied,
    },
  }, async (request, reply) => {
    const { actor } = await requireAdmin(request, ctx, 'audit:read');
    const { format, ...filters } = request.query;
    const query = await auditFilter(filters);
    // Exporting is itself audited (who took which part of the log), before the first byte leaves.
    await manager.audit.record(auditBy(actor, 'audit.exported', { details: { format, filter: filters } }));
    const lookup = userLookup();
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield csvHeader;
      let cursor: string | null = null;
      do {
        // Page by page on the stable sequence cursor: memory stays flat whatever the size of the log.
        const page = await manager.audit.list({ ...query, limit: 500, cursor });
        for (const e of page.items) {
          const view = await auditEventView(e, lookup);
          yield format === 'csv' ? csvRow(view) : JSON.stringify(view) + '\n';
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    const stamp = new Date(manager.clock.now()).toISOString().slice(0, 10);
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="seshat-audit-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`)
      // A stream, not a schema'd body: the reply is written as it is read.
      .send(Readable.from(lines()) as never);
  });
}
