/**
 * Why this browser's session ended, as the server said in its 401 `…/session-ended` answer (issue #10).
 * That answer also clears the cookie, so after a reload the server cannot tell any more: the reason is kept in
 * localStorage until the next sign-in, and the sign-in page shows it as a plain banner.
 */
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

const sentences: Record<string, string> = {
  'signed-out': 'You signed out.',
  'signed-out-elsewhere': 'You were signed out from another of your devices.',
  'password-changed': 'You were signed out because your password was changed on another device.',
  admin: 'An administrator signed you out.',
  'session-limit': 'You were signed out because you signed in on more devices than allowed.',
  'idle-timeout': 'You were signed out after a period of inactivity.',
  lifetime: 'Your session reached its maximum length.',
  'invalidated-all': 'Everyone was signed out by an administrator.',
};

/** The banner for the sign-in page, or null when no reason is known. */
export function endingNotice(): string | null {
  const ending = stored();
  if (!ending) return null;
  const sentence = sentences[ending.reason] ?? 'Your session has ended.';
  return ending.adminReason ? `${sentence} Reason given: ${ending.adminReason}` : `${sentence} Please sign in again.`;
}
