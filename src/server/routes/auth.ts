import { z } from 'zod';
import { SeshatError } from '../../core/errors.ts';
import { anonymizeIp } from '../../geo/index.ts';
import type { App, ServerContext } from '../context.ts';
import { requireSession, requireUser } from '../context.ts';
import { loginBody, noContent, passwordBody, problemSchema, revokedCount, sessionSchema, userSchema } from '../schemas.ts';
import { publicUser } from '../users.ts';
import { sessionView } from '../views.ts';

const signedIn = z.object({ user: userSchema, session: sessionSchema });

export async function authRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager, users } = ctx;

  app.post('/api/auth/login', {
    schema: { tags: ['auth'], body: loginBody, response: { 200: signedIn, 401: problemSchema, 429: problemSchema } },
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { email, password, remember } = request.body;
    const user = await users.authenticate(email, password);
    if (!user) {
      const known = await users.findByEmail(email);
      // Counted by the risk rules ("many failed sign-ins before"); the address is kept as a prefix when anonymizeIp is on.
      const ip = manager.settings.anonymizeIp ? anonymizeIp(request.ip) : request.ip;
      await manager.audit.record({ action: 'auth.sign-in-failed', actorId: null, targetUserId: known?.id ?? null, sessionId: null, reason: null, ip, details: { email: email.slice(0, 254) } });
      // One answer for an unknown e-mail and a wrong password: no account enumeration.
      throw new SeshatError('unauthenticated', 'The e-mail or password is not correct.');
    }
    // A sign-in from a browser that still holds a session replaces it rather than leaving it behind.
    if (request.session) await manager.signOut(request.session, request.ip);
    const created = await manager.createSession({
      userId: user.id,
      remember: remember ?? false,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      headers: request.headers,
    });
    reply.startSession(created);
    return { user: publicUser(user), session: sessionView(created.session, manager, created.session.id) };
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 204: noContent, 401: problemSchema } } }, async (request, reply) => {
    const session = requireSession(request);
    await manager.signOut(session, request.ip);
    return reply.endSession().code(204).send(null);
  });

  app.get('/api/auth/session', { schema: { tags: ['auth'], response: { 200: signedIn, 401: problemSchema } } }, async (request) => {
    const { session, user } = await requireUser(request, ctx);
    return { user: publicUser(user), session: sessionView(session, manager, session.id) };
  });

  app.post('/api/auth/password', {
    schema: { tags: ['auth'], body: passwordBody, response: { 200: revokedCount, 400: problemSchema, 401: problemSchema } },
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request) => {
    const { user, actor } = await requireUser(request, ctx);
    const { currentPassword, newPassword, signOutOtherSessions } = request.body;
    await users.changePassword(user, currentPassword, newPassword);
    const revoked = signOutOtherSessions ? await manager.revokeSessionsAfterPasswordChange(actor) : 0;
    await manager.audit.record({ action: 'password.changed', actorId: user.id, targetUserId: user.id, sessionId: actor.sessionId ?? null, reason: null, ip: request.ip, details: { revokedOtherSessions: revoked } });
    return { revoked };
  });
}
