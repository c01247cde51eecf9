import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseApiKey, USAGE_WINDOW_MINUTES } from '../../src/core/api-key.ts';
import { ApiKeys } from '../../src/core/api-keys.ts';
import { HOUR, ManualClock, MINUTE, SECOND } from '../../src/core/clock.ts';
import { hashSecret } from '../../src/core/token.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

describe('ApiKeys (core) over a real SQLite store', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let keys: ApiKeys;
  const alice = { userId: 'usr_alice' };
  const bob = { userId: 'usr_bob' };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.migrate();
    clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 30));
    keys = new ApiKeys({ store, clock });
  });
  afterEach(async () => {
    await keys.stop();
    await store.close();
  });

  it('creates a key shown once: sk_<publicId>.<256-bit secret>, only its SHA-256 stored', async () => {
    const { apiKey, key } = await keys.create(alice, '  deploy script ');
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.split('.')[1]!, 'base64url')).toHaveLength(32);
    expect(apiKey.name).toBe('deploy script');
    expect(apiKey.id).toBe('key_' + key.slice(3, 27));
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const stored = (await store.findApiKey(apiKey.id))!;
    expect(Buffer.from(stored.secretHash)).toEqual(hashSecret(key.split('.')[1]!));
    expect(JSON.stringify({ ...stored, secretHash: Buffer.from(stored.secretHash).toString('base64url') })).not.toContain(key.split('.')[1]!);
    const listed = await keys.list(alice);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(key.split('.')[1]!);
    expect(listed[0]).not.toHaveProperty('secretHash');
  });

  it('refuses bad names and audits creation and revocation', async () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) await expect(keys.create(alice, name)).rejects.toMatchObject({ code: 'invalid_input' });
    const { apiKey } = await keys.create(alice, 'ci');
    await keys.revoke(alice, apiKey.id);
    const { items } = await store.listAudit({});
    expect(items.map((e) => e.action)).toEqual(['api-key.revoked', 'api-key.created']);
    expect(items[0]).toMatchObject({ actorId: 'usr_alice', targetUserId: 'usr_alice', details: { keyId: apiKey.id, name: 'ci' } });
  });

  it('authenticates only the exact, unrevoked key; malformed input is no key', async () => {
    const { apiKey, key } = await keys.create(alice, 'ci');
    expect((await keys.authenticate(key))?.id).toBe(apiKey.id);
    const wrongSecret = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of [undefined, '', 'sk_', key + 'x', wrongSecret, 'x'.repeat(10_000), key.replace('sk_', 'ses_'), `sk_${'a'.repeat(24)}.${'b'.repeat(43)}`]) {
      expect(await keys.authenticate(bad)).toBeNull();
    }
    expect(parseApiKey(key)).toEqual({ id: apiKey.id, secret: key.split('.')[1] });
    await keys.revoke(alice, apiKey.id);
    expect(await keys.authenticate(key)).toBeNull();
  });

  it("an owner revokes only their own keys; another's is not found", async () => {
    const { apiKey, key } = await keys.create(alice, 'ci');
    await expect(keys.revoke(bob, apiKey.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(keys.revoke(alice, 'key_missing')).rejects.toMatchObject({ code: 'not_found' });
    expect(await keys.list(bob)).toEqual([]);
    expect(await keys.authenticate(key)).not.toBeNull();
    await keys.revoke(alice, apiKey.id);
    await expect(keys.revoke(alice, apiKey.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await keys.list(alice)).toEqual([]);
  });

  it('counts use in memory without a store write, then flushes in one batch', async () => {
    const { apiKey, key } = await keys.create(alice, 'ci');
    for (let i = 0; i < 5; i++) await keys.authenticate(key);
    // Nothing written yet …
    const before = await store.listApiKeys(alice.userId, 0);
    expect(before[0]).toMatchObject({ requests24h: 0, lastUsedAt: null });
    // … but the listing already includes the pending counts.
    expect((await keys.list(alice))[0]).toMatchObject({ requests24h: 5, lastUsedAt: clock.now() });

    await keys.flush();
    const after = await store.listApiKeys(alice.userId, 0);
    expect(after[0]).toMatchObject({ id: apiKey.id, requests24h: 5, lastUsedAt: clock.now() });
    expect((await keys.list(alice))[0]!.requests24h).toBe(5); // not counted twice
  });

  it('requests24h is a true rolling 24-hour count; old buckets are pruned', async () => {
    const { key } = await keys.create(alice, 'ci');
    await keys.authenticate(key); // t0
    clock.advance(6 * HOUR);
    await keys.authenticate(key);
    await keys.authenticate(key); // t0 + 6 h
    await keys.flush();
    clock.advance(12 * HOUR);
    await keys.authenticate(key); // t0 + 18 h, unflushed
    expect((await keys.list(alice))[0]!.requests24h).toBe(4);

    clock.advance(6 * HOUR + MINUTE); // t0 + 24 h + 1 min: the first request left the window
    expect((await keys.list(alice))[0]!.requests24h).toBe(3);
    clock.advance(6 * HOUR); // the two at +6 h left too
    expect((await keys.list(alice))[0]!.requests24h).toBe(1);

    await keys.flush();
    const oldest = Math.floor(clock.now() / MINUTE) - USAGE_WINDOW_MINUTES + 1;
    // Pruned: nothing older than the window is left in the table.
    expect(await store.pruneApiKeyUsage(oldest)).toBe(0);
    expect(await store.listApiKeys(alice.userId, 0)).toMatchObject([{ requests24h: 1 }]);
  });

  it('stop() writes what is still counted; a failed flush keeps the counts', async () => {
    const { key } = await keys.create(alice, 'ci');
    await keys.authenticate(key);
    clock.advance(30 * SECOND);
    await keys.authenticate(key);
    await keys.stop();
    expect((await store.listApiKeys(alice.userId, 0))[0]!.requests24h).toBe(2);

    const failingStore = new FailingUsageStore(':memory:');
    await failingStore.migrate();
    const failing = new ApiKeys({ store: failingStore, clock });
    const other = (await failing.create(alice, 'other')).key;
    await failing.authenticate(other);
    await expect(failing.flush()).rejects.toThrow('disk full');
    expect((await failing.list(alice))[0]!.requests24h).toBe(1);
    await failing.authenticate(other);
    await expect(failing.flush()).rejects.toThrow('disk full');
    expect((await failing.list(alice))[0]!.requests24h).toBe(2);
    await failingStore.close();
  });
});

/** A real store whose usage writes fail, as on a full disk. */
class FailingUsageStore extends SqliteStore {
  override async recordApiKeyUsage(): Promise<void> {
    throw new Error('disk full');
  }
}
