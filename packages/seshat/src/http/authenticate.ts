import type { ApiKeyRecord } from '../core/api-key.ts';
import type { ApiKeys } from '../core/api-keys.ts';
import { sessionEndedError, type SessionEnding } from '../core/ended-reason.ts';
import type { SessionManager } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import type { DeviceBinding } from '../device-binding/device-binding.ts';
import { bearerCredentials } from './bearer.ts';
import { crossSiteRefusal, csrfRefusal, isSafeMethod, originSet } from './csrf.ts';
import { problem, problemFromError, type Problem } from './problem.ts';

/** What an adapter reads off a request; nothing framework-specific. */
export interface RequestCredentials {
  /** The HTTP method, upper case. */
  method: string;
  /** The session cookie's value, if the request carries one. */
  cookie: string | undefined;
  /** The `Authorization` header, if sent (read only with `apiKeys`: an adapter without them may leave it out). */
  authorization: string | string[] | undefined;
  /** The `Sec-Fetch-Site` header, if sent (read only for unsafe methods: an adapter may leave it out for GET). */
  secFetchSite: string | undefined;
  /** The `Origin` header, if sent (read only for unsafe methods, like `secFetchSite`). */
  origin: string | undefined;
  /** The request's own origin (protocol + Host), computed on demand; see `CsrfInput.ownOrigin`. */
  ownOrigin?: () => string | undefined;
  /** The request path without its query (recorded as the session's last page). */
  path: string;
  /** The client address (recorded as the session's latest address when it changes). */
  ip?: string | null;
  /** The bound cookie's value (device-bound sessions), if the request carries one. */
  boundCookie?: string | undefined;
}

/**
 * A request whose session cookie was refused (malformed, unknown, revoked or expired). Its 401 clears the cookie
 * (`Max-Age=0`, so the browser stops sending it) and, if the session ended, says why (`ended`).
 */
export interface SessionRejection {
  /** Why and when the session ended; null for a cookie that never named a session of its holder. */
  ended: SessionEnding | null;
}

/** What `requestAuthenticator` concluded about a request. */
export type Authentication =
  | { kind: 'session'; session: SessionRecord }
  | { kind: 'api-key'; apiKey: ApiKeyRecord }
  | { kind: 'anonymous' }
  /** A session cookie was presented and refused: anonymous, and the 401 should say so (see `SessionRejection`). */
  | { kind: 'rejected'; rejection: SessionRejection }
  /** Refused before anything runs (a cross-site write riding on the cookie). */
  | { kind: 'refused'; problem: Problem };

/** Options shared by every adapter. */
export interface AuthenticatorOptions {
  /** The session service requests are validated against. */
  manager: SessionManager;
  /** Accept `Authorization: Bearer <API key>`; such a request is authenticated by the key alone. */
  apiKeys?: ApiKeys;
  /**
   * Origins allowed to send cookie-authenticated POST/PUT/PATCH/DELETE (and sign-ins) besides the request's
   * own origin, e.g. a front end served from another port or host: `['https://app.example.com']`.
   */
  trustedOrigins?: readonly string[];
  /**
   * Device Bound Session Credentials: the adapter offers registration at sign-in, answers the two endpoints, and
   * treats a request of a bound session without a valid bound cookie as anonymous. See `DeviceBinding`.
   */
  deviceBinding?: DeviceBinding;
}

const ANONYMOUS: Authentication = { kind: 'anonymous' };

/**
 * The one authentication rule every adapter applies: bearer key, else session cookie behind the CSRF check,
 * else anonymous. Options are resolved once; the returned function runs per request.
 */
export function requestAuthenticator(options: AuthenticatorOptions): (request: RequestCredentials) => Promise<Authentication> {
  const rule = authenticationRule(options);
  return async (request) => rule(request);
}

/**
 * `requestAuthenticator`'s rule, answering without a promise when memory decides — a cached session (bound
 * cookie checked), an anonymous request, a CSRF refusal — and with one when the store must be read (a cache miss,
 * an expiry to confirm, a refused cookie's reason, an API key). A cache hit then allocates no promise and waits
 * for no microtask.
 */
