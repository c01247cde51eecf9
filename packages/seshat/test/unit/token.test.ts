import { describe, expect, it } from 'vitest';
import { hashSecret, newToken, parseToken, secretMatches, sessionTokenSchema } from '../../src/core/token.ts';

describe('session tokens', () => {
  it('are <ses_id>.<256-bit secret> and only the hash of the secret is kept', () => {
    const t = newToken();
    expect(t.token).toMatch(/^ses_[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(t.token)!;
    expect(parsed.id).toBe(t.id);
    expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
    expect(t.secretHash.equals(hashSecret(parsed.secret))).toBe(true);
    expect(t.hint).toBe(t.token.slice(-8));
  });

  it('never repeat', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => newToken().token));
    expect(seen.size).toBe(2000);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'ses_' + 'a'.repeat(24) + 'b'.repeat(43)],
    ['wrong prefix', 'sid_' + 'a'.repeat(24) + '.' + 'b'.repeat(43)],
    ['short secret', 'ses_' + 'a'.repeat(24) + '.' + 'b'.repeat(42)],
    ['bad characters', 'ses_' + 'a'.repeat(24) + '.' + "'; DROP TABLE sessions;--".padEnd(43, 'x')],
    ['10 KB', 'ses_' + 'a'.repeat(10_000)],
    ['not a string', 42],
    ['trailing newline', newToken().token + '\n'],
    ['two dots', 'ses_' + 'a'.repeat(24) + '.' + 'b'.repeat(21) + '.' + 'c'.repeat(21)],
  ])('rejects a malformed token (%s)', (_name, raw) => {
    expect(parseToken(raw)).toBeNull();
    // The hot path's hand-written check and the zod schema of record agree.
    expect(sessionTokenSchema.safeParse(raw).success).toBe(false);
  });

  it('accepts exactly what the zod schema of record accepts', () => {
    for (let i = 0; i < 200; i++) {
      const { token } = newToken();
      expect(sessionTokenSchema.safeParse(token).success).toBe(true);
      expect(parseToken(token)).not.toBeNull();
    }
  });

  it('compares secrets by hash, rejecting a near miss', () => {
    const t = newToken();
    const { secret } = parseToken(t.token)!;
    expect(secretMatches(secret, t.secretHash)).toBe(true);
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(secretMatches(flipped, t.secretHash)).toBe(false);
    expect(secretMatches(secret, new Uint8Array(5))).toBe(false);
  });
});
