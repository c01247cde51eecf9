/**
 * Errors are values with a code. The HTTP layer maps codes to status codes in one place
 * (src/http/problem.ts); the CLI maps them to exit messages.
 */
export type SeshatErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  /** The session cookie named a session that ended (revoked or expired): 401 with why and when. */
  | 'session_ended'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'session_limit'
  | 'rate_limited'
  | 'unavailable'
  /** The session must enter its password again (step-up) before this action. */
  | 'reauthentication_required'
  /** The account must change its password before anything else. */
  | 'password_change_required';

/** An expected failure with a code (`not_found`, `forbidden`, `unavailable`, …) and a sentence for people. The HTTP status of each code is in one table (`problem`, `problemFromError`). */
export class SeshatError extends Error {
  readonly code: SeshatErrorCode;
  readonly detail: string;
  /** Further facts for the problem answer (RFC 9457 extension members), e.g. `endedReason` and `endedAt`. */
  readonly extensions: Record<string, unknown> | undefined;
  constructor(code: SeshatErrorCode, detail: string, options?: ErrorOptions & { extensions?: Record<string, unknown> }) {
    super(detail, options);
    this.name = 'SeshatError';
    this.code = code;
    this.detail = detail;
    this.extensions = options?.extensions;
  }
}

/** Whether a thrown value is a `SeshatError`. */
export const isSeshatError = (e: unknown): e is SeshatError => e instanceof SeshatError;
