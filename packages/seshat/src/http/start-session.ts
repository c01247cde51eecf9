import type { CreatedSession } from '../core/session-manager.ts';
import { SeshatError } from '../core/errors.ts';
import { sameSiteGuard, type AuthenticatorOptions, type SameSiteRequest } from './authenticate.ts';

/** Options of every adapter's `startSession`. */
export interface StartSessionOptions {
  /**
   * Skip the login-CSRF check (default false). Only for a sign-in that another site is meant to start, such
   * as the callback of a single sign-on flow that checks its own `state`.
   */
  allowCrossSite?: boolean;
}

/**
 * The check every adapter's `startSession` runs before it sets the cookie: a sign-in a browser marks as
 * cross-site is refused with `SeshatError('forbidden')`, unless the caller opted out. It is the backstop
 * for an app that forgot `requireSameSite()` on its login route; that route guard is better, because it
 * refuses before a session is created. Here the session already exists, so it is ended at once (its token
 * never left the server) and does not linger in the user's list.
 */
export function startSessionGuard(options: AuthenticatorOptions): (request: SameSiteRequest, created: CreatedSession, start?: StartSessionOptions) => void {
  const check = sameSiteGuard(options);
  const { manager } = options;
  return (request, created, start) => {
    if (start?.allowCrossSite) return;
    const refused = check(request);
    if (refused === null) return;
    manager.signOut(created.session).catch((error: unknown) => manager.events.emit('error', error));
    throw new SeshatError('forbidden', refused.detail);
  };
}
