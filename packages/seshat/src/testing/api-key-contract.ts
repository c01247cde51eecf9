import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { Store } from '../core/ports.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const MINUTE_NOW = Math.floor(NOW / 60_000);

/** An API key record for store tests: a fresh id and hash, unused and unrevoked; `overrides` win. */
export function apiKeyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const publicId = randomBytes(18).toString('base64url');
  return {
    id: `key_${publicId}`,
    userId: 'usr_a',
    name: 'deploy',
    secretHash: randomBytes(32),
    prefix: `sk_${publicId.slice(0, 8)}`,
    createdAt: NOW,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

const plain = (k: ApiKeyRecord) => ({ ...k, secretHash: Buffer.from(k.secretHash) });

/**
 * The ApiKeyStore part of the store contract: every dialect must pass it. `current` returns the store
 * the enclosing suite opened for the running test.
 */
export function apiKeyStoreContract(current: () => Store): void {
  describe('API keys', () => {
    it('round-trips a key; unknown ids find nothing', async () => {
      const store = current();
      const key = apiKeyRecord({ lastUsedAt: NOW - 5, name: 'ünïcode key' });
      await store.insertApiKey(key);
      expect(plain((await store.findApiKey(key.id))!)).toEqual(plain(key));
      expect(await store.findApiKey('key_missing')).toBeNull();
      await expect(store.insertApiKey({ ...key, name: 'again' })).rejects.toThrow();
    });

    it("lists a user's unrevoked keys newest first, and revokes once", async () => {
      const store = current();
      const older = apiKeyRecord({ createdAt: NOW - 10 });
      const newer = apiKeyRecord({ createdAt: NOW });
      const theirs = apiKeyRecord({ userId: 'usr_b' });
      for (const k of [older, newer, theirs]) await store.insertApiKey(k);
      expect((await store.listApiKeys('usr_a', 0)).map((k) => k.id)).toEqual([newer.id, older.id]);
      expect((await store.listApiKeys('usr_a', 0))[0]).toMatchObject({ requests24h: 0, lastUsedAt: null });

      expect(await store.revokeApiKey(older.id, NOW + 1)).toBe(true);
      expect(await store.revokeApiKey(older.id, NOW + 2)).toBe(false);
      expect(await store.revokeApiKey('key_missing', NOW)).toBe(false);
      expect((await store.findApiKey(older.id))!.revokedAt).toBe(NOW + 1);
      expect((await store.listApiKeys('usr_a', 0)).map((k) => k.id)).toEqual([newer.id]);
      expect((await store.listApiKeys('usr_b', 0)).map((k) => k.id)).toEqual([theirs.id]);
    });

    it("revokes all of one user's keys, or everyone's, and returns their ids", async () => {
      const store = current();
      const a1 = apiKeyRecord();
      const a2 = apiKeyRecord();
      const gone = apiKeyRecord({ revokedAt: NOW - 1 });
      const b = apiKeyRecord({ userId: 'usr_b' });
      const c = apiKeyRecord({ userId: 'usr_c' });
      for (const k of [a1, a2, gone, b, c]) await store.insertApiKey(k);
      expect((await store.revokeUserApiKeys('usr_a', NOW + 1)).sort()).toEqual([a1.id, a2.id].sort());
      expect((await store.findApiKey(a1.id))!.revokedAt).toBe(NOW + 1);
      expect((await store.findApiKey(gone.id))!.revokedAt).toBe(NOW - 1);
      expect(await store.revokeUserApiKeys('usr_a', NOW + 2)).toEqual([]);
      expect((await store.revokeUserApiKeys('all', NOW + 3)).sort()).toEqual([b.id, c.id].sort());
      expect(await store.listApiKeys('usr_b', 0)).toEqual([]);
    });

    it('adds usage into per-minute buckets, sums from a minute on, raises last-used and prunes old buckets', async () => {
      const store = current();
      const a = apiKeyRecord();
      const b = apiKeyRecord({ createdAt: NOW - 1 });
      await store.insertApiKey(a);
      await store.insertApiKey(b);
      await store.recordApiKeyUsage([
        { keyId: a.id, minute: MINUTE_NOW - 2000, requests: 7, lastUsedAt: NOW - 2000 * 60_000 },
        { keyId: a.id, minute: MINUTE_NOW - 1, requests: 3, lastUsedAt: NOW },
        { keyId: a.id, minute: MINUTE_NOW, requests: 2, lastUsedAt: NOW },
        { keyId: b.id, minute: MINUTE_NOW, requests: 1, lastUsedAt: NOW - 30_000 },
      ]);
      // A second batch adds to existing buckets, and an older last-used never lowers the stored one.
      await store.recordApiKeyUsage([{ keyId: a.id, minute: MINUTE_NOW, requests: 5, lastUsedAt: NOW - 60_000 }]);
      await store.recordApiKeyUsage([]);

      const since = (m: number) => store.listApiKeys('usr_a', m);
      expect((await since(0)).map((k) => [k.id, k.requests24h, k.lastUsedAt])).toEqual([[a.id, 17, NOW], [b.id, 1, NOW - 30_000]]);
      expect((await since(MINUTE_NOW - 1))[0]!.requests24h).toBe(10);
      expect((await since(MINUTE_NOW))[0]!.requests24h).toBe(7);
      expect((await since(MINUTE_NOW + 1))[0]!.requests24h).toBe(0);

      expect(await store.pruneApiKeyUsage(MINUTE_NOW - 1439)).toBe(1);
      expect(await store.pruneApiKeyUsage(MINUTE_NOW - 1439)).toBe(0);
      expect((await since(0))[0]!.requests24h).toBe(10);
    });
  });
}
