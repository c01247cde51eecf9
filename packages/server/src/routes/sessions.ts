import { z } from 'zod';
import type { App, ServerContext } from '../context.ts';
import { ownActor, sessionActor } from '../context.ts';
import { containedCount, noContent, problemSchema, revokedCount, sessionDetailSchema, sessionIdParams, sessionSchema } from '../schemas.ts';
import { recentAuth } from '../step-up.ts';
import { sessionDetailView, sessionView } from '../views.ts';

const reportedResult = containedCount.extend({
  passwordChangeRequired: z.literal(true).describe('This session may now only change the password (POST /api/auth/password)'),
});

/** "My sessions": each user sees and signs out only their own (owner rule, whatever their role). */
export async function sessionRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager } = ctx;
  app.get('/api/sessions', { schema: { tags: ['sessions'], response: { 200: z.object({ sessions: z.array(sessionSchema) }), 401: problemSchema } } }, async (request) => {
    const actor = ownActor(request);
    const sessions = await manager.listOwnSessions(actor);
    return { sessions: sessions.map((s) => sessionView(s, manager, actor.sessionId)) };
  });

  app.get('/api/sessions/:id', {
    schema: { tags: ['sessions'], params: sessionIdParams, response: { 200: sessionDetailSchema, 401: problemSchema, 404: problemSchema } },
  }, async (request) => {
    const actor = ownActor(request);
    return sessionDetailView(await manager.getSession(actor, request.params.id), manager, actor.sessionId);
  });

  app.delete('/api/sessions/:id', {
    schema: { tags: ['sessions'], params: sessionIdParams, response: { 204: noContent, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema } },
  }, async (request, reply) => {
    await manager.revokeSession(sessionActor(request), request.params.id);
    return reply.code(204).send(null);
  });

  // "This wasn't me" (issue 10.4): no step-up asked (it is the emergency exit); afterwards this session may only
  // change the password, and the account must change it at the next sign-in too.
  app.post('/api/sessions/:id/report', {
    schema: {
      tags: ['sessions'],
      params: sessionIdParams,
      response: { 200: reportedResult, 401: problemSchema, 403: problemSchema, 404: problemSchema },
    },
  }, async (request) => {
    const { revoked, credentials } = await manager.reportSession(sessionActor(request), request.params.id);
    return { revoked, apiKeysRevoked: credentials, passwordChangeRequired: true as const };
  });

  // "Sign out everywhere else" locks everyone else out: a stolen cookie alone cannot do it once the sign-in is old.
  app.post('/api/sessions/revoke-others', {
    schema: { tags: ['sessions'], response: { 200: revokedCount, 401: problemSchema, 403: problemSchema } },
    preHandler: recentAuth(app, ctx),
  }, async (request) => {
    return { revoked: await manager.revokeOtherSessions(sessionActor(request)) };
  });
}
