import '../node-version.ts';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema, HookHandlerDoneFunction, preHandlerAsyncHookHandler } from 'fastify';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { CreatedSession } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { recentAuthProblem, type MaxAge } from '../http/recent-auth.ts';
import { authenticationRule, sameSiteGuard, settleAuthentication, signedOutProblem, type Authentication, type AuthenticatorOptions, type SameSiteRequest, type SessionRejection } from '../http/authenticate.ts';
import { cookieValue, pathOnly, resolveCookie, type SessionCookieOptions } from '../http/cookie.ts';
import { isSafeMethod, originOf } from '../http/csrf.ts';
import type { Problem } from '../http/problem.ts';
import { startSessionGuard, type StartSessionOptions } from '../http/start-session.ts';
import { REGISTRATION_HEADER, RESPONSE_HEADER, SESSION_ID_HEADER } from '../device-binding/headers.ts';

/** Options of the `seshatFastify` plugin. */
export interface SeshatFastifyOptions extends AuthenticatorOptions {
  /** Cookie name and whether it is `Secure` (default `session_token`, not secure). */
  cookie?: SessionCookieOptions;
  /**
   * Which request paths need the session (default: all). Others stay anonymous without reading the cookie or the
   * store, so static files and health checks keep working while the store is down: only decisions that need the
   * session fail closed (503).
   */
  sessionPaths?: (path: string) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated session, or null for an anonymous request. */
    session: SessionRecord | null;
    /** The API key a `Bearer` request presented, if valid (then `session` is always null). */
    apiKey: ApiKeyRecord | null;
    /** Set when the request's session cookie was refused: why the session ended, if it did. Its 401 clears the cookie. */
    sessionRejection: SessionRejection | null;
  }
  interface FastifyReply {
    /**
     * Sets the cookie of a session just created (a login). Refuses a cross-site sign-in (throws a
     * `SeshatError('forbidden')` and ends the session) unless `{ allowCrossSite: true }`.
     */
    startSession(created: CreatedSession, options?: StartSessionOptions): FastifyReply;
    /** Clears the session cookie (a logout). */
    endSession(): FastifyReply;
  }
  interface FastifyInstance {
    /**
     * Login-CSRF guard for the sign-in route: answers 403 problem+json when a browser marks the request as
     * coming from another site, before the handler creates a session.
     * `app.post('/login', { preHandler: app.requireSameSite() }, …)`.
     */
    requireSameSite(): preHandlerAsyncHookHandler;
    /**
     * Route guard: without a session, answers 401 problem+json (`…/session-ended` with `endedReason` and `endedAt`
     * when the cookie's session ended). `app.get('/me', { preHandler: app.requireSession() }, …)`.
     */
    requireSession(): preHandlerAsyncHookHandler;
    /**
     * Step-up guard: like `requireSession`, and answers 401 `…/reauthentication-required` unless the session signed
     * in or re-entered its password within `maxAgeSeconds` (a number, or a function read per request).
     * `app.post('/api/keys', { preHandler: app.requireRecentAuth(600) }, …)`.
     */
    requireRecentAuth(maxAgeSeconds: MaxAge): preHandlerAsyncHookHandler;
  }
}

/** The request's own origin as Fastify sees it (`protocol` and `host` follow the instance's `trustProxy`). */
const ownOrigin = (request: FastifyRequest) => () => originOf(request.protocol, request.host);

const sameSiteRequest = (request: FastifyRequest): SameSiteRequest => ({
  secFetchSite: header(request, 'sec-fetch-site'),
  origin: header(request, 'origin'),
  ownOrigin: ownOrigin(request),
});

/** Applies the authentication to the request, then continues; a refusal is answered and the request ends there. */
function settle(auth: Authentication, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (auth.kind === 'refused') return void sendProblem(reply, auth.problem);
  if (auth.kind === 'session') request.session = auth.session;
  else if (auth.kind === 'api-key') request.apiKey = auth.apiKey;
  else if (auth.kind === 'rejected') request.sessionRejection = auth.rejection;
  done();
}

