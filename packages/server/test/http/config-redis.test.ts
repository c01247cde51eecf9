import { describe, expect, it } from 'vitest';
import { isSeshatError, openStore } from 'seshat';
import { loadConfig } from '../../src/config.ts';

describe('the Redis session tier from the environment', () => {
  it('is off by default, and SESHAT_REDIS_URL with a PostgreSQL DATABASE_URL turns it on with a key prefix', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://db/seshat', SESHAT_REDIS_URL: 'redis://cache:6379/0' }).redis).toEqual({ url: 'redis://cache:6379/0', prefix: 'seshat:' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/seshat', SESHAT_REDIS_URL: 'rediss://cache', SESHAT_REDIS_PREFIX: 'tenant-7:' }).redis).toEqual({ url: 'rediss://cache', prefix: 'tenant-7:' });
  });

  it('refuses Redis without PostgreSQL (users, settings and audit live there), and a URL that is not redis://', () => {
    expect(() => loadConfig({ SESHAT_REDIS_URL: 'redis://cache' })).toThrow('SESHAT_REDIS_URL');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/seshat', SESHAT_REDIS_URL: 'http://cache' })).toThrow('SESHAT_REDIS_URL');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/seshat', SESHAT_REDIS_URL: 'redis://cache', SESHAT_REDIS_PREFIX: 'has spaces' })).toThrow('SESHAT_REDIS_PREFIX');
  });

  it('openStore refuses the Redis tier on SQLite with invalid input, before opening anything', async () => {
    const error = await openStore('sqlite::memory:', { redis: { url: 'redis://127.0.0.1:6379' } }).then(() => null, (e: unknown) => e);
    expect(isSeshatError(error) && error.code === 'invalid_input').toBe(true);
  });
});
