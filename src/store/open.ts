import { SeshatError } from '../core/errors.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

/**
 * Opens the store a DATABASE_URL names: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<path>`
 * or a plain file path for SQLite (the default, `./data/seshat.db`).
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return new PostgresStore(databaseUrl);
  }
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  if (path === '') throw new SeshatError('invalid_input', 'DATABASE_URL names no SQLite file.');
  return new SqliteStore(path);
}

/** Where a database URL points, with any password hidden: for start-up messages. */
export function describeDatabase(databaseUrl: string): string {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) return `SQLite ${databaseUrl.replace(/^sqlite:/, '')}`;
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}
