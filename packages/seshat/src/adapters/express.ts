import '../node-version.ts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { CreatedSession } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { recentAuthProblem, type MaxAge } from '../http/recent-auth.ts';
import {
  authenticationRule, sameSiteGuard, settleAuthentication, signedOutProblem,
  type Authentication, type AuthenticatorOptions, type SameSiteRequest, type SessionRejection,
} from '../http/authenticate.ts';
import { cookieValue, pathOnly, resolveCookie, type SessionCookieOptions } from '../http/cookie.ts';
import { isSafeMethod, originOf } from '../http/csrf.ts';
import type { Problem } from '../http/problem.ts';
import { startSessionGuard, type StartSessionOptions } from '../http/start-session.ts';
import { REGISTRATION_HEADER, RESPONSE_HEADER, SESSION_ID_HEADER } from '../device-binding/headers.ts';

/** Options of `seshatExpress`. */
export interface SeshatExpressOptions extends AuthenticatorOptions {
  /** Cookie name and whether it is `Secure` (default `session_token`, not secure). */
  cookie?: SessionCookieOptions;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated session, or null for an anonymous request. */
      session: SessionRecord | null;
      /** The API key a `Bearer` request presented, if valid (then `session` is always null). */
      apiKey: ApiKeyRecord | null;
      /** Set when the request's session cookie was refused: why the session ended, if it did. */
      sessionRejection: SessionRejection | null;
    }
  }
}

/** What `seshatExpress` returns: one middleware for every request, a route guard and the cookie setters. */
export interface SeshatExpress {
  /**
   * Validates the session cookie and sets `req.session`; refuses cross-site unsafe requests with 403. With the
   * `deviceBinding` option it also answers the two device-binding endpoints.
   */
  middleware: RequestHandler;
  /**
   * Login-CSRF guard for the sign-in route: answers 403 problem+json when a browser marks the request as
   * coming from another site, before the handler creates a session. `app.post('/login', seshat.requireSameSite(), …)`.
   */
  requireSameSite(): RequestHandler;
  /**
   * Sets the cookie of a session just created (a login). Refuses a cross-site sign-in (throws a
   * `SeshatError('forbidden')` and ends the session) unless `{ allowCrossSite: true }`.
   */
  startSession(res: Response, created: CreatedSession, options?: StartSessionOptions): void;
  /** Clears the session cookie (a logout). */
  endSession(res: Response): void;
  /**
   * Route guard: without a session, answers 401 problem+json (`…/session-ended` with `endedReason` and `endedAt`
   * when the cookie's session ended) and clears a refused cookie.
   */
  requireSession(): RequestHandler;
  /**
   * Step-up guard: like `requireSession`, and answers 401 `…/reauthentication-required` unless the session signed in
   * or re-entered its password within `maxAgeSeconds` (a number, or a function read per request).
   * `app.post('/api/keys', seshat.requireRecentAuth(600), …)`; record a re-entered password with
   * `manager.markReauthenticated(session)`.
   */
  requireRecentAuth(maxAgeSeconds: MaxAge): RequestHandler;
}

/**
 * The client address as Express's `req.ip` gives it. That getter runs proxy-addr over X-Forwarded-For on every read
 * (~0.8 µs, the largest part of the middleware on a cache hit); with `trust proxy` off, Express's default, its answer
 * is always the socket's address, so that is read directly.
 */
const clientIp = (req: Request): string | null => (req.app.get('trust proxy') === false ? req.socket.remoteAddress : req.ip) ?? null;

/** The request's own origin as Express sees it (`req.protocol` and `req.host` follow the app's `trust proxy`). */
const ownOrigin = (req: Request) => () => originOf(req.protocol, req.host);

/** A header's (first) value. */
const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const sameSiteRequest = (req: Request): SameSiteRequest => ({
  secFetchSite: req.get('sec-fetch-site'),
  origin: req.get('origin'),
  ownOrigin: ownOrigin(req),
});

const sendProblem = (res: Response, p: Problem) => res.status(p.status).type('application/problem+json').json(p);

