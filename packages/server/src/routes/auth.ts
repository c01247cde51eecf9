import { z } from 'zod';
import { SeshatError, auditBy } from 'seshat';
import type { App, ServerContext } from '../context.ts';
import { recordedIp, requireSession, requireUser } from '../context.ts';
import { containedCount as passwordChanged, loginBody, noContent, passwordBody, permissionsSchema, problemSchema, sessionSchema, userSchema } from '../schemas.ts';
import { permissionsOf } from '../permissions.ts';
import { auditedFailure, SignInThrottle } from '../sign-in-throttle.ts';
import { publicUser } from '../users.ts';
import { sessionView } from '../views.ts';

const reauthenticateBody = z.object({ password: z.string().min(1).max(1024) }).strict();
const reauthenticated = z.object({
  reauthenticatedAt: z.string(),
  freshUntil: z.string().describe('Until when actions that need a recent sign-in are allowed without asking again'),
});

const signedIn = z.object({
  user: userSchema,
  session: sessionSchema,
  passwordChangeRequired: z.boolean().describe('Only POST /api/auth/password (and sign-out) is allowed until the password is changed'),
  permissions: permissionsSchema,
});

/** What the sign-in page needs before anyone is signed in; deliberately nothing more than that. */
const authOptions = z.object({
  rememberMe: z.object({ enabled: z.boolean(), durationSeconds: z.number().int() }),
  helpUrl: z.string().nullable().describe('The UI\'s "Learn more about sessions" link (SESHAT_HELP_URL), or null'),
});

export async function authRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { manager, users } = ctx;
  const throttle = new SignInThrottle(ctx.store, manager.clock, { perIpPerMinute: ctx.config.loginRateLimit });
  // Old counters go hourly (an unref'd timer; a failed prune only leaves rows for the next one).
  const pruning = setInterval(() => void throttle.prune().catch((error: unknown) => app.log.warn({ err: error }, 'pruning sign-in counters failed')), 3_600_000).unref();
  app.addHook('onClose', async () => clearInterval(pruning));

  // Public: the sign-in page shows "Keep me signed in for N days" only when remember-me is on.
  app.get('/api/auth/options', { schema: { tags: ['auth'], response: { 200: authOptions } } }, async () => {
    const { enabled, durationSeconds } = manager.settings.rememberMe;
    return { rememberMe: { enabled, durationSeconds }, helpUrl: ctx.config.helpUrl };
  });

  app.post('/api/auth/login', {
    schema: { tags: ['auth'], body: loginBody, response: { 200: signedIn, 401: problemSchema, 429: problemSchema } },
    // Login CSRF: a sign-in a browser marks as cross-site is refused before anything runs.
    preHandler: app.requireSameSite(),
  }, async (request, reply) => {
    // API keys act for their owner on the API, but never open a browser session.
    if (request.apiKey) throw new SeshatError('forbidden', 'API keys cannot be used to sign in.');
    const { email, password, remember } = request.body;
    // Per network and per account, in the database: holds across nodes (429 with Retry-After).
    await throttle.admit(email, request.ip);
    const user = await users.authenticate(email, password);
    if (!user) {
      const failures = await throttle.failed(email);
      const grouped = auditedFailure(failures);
      if (grouped) {
        const known = await users.findByEmail(email);
        // Counted by the risk rules ("many failed sign-ins before"); the address is kept as a prefix when anonymizeIp is on.
        await manager.recordFailedSignIn({ userId: known?.id ?? null, identifier: email, ip: recordedIp(request), attempts: grouped.attempts, failures });
      } else {
        // Not audited on its own (grouped with the next audited one), but the overview counts every failure.
        await manager.countFailedSignIn();
      }
      // One answer for an unknown e-mail and a wrong password: no account enumeration.
      throw new SeshatError('unauthenticated', 'The e-mail or password is not correct.');
    }
    await throttle.succeeded(email, request.ip);
    // A sign-in from a browser that still holds a session replaces it rather than leaving it behind.
    if (request.session) await manager.signOut(request.session, recordedIp(request));
    const created = await manager.createSession({
      userId: user.id,
      remember: remember ?? false,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      headers: request.headers,
      passwordChangeRequired: user.passwordChangeRequired,
    });
    // The e-mail about a new device (sent after this answer) is written in the language this browser asked for.
    ctx.notifier.rememberLanguage(created.session.id, request.headers['accept-language']);
    reply.startSession(created);
    return { user: publicUser(user), session: sessionView(created.session, manager, created.session.id), passwordChangeRequired: user.passwordChangeRequired, permissions: [...permissionsOf(user.role)] };
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 204: noContent, 401: problemSchema } } }, async (request, reply) => {
    const session = requireSession(request);
    await manager.signOut(session, recordedIp(request));
    return reply.endSession().code(204).send(null);
  });

  app.get('/api/auth/session', { schema: { tags: ['auth'], response: { 200: signedIn, 401: problemSchema } } }, async (request) => {
    const { session, user } = await requireUser(request, ctx);
    return { user: publicUser(user), session: sessionView(session, manager, session.id), passwordChangeRequired: session.passwordChangeRequired, permissions: [...permissionsOf(user.role)] };
  });

  // Step-up: the password again, for the actions that ask for a recent sign-in (10 minutes by default).
  app.post('/api/auth/reauthenticate', {
    schema: { tags: ['auth'], body: reauthenticateBody, response: { 200: reauthenticated, 400: problemSchema, 401: problemSchema, 429: problemSchema } },
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request) => {
    const { user, session, actor } = await requireUser(request, ctx);
    if (!(await users.verify(user, request.body.password))) {
      await manager.audit.record(auditBy(actor, 'auth.reauthentication-failed', { targetUserId: user.id }));
      throw new SeshatError('invalid_input', 'The password is not correct.');
    }
    const at = await manager.markReauthenticated(session, recordedIp(request));
    const window = manager.settingsFor(user.id).reauthenticationWindowSeconds;
    return { reauthenticatedAt: new Date(at).toISOString(), freshUntil: new Date(at + window * 1000).toISOString() };
  });

  app.post('/api/auth/password', {
    schema: { tags: ['auth'], body: passwordBody, response: { 200: passwordChanged, 400: problemSchema, 401: problemSchema } },
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { user, actor, session } = await requireUser(request, ctx);
    // The current password is the step-up here: no separate reauthentication is asked for.
    const result = await users.changePassword(user, actor, request.body, {
      record: session,
      signIn: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, headers: request.headers },
    });
    // A fresh token (issue 14.21): the cookie that was in use before the change is never valid again.
    if (result.replacement) reply.startSession(result.replacement);
    return { revoked: result.revoked, apiKeysRevoked: result.apiKeysRevoked };
  });
}