export function authenticationRule(options: AuthenticatorOptions): (request: RequestCredentials) => Authentication | Promise<Authentication> {
  const { manager, apiKeys, deviceBinding } = options;
  const trustedOrigins = originSet(options.trustedOrigins ?? []);
  // Refusals are rare and cheap to explain: one more read, and only the token's holder learns the reason.
  const rejected = async (token: string): Promise<Authentication> => ({ kind: 'rejected', rejection: { ended: await manager.whyEnded(token) } });
  // A bound session also needs its bound cookie: an HMAC check, no store read, awaited only in the rare case it is
  // asynchronous (a signing secret this node has not loaded yet). Unbound sessions pass at once. Without it the
  // request is anonymous but not "rejected": the main cookie stays, the browser refreshes the bound one.
  const accept = (session: SessionRecord, request: RequestCredentials): Authentication | Promise<Authentication> => {
    const held = deviceBinding ? deviceBinding.holds(session, request.boundCookie) : true;
    if (held === true) return { kind: 'session', session };
    if (held === false) return ANONYMOUS;
    return held.then((ok): Authentication => (ok ? { kind: 'session', session } : ANONYMOUS));
  };
  return (request) => {
    const bearer = apiKeys ? bearerCredentials(request.authorization) : undefined;
    if (bearer !== undefined) {
      // Authenticated by the key alone, cookie ignored: nothing ambient for CSRF to ride on (see bearer.ts).
      return apiKeys!.authenticate(bearer).then((apiKey): Authentication => (apiKey ? { kind: 'api-key', apiKey } : ANONYMOUS));
    }
    const token = request.cookie;
    if (token === undefined) return ANONYMOUS;
    // The device-binding endpoints authenticate by the signed challenge, and browsers call them from the
    // network layer without Origin or Sec-Fetch-Site: they skip the CSRF check and validate on their own.
    if (deviceBinding?.isEndpoint(request.path)) return ANONYMOUS;
    if (!isSafeMethod(request.method)) {
      const refusal = csrfRefusal({ ...request, trustedOrigins });
      if (refusal !== null) return { kind: 'refused', problem: problem('forbidden', refusal) };
    }
    const seen = { path: request.path, ip: request.ip ?? null };
    const known = manager.validateCached(token, seen);
    if (known) return accept(known, request);
    if (known === null) return rejected(token);
    return manager.validate(token, seen).then((session) => (session ? accept(session, request) : rejected(token)));
  };
}

/**
 * Hands a request's authentication to the adapter: at once when memory decided it (a cache hit, an anonymous
 * request, a CSRF refusal), so the route runs with no promise and no microtask in between; when the store has
 * answered otherwise, and a store failure to `fail`. `apply` and `fail` receive the adapter's own request objects
 * (`a`, `b`, `c`: req, res and next in Express), so an adapter passes module-level functions and a hit builds no
 * closure. Every adapter continues through this one function: the hit path cannot be lost in one of them.
 */
export function settleAuthentication<A, B, C, R>(
  auth: Authentication | Promise<Authentication>,
  apply: (auth: Authentication, a: A, b: B, c: C) => R,
  fail: (error: unknown, a: A, b: B, c: C) => R,
  a: A,
  b: B,
  c: C,
): R | Promise<Awaited<R>> {
  if (!(auth instanceof Promise)) return apply(auth, a, b, c);
  return auth.then((settled) => apply(settled, a, b, c) as Awaited<R>, (error: unknown) => fail(error, a, b, c) as Awaited<R>);
}

/**
 * The 401 for a request that needs a session and has none: `…/session-ended` with `endedReason` and `endedAt` when
 * its cookie named a session that ended, else `…/unauthenticated`.
 */
export function signedOutProblem(rejection: SessionRejection | null): Problem {
  if (rejection?.ended) return problemFromError(sessionEndedError(rejection.ended))!;
  return problem('unauthenticated', 'Sign in to continue.');
}

/** The headers the login-CSRF guard reads. */
export type SameSiteRequest = Pick<RequestCredentials, 'secFetchSite' | 'origin' | 'ownOrigin'>;

/**
 * The login-CSRF guard behind every adapter's `requireSameSite()` and `startSession`: a problem (403) for a
 * request a browser marks as coming from another site, else null. A request with neither `Sec-Fetch-Site`
 * nor `Origin` passes: that is not a browser, and no other site can drive it.
 */
export function sameSiteGuard(options: Pick<AuthenticatorOptions, 'trustedOrigins'>): (request: SameSiteRequest) => Problem | null {
  const trustedOrigins = originSet(options.trustedOrigins ?? []);
  return (request) => {
    const refusal = crossSiteRefusal({ ...request, trustedOrigins });
    return refusal === null ? null : problem('forbidden', refusal);
  };
}
