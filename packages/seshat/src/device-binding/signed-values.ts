import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * The two values the server signs for device binding, each an HMAC-SHA256 under a rotated secret (key-ring.ts),
 * so any node checks them without a store read:
 *
 * - the bound cookie `<secretId>.<expiry>.<mac>`: proves that this browser refreshed the session with its device
 *   key before `expiry`. It names no token and holds nothing of the main session's secret: the MAC covers the
 *   public session id and the expiry, so it is useless without the main cookie and worthless after expiry.
 * - the challenge `<secretId>.<expiry>.<nonce>.<mac>`: what the browser signs (`jti`) with its device key. Being
 *   signed, it needs no row: any node can tell that it issued it, for this session, and that it has not expired.
 *
 * The purpose is part of the MAC input, so a challenge can never pass as a bound cookie or the reverse.
 * Expiries are epoch seconds in base 36.
 */
const SECRET_ID = /^[A-Za-z0-9_-]{8}$/;
const EXPIRY = /^[0-9a-z]{1,9}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/;

/**
 * A secret of the key ring, ready to sign: its public id and the secret as a `KeyObject`. Made once per secret:
 * `createHmac` with a raw buffer imports the key on every call, about ten times the cost of the HMAC itself.
 */
export interface SigningKey {
  id: string;
  key: KeyObject;
}

function mac(secret: SigningKey, input: string): string {
  return createHmac('sha256', secret.key).update(input).digest('base64url');
}

function macEquals(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A bound cookie's value for a session, valid until `expiresAt` (epoch ms, rounded down to the second). */
export function signBoundCookie(secret: SigningKey, sessionId: string, expiresAt: number): string {
  const expiry = Math.floor(expiresAt / 1000).toString(36);
  return `${secret.id}.${expiry}.${mac(secret, `bound|${sessionId}|${expiry}`)}`;
}

/** The parts of a bound cookie, or null when it is malformed (checked by length before any regex). */
export function readBoundCookie(value: string | undefined): { secretId: string; expiry: string; mac: string } | null {
  if (value === undefined || value.length > 64) return null;
  const [secretId, expiry, presented, extra] = value.split('.');
  if (extra !== undefined || !secretId || !expiry || !presented) return null;
  if (!SECRET_ID.test(secretId) || !EXPIRY.test(expiry) || !MAC.test(presented)) return null;
  return { secretId, expiry, mac: presented };
}

/** Whether a parsed bound cookie was signed with `secret` for this session and is unexpired at `now` (ms). */
export function boundCookieHolds(cookie: { expiry: string; mac: string }, secret: SigningKey, sessionId: string, now: number): boolean {
  if (parseInt(cookie.expiry, 36) * 1000 <= now) return false;
  return macEquals(cookie.mac, mac(secret, `bound|${sessionId}|${cookie.expiry}`));
}

/** A fresh challenge for a session, valid until `expiresAt` (epoch ms). */
export function signChallenge(secret: SigningKey, sessionId: string, expiresAt: number): string {
  const expiry = Math.floor(expiresAt / 1000).toString(36);
  const nonce = randomBytes(16).toString('base64url');
  return `${secret.id}.${expiry}.${nonce}.${mac(secret, `challenge|${sessionId}|${expiry}|${nonce}`)}`;
}

/** The id of the secret a challenge names, or null when it is malformed. */
export function challengeSecretId(challenge: string): string | null {
  if (challenge.length > 100) return null;
  const [secretId, expiry, nonce, presented, extra] = challenge.split('.');
  if (extra !== undefined || !secretId || !expiry || !nonce || !presented) return null;
  return SECRET_ID.test(secretId) && EXPIRY.test(expiry) && NONCE.test(nonce) && MAC.test(presented) ? secretId : null;
}

/** Whether a challenge (already checked by `challengeSecretId`) was issued with `secret` for this session and is unexpired. */
export function challengeHolds(challenge: string, secret: SigningKey, sessionId: string, now: number): boolean {
  const [, expiry, nonce, presented] = challenge.split('.') as [string, string, string, string];
  if (parseInt(expiry, 36) * 1000 <= now) return false;
  return macEquals(presented, mac(secret, `challenge|${sessionId}|${expiry}|${nonce}`));
}
