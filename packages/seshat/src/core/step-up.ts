import type { Clock } from './clock.ts';
import { SeshatError } from './errors.ts';
import type { SessionRecord } from './session.ts';

/**
 * Recent authentication ("step-up"). A session is created only by a sign-in, so its `createdAt` is when it was
 * authenticated; `reauthenticatedAt` records the last time its password was entered again. Dangerous actions (ending
 * other sessions, minting API keys, changing settings) ask that one of them be recent, so a stolen cookie alone —
 * without the password — cannot do them once the window has passed.
 *
 * `reauthenticatedAt === 0` means freshness was ended on purpose ("this wasn't me"): the sign-in no longer counts.
 */
export const FRESHNESS_ENDED = 0;

/** When the session last proved the password: its re-authentication, else its sign-in (0 once freshness was ended). */
export function lastAuthenticatedAt(session: Pick<SessionRecord, 'createdAt' | 'reauthenticatedAt'>): number {
  return session.reauthenticatedAt ?? session.createdAt;
}

/** Whether the session proved its password within the last `maxAgeSeconds`. */
export function isRecentlyAuthenticated(session: Pick<SessionRecord, 'createdAt' | 'reauthenticatedAt'>, maxAgeSeconds: number, now: number): boolean {
  return now - lastAuthenticatedAt(session) <= maxAgeSeconds * 1000;
}

/**
 * The step-up rule as a value: a `SeshatError('reauthentication_required')` (401 `…/reauthentication-required`,
 * with `maxAgeSeconds` so a client can say how long it will last) unless the session proved its password within
 * `maxAgeSeconds`; an anonymous request is `unauthenticated`. Adapters wrap it as route guards.
 */
export function recentAuthRefusal(session: Pick<SessionRecord, 'createdAt' | 'reauthenticatedAt'> | null, maxAgeSeconds: number, clock: Clock): SeshatError | null {
  if (!session) return new SeshatError('unauthenticated', 'Sign in to continue.');
  if (isRecentlyAuthenticated(session, maxAgeSeconds, clock.now())) return null;
  return new SeshatError('reauthentication_required', 'Enter your password again to continue.', {
    extensions: { maxAgeSeconds, authenticatedAt: new Date(lastAuthenticatedAt(session)).toISOString() },
  });
}
