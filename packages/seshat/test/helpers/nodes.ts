import type { SessionScope, Store } from '../../src/core/ports.ts';
import { SessionManager, type SessionManagerOptions } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { PostgresStore, type PostgresStoreOptions } from '../../src/stores/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import type { TestDatabase } from './postgres.ts';

/** Where a rule that must hold under parallel calls is tried: SQLite (one connection), PostgreSQL on one node and on two. */
export const NODE_SETUPS = [
  ['sqlite', 1],
  ['postgres', 1],
  ['postgres', 2],
] as const;

/**
 * Started managers on one database: SQLite in memory (one node), or `count` PostgreSQL nodes on `db`, each with
 * its own pool. On PostgreSQL `tables` are emptied first: the file's tests share the database.
 */
export async function managerNodes(
  db: TestDatabase,
  kind: 'sqlite' | 'postgres',
  count: number,
  options: { tables: string; manager?: Partial<SessionManagerOptions>; postgres?: PostgresStoreOptions },
) {
  const stores: Store[] = [];
  if (kind === 'sqlite') stores.push(new SqliteStore(':memory:'));
  else for (let i = 0; i < count; i++) stores.push(new PostgresStore(db.url, options.postgres));
  await stores[0]!.migrate();
  if (kind === 'postgres') await db.query(`TRUNCATE ${options.tables}`);
  const managers = await Promise.all(stores.map((store) => new SessionManager<SessionScope>({ store, defaults: defaultSettings(), ...options.manager }).start()));
  return {
    managers,
    store: stores[0]!,
    async close() {
      for (const m of managers) await m.stop();
      for (const s of stores) await s.close();
    },
  };
}
