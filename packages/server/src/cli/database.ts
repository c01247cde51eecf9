import { describeDatabase, isSeshatError, openStore, SeshatError, type OpenStoreOptions, type Store } from 'seshat';
import type { Command } from './command.ts';

/**
 * Opens DATABASE_URL for a command. `create` commands may create the database and migrate it; `existing`
 * ones never do: the database must exist and carry Seshat's tables, or the command stops with a sentence
 * that says so and what to run. With `redis` (SESHAT_REDIS_URL), sessions are in Redis.
 */
export async function openForCommand(databaseUrl: string, mode: Exclude<Command['database'], 'none'>, redis?: OpenStoreOptions['redis']): Promise<Store> {
  const store = await openStore(databaseUrl, { create: mode === 'create', ...(redis ? { redis } : {}) }).catch((error: unknown) => {
    if (isSeshatError(error) && error.code === 'not_found') {
      throw new SeshatError('not_found', `${error.detail} Check DATABASE_URL, or run \`seshat migrate\` to create the database.`);
    }
    throw error;
  });
  try {
    if (mode === 'create') await store.migrate();
    else await requireSchema(store, databaseUrl);
    return store;
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

/** A cheap read that fails on a database without Seshat's tables (users: in the database whatever the session tier). */
async function requireSchema(store: Store, databaseUrl: string): Promise<void> {
  try {
    await store.countUsers();
  } catch (error) {
    if (missingTable(error)) {
      throw new SeshatError('not_found', `${describeDatabase(databaseUrl)} has no Seshat tables yet: run \`seshat migrate\` first.`);
    }
    throw error;
  }
}

function missingTable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === '42P01' || /no such table/i.test(e.message)) return true;
  }
  return false;
}
