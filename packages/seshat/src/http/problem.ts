import { isSeshatError, type SeshatErrorCode } from '../core/errors.ts';

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Field-level problems for invalid input. */
  errors?: { path: string; message: string }[];
  /** Further members specific to a problem type (RFC 9457 extension members). */
  [extension: string]: unknown;
}

/** The one place where error codes become HTTP statuses. */
const byCode: Record<SeshatErrorCode, { status: number; title: string }> = {
  invalid_input: { status: 400, title: 'Invalid input' },
  unauthenticated: { status: 401, title: 'Not signed in' },
  session_ended: { status: 401, title: 'Session ended' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  session_limit: { status: 409, title: 'Session limit reached' },
  rate_limited: { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
  // 401, not 403: the answer is to authenticate (again), exactly what 401 asks for.
  reauthentication_required: { status: 401, title: 'Recent authentication required' },
  password_change_required: { status: 403, title: 'Password change required' },
};

/** The `type` URI of a problem code. */
export const problemType = (code: string) => `https://seshat.dev/problems/${code.replace(/_/g, '-')}`;

/** The HTTP status of an error code. */
export const problemStatus = (code: SeshatErrorCode): number => byCode[code].status;

/** An RFC 9457 problem for an error code and a sentence. */
export function problem(code: SeshatErrorCode, detail: string, extra?: Partial<Problem>): Problem {
  const { status, title } = byCode[code];
  return { type: problemType(code), title, status, detail, ...extra };
}

/**
 * The problem for a thrown `SeshatError` (403 for a refused cross-site sign-in, 404 for someone else's
 * session, 503 when the store is down, …), or null for any other error: the one line an app's error handler
 * needs to answer Seshat's refusals as RFC 9457 problem+json.
 */
export function problemFromError(error: unknown): Problem | null {
  return isSeshatError(error) ? problem(error.code, error.detail, error.extensions) : null;
}
