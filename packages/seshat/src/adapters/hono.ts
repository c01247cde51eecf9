import '../node-version.ts';
import { stringifySetCookie } from 'cookie';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { CreatedSession } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { recentAuthProblem, type MaxAge } from '../http/recent-auth.ts';
import {
  authenticationRule, sameSiteGuard, settleAuthentication, signedOutProblem,
  type Authentication, type AuthenticatorOptions, type SameSiteRequest, type SessionRejection,
} from '../http/authenticate.ts';
import { cookieValue, pathOnly, resolveCookie, type SessionCookieOptions } from '../http/cookie.ts';
import { isSafeMethod } from '../http/csrf.ts';
import type { Problem } from '../http/problem.ts';
import { startSessionGuard, type StartSessionOptions } from '../http/start-session.ts';
import { REGISTRATION_HEADER, RESPONSE_HEADER, SESSION_ID_HEADER } from '../device-binding/headers.ts';

/** Options of `seshatHono`. */
export interface SeshatHonoOptions extends AuthenticatorOptions {
  /** Cookie name and whether it is `Secure` (default `session_token`, not secure). */
  cookie?: SessionCookieOptions;
  /**
   * The client address of a request, recorded as a session's latest address. Hono has no runtime-neutral one: on
   * Node, `(c) => getConnInfo(c).remote.address` from `@hono/node-server/conninfo`. Default: none recorded.
   */
  clientIp?: (c: Context) => string | null | undefined;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The validated session, or null for an anonymous request: `c.get('session')` or `c.var.session`. */
    session: SessionRecord | null;
    /** The API key a `Bearer` request presented, if valid (then `session` is always null). */
    apiKey: ApiKeyRecord | null;
    /** Set when the request's session cookie was refused: why the session ended, if it did. */
    sessionRejection: SessionRejection | null;
  }
}

/** What `seshatHono` returns: one middleware for every request, a route guard and the cookie setters. */
export interface SeshatHono {
  /** Validates the session cookie and sets `c.var.session`; refuses cross-site unsafe requests with 403. */
  middleware: MiddlewareHandler;
  /**
   * Login-CSRF guard for the sign-in route: answers 403 problem+json when a browser marks the request as
   * coming from another site, before the handler creates a session. `app.post('/login', seshat.requireSameSite(), …)`.
   */
  requireSameSite(): MiddlewareHandler;
  /**
   * Sets the cookie of a session just created (a login). Refuses a cross-site sign-in (throws a
   * `SeshatError('forbidden')` and ends the session) unless `{ allowCrossSite: true }`.
   */
  startSession(c: Context, created: CreatedSession, options?: StartSessionOptions): void;
  /** Clears the session cookie (a logout). */
  endSession(c: Context): void;
  /**
   * Route guard: without a session, answers 401 problem+json (`…/session-ended` with `endedReason` and `endedAt`
   * when the cookie's session ended) and clears a refused cookie.
   */
  requireSession(): MiddlewareHandler;
  /**
   * Step-up guard: like `requireSession`, and answers 401 `…/reauthentication-required` unless the session signed in
   * or re-entered its password within `maxAgeSeconds` (a number, or a function read per request).
   */
  requireRecentAuth(maxAgeSeconds: MaxAge): MiddlewareHandler;
}

/**
 * The request's own origin: Hono's request URL is built from the Host header and the connection's protocol
 * (on Node, by @hono/node-server). Behind a TLS-terminating proxy that is `http://…`: list the public origin
 * in `trustedOrigins` there.
 */
const ownOrigin = (c: Context) => () => {
  try {
    return new URL(c.req.url).origin;
  } catch {
    return undefined;
  }
};

const sameSiteRequest = (c: Context): SameSiteRequest => ({
  secFetchSite: c.req.header('sec-fetch-site'),
  origin: c.req.header('origin'),
  ownOrigin: ownOrigin(c),
});

/**
 * The Cookie header. On Node, @hono/node-server passes the IncomingMessage as `c.env.incoming`, and its parsed
 * headers are read directly: Hono's `c.req.header()` builds a Headers view of the request and validates the value
 * on every call, a measurable share of a cache hit (issue #11). Elsewhere (Bun, Deno, workers, `app.request()`)
 * the standard way.
 */
function cookieHeader(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming;
  const value = incoming?.headers?.cookie;
  return typeof value === 'string' ? value : c.req.header('cookie');
}

const problemResponse = (c: Context, p: Problem) =>
  c.body(JSON.stringify(p), p.status as ContentfulStatusCode, { 'content-type': 'application/problem+json' });

