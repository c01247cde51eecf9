/**
 * Errors are values with a code. The HTTP layer maps codes to status codes in one place
 * (src/http/problem.ts); the CLI maps them to exit messages.
 */
export type SeshatErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
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
  constructor(code: SeshatErrorCode, detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'SeshatError';
    this.code = code;
    this.detail = detail;
  }
}

/** Whether a thrown value is a `SeshatError`. */
export const isSeshatError = (e: unknown): e is SeshatError => e instanceof SeshatError;
