import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MINUTE } from './clock.ts';
import { storableText } from './text.ts';
import { newSecret } from './token.ts';

/**
 * API keys: long-lived bearer credentials for scripts, acting as their owner.
 *
 * A key reads `sk_<publicId>.<secret>`, built like a session token (src/core/token.ts): the public id names the
 * row (`key_<publicId>` in the API), the 256-bit secret is stored only as SHA-256 and compared in constant time.
 * The key itself is returned once, at creation, and never again.
 */
export interface ApiKeyRecord {
  /** `key_…`: safe to show; useless without the secret. */
  id: string;
  userId: string;
  name: string;
  secretHash: Uint8Array;
  /** The key's first characters (`sk_Ab12Cd34`), to recognise it on screen. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A key as listed to its owner: no hash, plus usage over the last 24 hours. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  requests24h: number;
}

const PUBLIC_ID_BYTES = 18;
const KEY_PATTERN = /^sk_([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

/** An API key's name: 1 to 100 characters after trimming. */
export const apiKeyNameSchema = storableText.trim().min(1, 'a name is required').max(100, 'at most 100 characters');
/** Bounded before the regex runs, like session tokens: a huge header costs nothing and never throws. */
export const apiKeyTokenSchema = z.string().max(128).regex(KEY_PATTERN);
/** A public API key id: `key_` and 24 base64url characters. */
export const apiKeyIdSchema = z.string().regex(/^key_[A-Za-z0-9_-]{24}$/, 'not an API key id');

/** Active keys per user; a runaway script cannot fill the table. */
export const MAX_KEYS_PER_USER = 100;
/** Usage is counted per minute; "the last 24 hours" is the current minute and the 1,439 before it. */
export const USAGE_WINDOW_MINUTES = 24 * 60;

export const minuteOf = (ms: number) => Math.floor(ms / MINUTE);

/** The id and secret of a presented key (`sk_<id>.<secret>`), or null when it is not one. */
export function parseApiKey(raw: unknown): { id: string; secret: string } | null {
  const parsed = apiKeyTokenSchema.safeParse(raw);
  if (!parsed.success) return null;
  const [, publicId, secret] = KEY_PATTERN.exec(parsed.data)!;
  return { id: `key_${publicId}`, secret: secret! };
}

/** A new key: the full key (shown once), its row id, the hash to store and the prefix to show. */
export function newApiKeyCredential(): { id: string; key: string; secretHash: Buffer; prefix: string } {
  const publicId = randomBytes(PUBLIC_ID_BYTES).toString('base64url');
  const { secret, secretHash } = newSecret();
  const key = `sk_${publicId}.${secret}`;
  return { id: `key_${publicId}`, key, secretHash, prefix: key.slice(0, 11) };
}
