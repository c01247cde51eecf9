/**
 * Why this browser's session ended, as the server said in its 401 `…/session-ended` answer (issue #10).
 * That answer also clears the cookie, so after a reload the server cannot tell any more: the reason is kept in
 * localStorage until the next sign-in, and the sign-in page shows it as a plain banner.
 */
import type { Notice } from './notice.ts';
import type { MessageId } from './i18n/messages/index.ts';

const KEY = 'seshat.sessionEnded';

export interface Ending {
  reason: string;
  adminReason?: string;
}

/** Keeps the reason of a `…/session-ended` problem body, if it is one. */
export function rememberEnding(problem: { endedReason?: unknown; adminReason?: unknown }): void {
  if (typeof problem.endedReason !== 'string') return;
  const ending: Ending = { reason: problem.endedReason, ...(typeof problem.adminReason === 'string' ? { adminReason: problem.adminReason } : {}) };
  try {
    localStorage.setItem(KEY, JSON.stringify(ending));
  } catch {
    // Storage off (private mode): the banner shows until the next reload only.
  }
  latest = ending;
}

let latest: Ending | null = null;

/** Forgets the reason (after a successful sign-in, or a sign-out the person did here). */
export function forgetEnding(): void {
  latest = null;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

function stored(): Ending | null {
  if (latest) return latest;
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Ending | null;
    return value && typeof value.reason === 'string' ? value : null;
  } catch {
    return null;
  }
}

const sentences: Record<string, MessageId> = {
  'signed-out': 'ended.signedOut',
  'signed-out-elsewhere': 'ended.signedOutElsewhere',
  'password-changed': 'ended.passwordChanged',
  admin: 'ended.admin',
  'session-limit': 'ended.sessionLimit',
  'idle-timeout': 'ended.idleTimeout',
  lifetime: 'ended.lifetime',
  'invalidated-all': 'ended.invalidatedAll',
  'key-mismatch': 'ended.keyMismatch',
};

/** The banner for the sign-in page (catalog messages), or null when no reason is known. */
export function endingNotice(): Notice | null {
  const ending = stored();
  if (!ending) return null;
  const id = sentences[ending.reason] ?? 'ended.other';
  return ending.adminReason ? { id, then: { id: 'ended.reasonGiven', values: { reason: ending.adminReason } } } : { id, then: { id: 'ended.signInAgain' } };
}
