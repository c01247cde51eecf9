import { SeshatError } from './errors.ts';

/**
 * Why a session ended: the code stored on the row (`revoked_reason`, also the metrics label) and what the signed-out
 * person is told (`endedReason` in the 401 `…/session-ended` problem). One table, so adding a reason is one line:
 * its stored code and the public reason it maps to (several stored codes may share one public reason).
 *
 * Stored codes stay as they were first released (dashboards count them); public reasons are the vocabulary of
 * issue #10 and of the sign-in page's banner.
 */
export const endedReasons = {
  /** The person signed out of this session. */
  'sign-out': 'signed-out',
  /** The owner ended it from another of their sessions. */
  revoked: 'signed-out-elsewhere',
  /** "Sign out all other sessions", from another session. */
  'signed-out-others': 'signed-out-elsewhere',
  'password-changed': 'password-changed',
  /** An administrator ended this one session. */
  'revoked-by-admin': 'admin',
  /** An administrator signed the person out everywhere. */
  'force-sign-out': 'admin',
  'session-limit': 'session-limit',
  /** Found idle past the idle timeout (ended for good, so relaxing the setting never revives it). */
  'idle-timeout': 'idle-timeout',
  /** Found past the absolute lifetime or the remember-me duration. */
  lifetime: 'lifetime',
  'invalidate-all': 'invalidated-all',
  /** The owner reported the session ("this wasn't me"); its holder is told no more than for any other sign-out elsewhere. */
  reported: 'signed-out-elsewhere',
  /** A device-bound session's refresh was signed by another key than the one registered (DBSC): cookies copied elsewhere. */
  'key-mismatch': 'key-mismatch',
} as const satisfies Record<string, string>;

/** A stored reason code (`revoked_reason`). */
export type RevocationReason = keyof typeof endedReasons;
/** What the signed-out person is told. */
export type EndedReason = (typeof endedReasons)[RevocationReason];

/** The public reason of a stored code; an unknown code (a newer node's, a hand-edited row) reads as `signed-out`. */
export function endedReasonOf(code: string | null): EndedReason {
  return (Object.hasOwn(endedReasons, code ?? '') ? endedReasons[code as RevocationReason] : 'signed-out');
}

/** Why and when a session ended, as its former holder may learn it. */
export interface SessionEnding {
  reason: EndedReason;
  /** Epoch milliseconds. */
  at: number;
  /** The administrator's reason, only while the setting `showAdminReasonToUser` is on. */
  adminReason?: string;
}

/** What the 401 says, per public reason (the sign-in page words its banner itself, in the person's language). */
const endedDetail: Record<EndedReason, string> = {
  'signed-out': 'You signed out of this session.',
  'signed-out-elsewhere': 'You signed this session out from another device.',
  'password-changed': 'You were signed out because your password was changed.',
  admin: 'An administrator signed you out.',
  'session-limit': 'You were signed out because the account reached its limit of sessions.',
  'idle-timeout': 'You were signed out after a period of inactivity.',
  lifetime: 'This session reached its maximum lifetime.',
  'invalidated-all': 'Everyone was signed out.',
  'key-mismatch': 'This session was ended because another device tried to use it: its cookies were copied off the device it was bound to.',
};

/** The `…/session-ended` answer (401) for a session that ended: why, when and, if allowed, the administrator's words. */
export function sessionEndedError(ending: SessionEnding): SeshatError {
  return new SeshatError('session_ended', `${endedDetail[ending.reason]} Sign in again.`, {
    extensions: {
      endedReason: ending.reason,
      endedAt: new Date(ending.at).toISOString(),
      ...(ending.adminReason !== undefined ? { adminReason: ending.adminReason } : {}),
    },
  });
}
