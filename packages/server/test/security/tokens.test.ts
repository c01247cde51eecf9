import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager, hashSecret, newToken, parseToken, secretMatches } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';

// A pass-through spy (the real function runs): lets us see which comparison the implementation uses.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

describe('session tokens', () => {
  it('carry 256 random bits per secret and never repeat', () => {
    const count = 10_000;
    const ids = new Set<string>();
    const secrets = new Set<string>();
    let ones = 0;
    for (let i = 0; i < count; i++) {
      const { token, id } = newToken();
      const parsed = parseToken(token)!;
      expect(parsed.id).toBe(id);
      const raw = Buffer.from(parsed.secret, 'base64url');
      expect(raw.length).toBe(32); // 256 bits
      ids.add(parsed.id);
      secrets.add(parsed.secret);
      for (const byte of raw) for (let b = byte; b; b >>= 1) ones += b & 1;
    }
    expect(ids.size).toBe(count);
    expect(secrets.size).toBe(count);
    // 2.56 M bits: a uniform source lands within ±0.0003 (1σ) of one half; ±0.01 is > 30σ, so never flaky,
    // while a biased or low-entropy generator (e.g. hex digits, timestamps, counters) fails clearly.
    expect(Math.abs(ones / (count * 256) - 0.5)).toBeLessThan(0.01);
  });

  it('compare secrets with crypto.timingSafeEqual on equal-length buffers, and look sessions up by id only', async () => {
    const { token, secretHash } = newToken();
    const { secret } = parseToken(token)!;
    const spy = vi.mocked(crypto.timingSafeEqual);

    expect(secretMatches(secret, secretHash)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0]!;
    expect((a as Buffer).length).toBe(32);
    expect((b as Buffer).length).toBe(32);

    const other = parseToken(newToken().token)!.secret;
    expect(secretMatches(other, secretHash)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    // A stored hash of another length is refused without calling timingSafeEqual (which would throw).
    expect(secretMatches(secret, hashSecret(secret).subarray(0, 16))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);

    // The store is asked for the row by its public id; the secret never goes into a query.
    const lookups: string[] = [];
    class ObservedStore extends SqliteStore {
      override async findSession(id: string) {
        lookups.push(id);
        return super.findSession(id);
      }
    }
    const store = new ObservedStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store, cache: false }).start();
    const created = await manager.createSession({ userId: 'u1', remember: false, ip: null, userAgent: null });
    const { id, secret: realSecret } = parseToken(created.token)!;
    expect(await manager.validate(created.token)).not.toBeNull();
    const forged = `${id}.${parseToken(newToken().token)!.secret}`;
    expect(await manager.validate(forged)).toBeNull();
    expect(lookups).toEqual([id, id]);
    expect(lookups.some((l) => l.includes(realSecret))).toBe(false);
    await store.close();

    // No SQL anywhere filters on the hash: a hash lookup would turn the comparison into a database index probe.
    for (const file of ['stores/sqlite/sqlite-store.ts', 'stores/postgres/postgres-store.ts', 'stores/sql.ts']) {
      expect(readFileSync(new URL(`../../../seshat/src/${file}`, import.meta.url), 'utf8')).not.toMatch(/secret_hash\s*(=|IN\b)/i);
    }
  });
});
