import { ApiError, InputError } from './api.ts';
import type { Fmt } from './i18n/fmt.ts';
import type { MessageId } from './i18n/messages/index.ts';

/** A message a person can act on, for any failure, in the UI's language. */
export function errorText(f: Fmt, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.unreachable) return f.t('error.unreachable');
    if (error.status === 429) {
      return error.retryAfterSeconds ? f.t('error.tooManyWait', { wait: waitText(f, error.retryAfterSeconds) }) : f.t('error.tooMany');
    }
    if (error.status >= 500) return f.t('error.server', { status: error.status });
    if (error.status === 401 && error.type?.endsWith('/reauthentication-required')) return f.t('error.reauthenticate');
    if (error.status === 403) return f.t('error.forbidden');
    if (error.status === 404) return f.t('error.notFound');
    // 400/409/422: the server's own words name the field or conflict (they are English).
    return error.message || f.t('error.rejected', { status: error.status });
  }
  if (error instanceof InputError) return f.t(error.message as MessageId);
  return f.t('error.unexpected');
}

/** Whether trying again may help: the network or the server, not a refusal. */
export const retryable = (error: unknown): boolean => error instanceof ApiError && (error.unreachable || error.status >= 500 || error.status === 429);

export function waitText(f: Fmt, seconds: number): string {
  if (seconds < 60) return f.intl.formatNumber(seconds, { style: 'unit', unit: 'second', unitDisplay: 'long' });
  return f.intl.formatNumber(Math.ceil(seconds / 60), { style: 'unit', unit: 'minute', unitDisplay: 'long' });
}
