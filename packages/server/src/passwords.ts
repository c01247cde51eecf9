import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in node:crypto: no native addon).
 * Format: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, so parameters can rise later without breaking old hashes.
 */
const KEY_LENGTH = 32;
/**
 * OWASP's scrypt floor (N=2^17, r=8, p=1): 128 MiB and roughly a few hundred ms per hash. libuv runs at most four
 * hashes at once (its thread pool), so sign-ins cost at most 512 MiB at a time; the per-account and per-IP
 * sign-in limits keep an attacker from queueing many. Hashes made with lower parameters are upgraded at the
 * next successful sign-in (`needsRehash`).
 */
export const DEFAULT_COST = { N: 2 ** 17, r: 8, p: 1 };

/** The parameters a stored hash was made with, or null for a string that is not one of ours. */
export function hashCost(stored: string): { N: number; r: number; p: number } | null {
  const [scheme, N, r, p] = stored.split('$');
  const cost = { N: Number(N), r: Number(r), p: Number(p) };
  return scheme === 'scrypt' && Object.values(cost).every((n) => Number.isSafeInteger(n) && n > 0) ? cost : null;
}

/** Whether a stored hash is weaker than `cost` (any parameter below it): then it is replaced after a successful sign-in. */
export function needsRehash(stored: string, cost = DEFAULT_COST): boolean {
  const current = hashCost(stored);
  return current === null || current.N < cost.N || current.r < cost.r || current.p < cost.p;
}

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(N), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to verify against when the e-mail is unknown, so both failures take the same time. */
const dummies = new Map<number, Promise<string>>();
export function dummyHash(cost = DEFAULT_COST): Promise<string> {
  let dummy = dummies.get(cost.N);
  if (!dummy) dummies.set(cost.N, (dummy = hashPassword(randomBytes(16).toString('hex'), cost)));
  return dummy;
}

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
