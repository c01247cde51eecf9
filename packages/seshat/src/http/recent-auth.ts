import type { Clock } from '../core/clock.ts';
import type { SessionRecord } from '../core/session.ts';
import { recentAuthRefusal } from '../core/step-up.ts';
import { problem, type Problem } from './problem.ts';

/**
 * A step-up window: seconds, or a function read per request with the request's session (an admin setting that can
 * change at runtime, or differ per person: a session policy).
 */
export type MaxAge = number | ((session: SessionRecord) => number);

/**
 * The `requireRecentAuth` guard of every adapter, over plain inputs: null when the session proved its password
 * within the window, else the problem to answer (401 `…/reauthentication-required`, with `maxAgeSeconds`). A request
 * without a session is not this guard's business: it gets null here, and the adapter answers it as `requireSession`
 * would (401, with why a rejected cookie's session ended).
 */
export function recentAuthProblem(session: SessionRecord | null, maxAge: MaxAge, clock: Clock): Problem | null {
  if (!session) return null;
  const refusal = recentAuthRefusal(session, typeof maxAge === 'function' ? maxAge(session) : maxAge, clock);
  return refusal ? problem(refusal.code, refusal.detail, refusal.extensions) : null;
}