/** Applies the authentication to the context, then runs the next handler (or answers a refusal). */
function settle(auth: Authentication, c: Context, next: Next): Promise<Response | void> {
  if (auth.kind === 'refused') return Promise.resolve(problemResponse(c, auth.problem));
  if (auth.kind === 'session') c.set('session', auth.session);
  else if (auth.kind === 'api-key') c.set('apiKey', auth.apiKey);
  else if (auth.kind === 'rejected') c.set('sessionRejection', auth.rejection);
  return next();
}

/** A store failure while authenticating: Hono's `onError` takes it. */
const failed = (error: unknown): never => {
  throw error;
};

/** Hono middleware (tested on Node with @hono/node-server): translates the request for `authenticationRule`. */
export function seshatHono(options: SeshatHonoOptions): SeshatHono {
  const cookie = resolveCookie(options.cookie);
  const authenticate = authenticationRule(options);
  const guard = sameSiteGuard(options);
  const guardStart = startSessionGuard(options);
  // Max-Age=0 and an Expires in the past: browsers drop the cookie at once (Max-Age wins where both are understood).
  const clearing = stringifySetCookie({ name: cookie.name, value: '', ...cookie.attributes, maxAge: 0, expires: new Date(0) });
  const { deviceBinding, apiKeys } = options;

  return {
    // Not an async function: a cache hit returns the next handler's own promise, with none of its own.
    middleware(c, next) {
      c.set('session', null);
      c.set('apiKey', null);
      c.set('sessionRejection', null);
      const method = c.req.method;
      const path = c.req.path;
      const cookies = cookieHeader(c);
      // The two device-binding endpoints are answered here: an app adds nothing but the `deviceBinding` option.
      if (deviceBinding && method === 'POST' && deviceBinding.isEndpoint(path)) {
        const request = { sessionCookie: cookieValue(cookies, cookie.name), proof: c.req.header(RESPONSE_HEADER), sessionIdHeader: c.req.header(SESSION_ID_HEADER) };
        return (path === deviceBinding.paths.register ? deviceBinding.register(request) : deviceBinding.refresh(request)).then((a) =>
          c.body(JSON.stringify(a.body), a.status as ContentfulStatusCode, a.headers),
        );
      }
      // Each header is a lookup through Hono's request (a Headers object off Node), so only the ones the rule will
      // read: the CSRF headers for unsafe methods, `Authorization` when API keys are accepted.
      const safe = isSafeMethod(method);
      const auth = authenticate({
        method,
        // The two cookies read by name, without parsing (and decoding) every cookie of the site.
        cookie: cookieValue(cookies, cookie.name),
        boundCookie: deviceBinding ? cookieValue(cookies, deviceBinding.cookieName) : undefined,
        authorization: apiKeys ? c.req.header('authorization') : undefined,
        secFetchSite: safe ? undefined : c.req.header('sec-fetch-site'),
        origin: safe ? undefined : c.req.header('origin'),
        ownOrigin: safe ? undefined : ownOrigin(c),
        path: pathOnly(path),
        ip: options.clientIp?.(c) ?? null,
      });
      return settleAuthentication(auth, settle, failed, c, next, undefined);
    },
    requireSameSite() {
      return async (c, next) => {
        const refused = guard(sameSiteRequest(c));
        if (refused) return problemResponse(c, refused);
        await next();
      };
    },
    startSession(c, created, start) {
      guardStart(sameSiteRequest(c), created, start);
      const maxAge = created.cookieMaxAge !== undefined ? { maxAge: created.cookieMaxAge } : {};
      const offer = deviceBinding?.registrationHeader(created.session);
      if (offer) c.header(REGISTRATION_HEADER, offer);
      c.header('set-cookie', stringifySetCookie({ name: cookie.name, value: created.token, ...cookie.attributes, ...maxAge }), { append: true });
    },
    endSession(c) {
      c.header('set-cookie', clearing, { append: true });
    },
    requireSession() {
      return async (c, next) => {
        if (c.get('session')) return next();
        const rejection = c.get('sessionRejection');
        if (rejection) c.header('set-cookie', clearing, { append: true });
        return problemResponse(c, signedOutProblem(rejection));
      };
    },
    requireRecentAuth(maxAgeSeconds) {
      return async (c, next) => {
        const session = c.get('session');
        if (!session) {
          const rejection = c.get('sessionRejection');
          if (rejection) c.header('set-cookie', clearing, { append: true });
          return problemResponse(c, signedOutProblem(rejection));
        }
        const refused = recentAuthProblem(session, maxAgeSeconds, options.manager.clock);
        if (refused) return problemResponse(c, refused);
        await next();
      };
    },
  };
}
