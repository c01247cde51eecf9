import { describe, expect, it } from 'vitest';
import { defaultCacheTtlMs } from 'seshat';
import { loadConfig } from '../../src/config.ts';

describe('cache configuration from the environment', () => {
  it("defaults to the store's TTL (60 s with an invalidation channel, 10 s without) and 10,000 entries", () => {
    expect(loadConfig({}).cache).toEqual({ max: 10_000 });
    expect(defaultCacheTtlMs(true)).toBe(60_000);
    expect(defaultCacheTtlMs(false)).toBe(10_000);
    expect(loadConfig({}).nodeId).toBeUndefined();
  });

  it('reads SESHAT_CACHE_TTL_SECONDS (fractions allowed), SESHAT_CACHE_MAX and SESHAT_NODE_ID; a TTL of 0 turns the cache off', () => {
    expect(loadConfig({ SESHAT_CACHE_TTL_SECONDS: '2.5', SESHAT_CACHE_MAX: '500', SESHAT_NODE_ID: 'web-2' })).toMatchObject({
      cache: { ttlMs: 2500, max: 500 },
      nodeId: 'web-2',
    });
    expect(loadConfig({ SESHAT_CACHE_TTL_SECONDS: '0' }).cache).toBe(false);
  });

  it('refuses nonsense with a message naming the variable', () => {
    for (const env of [{ SESHAT_CACHE_TTL_SECONDS: '-1' }, { SESHAT_CACHE_TTL_SECONDS: 'soon' }, { SESHAT_CACHE_MAX: '0' }, { SESHAT_NODE_ID: 'has spaces' }]) {
      expect(() => loadConfig(env)).toThrow(Object.keys(env)[0]);
    }
  });
});
