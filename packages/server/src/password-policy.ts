import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';
import { SeshatError } from 'seshat';

/**
 * Password rules after NIST SP 800-63B-4 (§3.1.1.2) for a password that is the only factor:
 * - at least 15 characters, counted as Unicode code points after NFKC normalisation (the form that is hashed);
 * - long passphrases welcome: up to 1,024 characters (the rule asks that at least 64 be allowed);
 * - no composition rules (no "one digit, one symbol"), and no periodic expiry;
 * - refused when it is a commonly used password (the 49,000-entry list of the maintained `@zxcvbn-ts/language-common`
 *   package, compared case-insensitively and ignoring spaces), a run of one or two repeated characters, the account's
 *   own e-mail address or name, or the service's name;
 * - a new password must differ from the current one.
 */
export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 1024;

const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
const SERVICE_WORDS = ['seshat', 'seshatseshat'];

const codePoints = (s: string) => [...s.normalize('NFKC')].length;
const squeezed = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** Why a password is too easy to guess ("must …"), or null. Context-free: the account's own words are `checkNewPassword`'s. */
export function weakness(password: string): string | null {
  const length = codePoints(password);
  if (length < MIN_PASSWORD_LENGTH) return `must have at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one)`;
  if (length > MAX_PASSWORD_LENGTH) return `must have at most ${MAX_PASSWORD_LENGTH} characters`;
  const plain = squeezed(password);
  if (common.has(plain) || common.has(password.toLowerCase())) return 'must not be one of the commonly used passwords';
  if (new Set(plain).size <= 2) return 'must use more than two different characters';
  if (SERVICE_WORDS.includes(plain)) return "must not be the service's name";
  return null;
}

/** A new password: the type and the check in one (the API's 400 names the field and the rule). */
export const newPasswordSchema = z.string().superRefine((password, ctx) => {
  const problem = weakness(password);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The context rules: not the account's e-mail or name, not the current password. */
export async function checkNewPassword(password: string, context: { email: string; name: string; current?: string }): Promise<void> {
  const problem = weakness(password);
  if (problem) throw new SeshatError('invalid_input', `The new password ${problem}.`);
  const plain = squeezed(password);
  const own = [context.email, context.email.split('@')[0] ?? '', context.name].map(squeezed).filter((w) => w.length > 0);
  if (own.includes(plain)) throw new SeshatError('invalid_input', 'The new password must not be your e-mail address or name.');
  if (context.current !== undefined && password.normalize('NFKC') === context.current.normalize('NFKC')) {
    throw new SeshatError('invalid_input', 'The new password must differ from the current one.');
  }
}
