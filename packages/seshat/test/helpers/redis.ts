import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';

/** The shared test Redis. Override with SESHAT_TEST_REDIS_URL. */
export const REDIS_URL = process.env.SESHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A unique key prefix on the shared Redis (others run tests on it at the same time) and a way to delete its keys.
 * Throws (so the test FAILS, never skips) when Redis is unreachable: CI starts it (.ci/run).
 */
export async function createTestPrefix(): Promise<{ prefix: string; drop(): Promise<void> }> {
  const prefix = `seshat-test:${randomBytes(6).toString('hex')}:`;
  await withClient(async (client) => {
    await client.ping();
  });
  return {
    prefix,
    async drop() {
      await withClient(async (client) => {
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.unlink(keys);
      });
    },
  };
}

const newClient = () => createClient({ url: REDIS_URL, socket: { connectTimeout: 5000, reconnectStrategy: false } });

async function withClient(work: (client: ReturnType<typeof newClient>) => Promise<void>): Promise<void> {
  const client = newClient();
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (set SESHAT_TEST_REDIS_URL): ${(error as Error).message}`, { cause: error });
  }
  try {
    await work(client);
  } finally {
    client.destroy();
  }
}