/** A store failure while authenticating: Fastify's error handling takes it. */
const failed = (error: unknown, _request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => done(error as Error);

const plugin: FastifyPluginAsync<SeshatFastifyOptions> = async (app, options) => {
  const cookie = resolveCookie(options.cookie);
  const authenticate = authenticationRule(options);
  const guard = sameSiteGuard(options);
  const guardStart = startSessionGuard(options);
  const { deviceBinding } = options;
  // The cookie is read and written with `cookie` (as in the Express adapter) rather than @fastify/cookie:
  // one header each way does not justify a second plugin in every app's install.
  // Max-Age=0 and an Expires in the past: browsers drop the cookie at once (Max-Age wins where both are understood).
  const clearing = stringifySetCookie({ name: cookie.name, value: '', ...cookie.attributes, maxAge: 0, expires: new Date(0) });

  app.decorateRequest('session', null);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('sessionRejection', null);
  app.decorateReply('startSession', function (this: FastifyReply, created: CreatedSession, start?: StartSessionOptions) {
    guardStart(sameSiteRequest(this.request), created, start);
    const maxAge = created.cookieMaxAge !== undefined ? { maxAge: created.cookieMaxAge } : {};
    const offer = deviceBinding?.registrationHeader(created.session);
    if (offer) this.header(REGISTRATION_HEADER, offer);
    return this.header('set-cookie', stringifySetCookie({ name: cookie.name, value: created.token, ...cookie.attributes, ...maxAge }));
  });
  app.decorateReply('endSession', function (this: FastifyReply) {
    return this.header('set-cookie', clearing);
  });
  app.decorate('requireSameSite', () => async (request: FastifyRequest, reply: FastifyReply) => {
    const refused = guard(sameSiteRequest(request));
    if (refused) return sendProblem(reply, refused);
  });

  // The two device-binding endpoints: authenticated by the signed challenge, not by the hook below.
  if (deviceBinding) {
    const answer = (register: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const cookies = request.headers.cookie;
      const binding = {
        sessionCookie: cookies ? parseCookie(cookies)[cookie.name] : undefined,
        proof: header(request, RESPONSE_HEADER),
        sessionIdHeader: header(request, SESSION_ID_HEADER),
        ip: request.ip,
      };
      const a = await (register ? deviceBinding.register(binding) : deviceBinding.refresh(binding));
      return reply.code(a.status).headers(a.headers).send(JSON.stringify(a.body));
    };
    // `hide` keeps them out of an OpenAPI document (@fastify/swagger), where the app has one: browsers call these
    // two from their network layer, API clients never do. Cast: Fastify's own schema type does not know the key.
    const hidden = { schema: { hide: true } as FastifySchema };
    app.post(deviceBinding.paths.register, hidden, answer(true));
    app.post(deviceBinding.paths.refresh, hidden, answer(false));
  }

  app.decorate('requireRecentAuth', (maxAgeSeconds: MaxAge) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.session) {
      if (request.sessionRejection) reply.header('set-cookie', clearing);
      return sendProblem(reply, signedOutProblem(request.sessionRejection));
    }
    const refused = recentAuthProblem(request.session, maxAgeSeconds, options.manager.clock);
    if (refused) return sendProblem(reply, refused);
  });

  app.decorate('requireSession', () => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.session) return sendProblem(reply, signedOutProblem(request.sessionRejection));
  });
  // Any 401 to a request whose cookie was refused clears the cookie, whoever answered it: the browser stops
  // sending a dead token.
  // A callback hook too: no promise per request.
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => {
    if (reply.statusCode === 401 && request.sessionRejection) appendSetCookie(reply, clearing);
    done(null, payload);
  });

  const sessionPaths = options.sessionPaths;
  // A callback hook, not an async one: a cache hit answers at once, with no promise per request.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const path = pathOnly(request.url);
    if (sessionPaths && !sessionPaths(path)) return done();
    const headers = request.headers;
    const method = request.method;
    const auth = authenticate({
      method,
      // The two cookies read by name, without parsing (and decoding) every cookie of the site.
      cookie: cookieValue(headers.cookie, cookie.name),
      boundCookie: deviceBinding ? cookieValue(headers.cookie, deviceBinding.cookieName) : undefined,
      authorization: headers.authorization,
      secFetchSite: header(request, 'sec-fetch-site'),
      origin: header(request, 'origin'),
      // Only an unsafe method's CSRF check may need the request's own origin.
      ownOrigin: isSafeMethod(method) ? undefined : ownOrigin(request),
      path,
      ip: request.ip,
    });
    // A cache hit continues at once: no promise, no microtask before the route runs.
    settleAuthentication(auth, settle, failed, request, reply, done);
  });

};

// What fastify-plugin would do, in three documented symbols: skip encapsulation, so the decorators and the
// hook reach the routes of the instance that registers the plugin; name it; and let Fastify check its version.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'seshat',
  [Symbol.for('plugin-meta')]: { name: 'seshat', fastify: '5.x' },
});

/**
 * Validates the session cookie on every request and puts the session on `request.session`.
 * Cookie-authenticated unsafe requests from other origins are refused with 403 before anything runs.
 * Register it on the instance whose routes need sessions: `await app.register(seshatFastify, { manager })`.
 */
export const seshatFastify: FastifyPluginAsync<SeshatFastifyOptions> = plugin;

/** A request header's (first) value. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Adds a Set-Cookie header, keeping any already set. */
function appendSetCookie(reply: FastifyReply, value: string): void {
  const existing = reply.getHeader('set-cookie');
  if (existing === undefined) reply.header('set-cookie', value);
  else reply.header('set-cookie', [...(Array.isArray(existing) ? existing : [String(existing)]), value]);
}

/** Sends a problem+json answer. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
