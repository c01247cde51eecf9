import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * A session token is `<publicId>.<secret>`.
 * - publicId (`ses_` + 18 random bytes) names the row; it is not secret and appears in the API.
 * - secret is 32 random bytes (256 bits); only SHA-256(secret) is stored, so a database leak
 *   yields no usable token, and SHA-256 is enough because the secret has full entropy (no need for a slow hash).
 */
const ID_BYTES = 18;
const SECRET_BYTES = 32;
const ID_PATTERN = /^ses_[A-Za-z0-9_-]{24}$/;

/** A public session id: `ses_` and 24 base64url characters. */
export const sessionIdSchema = z.string().regex(ID_PATTERN, 'not a session id');

const TOKEN_PATTERN = /^ses_[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/;
const TOKEN_LENGTH = 4 + 24 + 1 + 43;

/** Bounded before the regex runs, so a 10 KB cookie costs nothing and never throws. */
export const sessionTokenSchema = z.string().max(128).regex(TOKEN_PATTERN);

/** A fresh session credential: the public id, the token for the cookie, the hash to store and a hint. */
export interface NewToken {
  id: string;
  token: string;
  secretHash: Buffer;
  hint: string;
}

export function newSessionId(): string {
  return 'ses_' + randomBytes(ID_BYTES).toString('base64url');
}

/** Makes a session credential: a new id and a 256-bit secret; only the secret's SHA-256 is kept. */
export function newToken(): NewToken {
  const id = newSessionId();
  const { secret, secretHash } = newSecret();
  const token = `${id}.${secret}`;
  return { id, token, secretHash, hint: tokenHint(token) };
}

/** A fresh 256-bit secret and its SHA-256, for any bearer credential (session tokens, API keys). */
export function newSecret(): { secret: string; secretHash: Buffer } {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, secretHash: hashSecret(secret) };
}

/** SHA-256 of a token's secret: what the store keeps. */
export function hashSecret(secret: string): Buffer {
  // One-shot hash: on the validation hot path, a third cheaper than createHash().update().digest().
  return hash('sha256', secret, 'buffer');
}

/** The last 8 characters: enough to tell tokens apart on screen, far too few to guess the rest (208 bits remain). */
export function tokenHint(token: string): string {
  return token.slice(-8);
}

/** Where the secret starts in a token (after `ses_`, the 24-character id and the dot). */
const SECRET_AT = 29;

/**
 * The session id of something shaped like a token (right length, dot in place), else undefined; nothing else is
 * checked. For the cache lookup on the hot path only: a hit must still match the verified secret
 * (`matchesVerifiedSecret`), and anything else goes through `parseToken`.
 */
export function tokenIdOf(raw: string): string | undefined {
  return raw.length === TOKEN_LENGTH && raw.charCodeAt(SECRET_AT - 1) === 46 /* . */ ? raw.slice(0, SECRET_AT - 1) : undefined;
}

/**
 * Whether a token's secret part equals a secret already verified (constant time). Together with an exact id
 * match (`tokenIdOf` as the cache key) the token is then, character for character, one that passed `parseToken`
 * and the hash check — so neither needs to run again. Reads the token in place: no slice per request.
 */
export function matchesVerifiedSecret(verified: string, token: string): boolean {
  return token.length === TOKEN_LENGTH && verified.length === TOKEN_LENGTH - SECRET_AT && sameCharsAt(verified, token, SECRET_AT);
}

/** Splits a token, or returns null for anything malformed: such a request is simply anonymous. */
export function parseToken(raw: unknown): { id: string; secret: string } | null {
  // The hot path checks the same rule as `sessionTokenSchema` (the schema of record) without zod's per-call
  // result objects: the exact length first, so an oversized cookie never reaches the regex.
  if (typeof raw !== 'string' || raw.length !== TOKEN_LENGTH || !TOKEN_PATTERN.test(raw)) return null;
  return { id: raw.slice(0, SECRET_AT - 1), secret: raw.slice(SECRET_AT) };
}

/** Constant-time comparison of the presented secret's hash with the stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}

/**
 * Constant-time equality of two secrets of the same length (the token format fixes it): every character is
 * compared, whatever the first difference. (The validation cache compares in place, with `matchesVerifiedSecret`.)
 */
export function secretsEqual(a: string, b: string): boolean {
  return a.length === b.length && sameCharsAt(a, b, 0);
}

/** Every character of `a` against `b` from `offset`, XORed together: no early exit at the first difference. */
function sameCharsAt(a: string, b: string, offset: number): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(offset + i);
  return diff === 0;
}
