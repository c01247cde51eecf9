import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionScope, Store } from '../../src/core/ports.ts';
import { SessionManager, type SessionManagerOptions } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { PostgresStore, type PostgresStoreOptions } from '../../src/stores/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import type { TestDatabase } from './postgres.ts';

/**
 * Where a rule that must hold under parallel calls is tried: SQLite (one connection), PostgreSQL on one node and on
 * two. Not SQLite on two connections: in one process, parallel transactions on two connections to one file deadlock
 * (the second's BEGIN IMMEDIATE waits for the lock synchronously, so the first cannot run on to its COMMIT).
 */
export const NODE_SETUPS = [
  ['sqlite', 1],
  ['postgres', 1],
  ['postgres', 2],
] as const;

/**
 * Started managers on one database: SQLite in memory (one node), or in a new file with a connection per node (as a
 * server and the CLI: for calls one after the other, see `NODE_SETUPS`), or `count` PostgreSQL nodes on `db`, each
 * with its own pool. On PostgreSQL `tables` are emptied first: the file's tests share the database.
 */
export async function managerNodes(
  db: TestDatabase,
  kind: 'sqlite' | 'postgres',
  count: number,
  options: { tables: string; manager?: Partial<SessionManagerOptions>; postgres?: PostgresStoreOptions },
) {
  const stores: Store[] = [];
  const dir = kind === 'sqlite' && count > 1 ? mkdtempSync(join(tmpdir(), 'seshat-nodes-')) : null;
  for (let i = 0; i < count; i++) {
    if (kind === 'postgres') stores.push(new PostgresStore(db.url, options.postgres));
    else stores.push(new SqliteStore(dir ? join(dir, 'seshat.db') : ':memory:'));
  }
  await stores[0]!.migrate();
  if (kind === 'postgres') await db.query(`TRUNCATE ${options.tables}`);
  const managers = await Promise.all(stores.map((store) => new SessionManager<SessionScope>({ store, defaults: defaultSettings(), ...options.manager }).start()));
  return {
    managers,
    store: stores[0]!,
    async close() {
      for (const m of managers) await m.stop();
      for (const s of stores) await s.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
