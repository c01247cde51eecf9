import { z } from 'zod';
import { accountActivity, type AuditEvent, type UserRecord } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { ownActor } from '../context.ts';
import { problemSchema } from '../schemas.ts';

/** One entry of "your security activity". */
export const activityEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  type: z.string().describe('The audit action: auth.sign-in, auth.sign-in-failed, session.revoked, password.changed, …'),
  sessionId: z.string().nullable(),
  current: z.boolean().describe('This entry is about the session making the request'),
  ip: z.string().nullable(),
  device: z.string().nullable().describe('"Chrome on macOS" for sign-ins'),
  location: z.object({ country: z.string().nullable(), countryCode: z.string().nullable() }).nullable(),
  newDevice: z.boolean().describe('The first sign-in from this device'),
  suspicious: z.array(z.string()).nullable().describe('Risk signals of a sign-in that looked unusual'),
  actor: z.object({ kind: z.enum(['you', 'administrator', 'system', 'someone']), name: z.string().nullable() }),
  reason: z.string().nullable().describe("An administrator's reason only while the setting showAdminReasonToUser is on"),
  count: z.number().int().nullable().describe('Sessions or keys a bulk action ended'),
});
export type ActivityEvent = z.infer<typeof activityEventSchema>;

const activityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** `GET /api/activity`: your own security activity, newest first, cursor-paginated. Admins use the audit log for everyone's. */
export async function activityRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager, users } = ctx;

  app.get('/api/activity', {
    schema: {
      tags: ['sessions'],
      summary: 'Your security activity',
      querystring: activityQuery,
      response: { 200: z.object({ events: z.array(activityEventSchema), nextCursor: z.string().nullable() }), 400: problemSchema, 401: problemSchema },
    },
  }, async (request) => {
    const actor = ownActor(request);
    const page = await accountActivity(ctx.store, actor.userId, { limit: request.query.limit, cursor: request.query.cursor ?? null });
    const names = new Map<string, Promise<UserRecord | null>>();
    const find = (id: string) => {
      let found = names.get(id);
      if (!found) names.set(id, (found = users.find(id)));
      return found;
    };
    const view = async (e: AuditEvent): Promise<ActivityEvent> => {
      const d = e.details ?? {};
      const other = e.actorId !== null && e.actorId !== actor.userId ? await find(e.actorId) : null;
      const kind = e.actorId === actor.userId ? 'you' : e.actorId === null ? (e.action === 'auth.sign-in-failed' ? 'someone' : 'system') : other?.role === 'admin' ? 'administrator' : 'someone';
      // The person sees an administrator's words only when the administrators chose to show them.
      const reason = kind === 'administrator' && !manager.settings.showAdminReasonToUser ? null : e.reason;
      return {
        id: e.id,
        at: new Date(e.at).toISOString(),
        type: e.action,
        sessionId: e.sessionId,
        current: e.sessionId !== null && e.sessionId === actor.sessionId,
        ip: e.ip,
        device: str(d.device),
        location: str(d.country) || str(d.countryCode) ? { country: str(d.country), countryCode: str(d.countryCode) } : null,
        newDevice: d.newDevice === true,
        suspicious: Array.isArray(d.risk) ? d.risk.map(String) : null,
        actor: { kind, name: kind === 'administrator' ? (other?.name ?? null) : null },
        reason,
        count: typeof d.count === 'number' ? d.count : null,
      };
    };
    return { events: await Promise.all(page.items.map(view)), nextCursor: page.nextCursor };
  });
}
