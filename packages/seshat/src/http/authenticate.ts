import type { ApiKeyRecord } from '../core/api-key.ts';
import type { ApiKeys } from '../core/api-keys.ts';
import type { SessionManager } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { bearerCredentials } from './bearer.ts';
import { isCsrfSafe, originSet } from './csrf.ts';
import { problem, type Problem } from './problem.ts';

/** What an adapter reads off a request; nothing framework-specific. */
export interface RequestCredentials {
  method: string;
  /** The session cookie's value, if the request carries one. */
  cookie: string | undefined;
  authorization: string | string[] | undefined;
  secFetchSite: string | undefined;
  origin: string | undefined;
  /** The request path without its query (recorded as the session's last page). */
  path: string;
}

export type Authentication =
  | { kind: 'session'; session: SessionRecord }
  | { kind: 'api-key'; apiKey: ApiKeyRecord }
  | { kind: 'anonymous' }
  /** Refused before anything runs (a cross-site write riding on the cookie). */
  | { kind: 'refused'; problem: Problem };

export interface AuthenticatorOptions {
  manager: SessionManager;
  /** Accept `Authorization: Bearer <API key>`; such a request is authenticated by the key alone. */
  apiKeys?: ApiKeys;
  /** Origins allowed to send cookie-authenticated POST/PUT/PATCH/DELETE besides same-origin pages. */
  trustedOrigins?: readonly string[];
}

const ANONYMOUS: Authentication = { kind: 'anonymous' };
const CROSS_SITE: Authentication = {
  kind: 'refused',
  problem: problem('forbidden', 'Cross-site request refused (CSRF protection).'),
};

/**
 * The one authentication rule every adapter applies: bearer key, else session cookie behind the CSRF check,
 * else anonymous. Options are resolved once; the returned function runs per request.
 */
export function requestAuthenticator(options: AuthenticatorOptions): (request: RequestCredentials) => Promise<Authentication> {
  const { manager, apiKeys } = options;
  const trustedOrigins = originSet(options.trustedOrigins ?? []);
  return async (request) => {
    const bearer = apiKeys ? bearerCredentials(request.authorization) : undefined;
    if (bearer !== undefined) {
      // Authenticated by the key alone, cookie ignored: nothing ambient for CSRF to ride on (see bearer.ts).
      const apiKey = await apiKeys!.authenticate(bearer);
      return apiKey ? { kind: 'api-key', apiKey } : ANONYMOUS;
    }
    if (request.cookie === undefined) return ANONYMOUS;
    if (!isCsrfSafe({ method: request.method, secFetchSite: request.secFetchSite, origin: request.origin, trustedOrigins })) return CROSS_SITE;
    const session = await manager.validate(request.cookie, { path: request.path });
    return session ? { kind: 'session', session } : ANONYMOUS;
  };
}