/** Applies the authentication to the request, then continues (or answers a refusal). */
function settle(auth: Authentication, req: Request, res: Response, next: NextFunction): void {
  if (auth.kind === 'refused') return void sendProblem(res, auth.problem);
  if (auth.kind === 'session') req.session = auth.session;
  else if (auth.kind === 'api-key') req.apiKey = auth.apiKey;
  else if (auth.kind === 'rejected') req.sessionRejection = auth.rejection;
  next();
}

/** A store failure while authenticating: Express's error handling takes it. */
const failed = (error: unknown, _req: Request, _res: Response, next: NextFunction): void => next(error);

/** Express middleware: translates the request for `requestAuthenticator` and its answer back. */
export function seshatExpress(options: SeshatExpressOptions): SeshatExpress {
  const cookie = resolveCookie(options.cookie);
  const authenticate = authenticationRule(options);
  const guard = sameSiteGuard(options);
  const guardStart = startSessionGuard(options);
  // Express 5's clearCookie drops maxAge; `Max-Age=0` (with an Expires of now) makes every browser drop it at once.
  const clearCookie = (res: Response) => res.cookie(cookie.name, '', { ...cookie.attributes, maxAge: 0 });

  const { deviceBinding } = options;

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    req.session = null;
    req.apiKey = null;
    req.sessionRejection = null;
    const headers = req.headers;
    const method = req.method;
    const path = pathOnly(req.originalUrl);
    // The two device-binding endpoints are answered here: an app adds nothing but the `deviceBinding` option.
    if (deviceBinding && method === 'POST' && deviceBinding.isEndpoint(path)) {
      const request = { sessionCookie: cookieValue(headers.cookie, cookie.name), proof: req.get(RESPONSE_HEADER), sessionIdHeader: req.get(SESSION_ID_HEADER), ip: clientIp(req) };
      const answer = path === deviceBinding.paths.register ? deviceBinding.register(request) : deviceBinding.refresh(request);
      answer.then((a) => void res.status(a.status).set(a.headers).send(JSON.stringify(a.body)), next);
      return;
    }
    const auth = authenticate({
      method,
      // The two cookies read by name, without parsing (and decoding) every cookie of the site.
      cookie: cookieValue(headers.cookie, cookie.name),
      boundCookie: deviceBinding ? cookieValue(headers.cookie, deviceBinding.cookieName) : undefined,
      authorization: headers.authorization,
      secFetchSite: header(headers['sec-fetch-site']),
      origin: headers.origin,
      // Only an unsafe method's CSRF check may need the request's own origin.
      ownOrigin: isSafeMethod(method) ? undefined : ownOrigin(req),
      path,
      ip: clientIp(req),
    });
    // A cache hit continues at once: no promise, no microtask before the route runs.
    settleAuthentication(auth, settle, failed, req, res, next);
  };

  return {
    middleware,
    requireSameSite() {
      return (req, res, next) => {
        const refused = guard(sameSiteRequest(req));
        if (refused) return void sendProblem(res, refused);
        next();
      };
    },
    startSession(res, created, start) {
      guardStart(sameSiteRequest(res.req), created, start);
      res.cookie(cookie.name, created.token, {
        ...cookie.attributes,
        // Express takes milliseconds here.
        ...(created.cookieMaxAge !== undefined ? { maxAge: created.cookieMaxAge * 1000 } : {}),
      });
      const offer = deviceBinding?.registrationHeader(created.session);
      if (offer) res.set(REGISTRATION_HEADER, offer);
    },
    endSession(res) {
      clearCookie(res);
    },
    requireSession() {
      return (req, res, next) => {
        if (req.session) return next();
        if (req.sessionRejection) clearCookie(res);
        sendProblem(res, signedOutProblem(req.sessionRejection));
      };
    },
    requireRecentAuth(maxAgeSeconds) {
      return (req, res, next) => {
        if (!req.session) {
          if (req.sessionRejection) clearCookie(res);
          return void sendProblem(res, signedOutProblem(req.sessionRejection));
        }
        const refused = recentAuthProblem(req.session, maxAgeSeconds, options.manager.clock);
        if (refused) return void sendProblem(res, refused);
        next();
      };
    },
  };
}
