import { SeshatError, type Store } from 'seshat';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Opens the store a DATABASE_URL names: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<path>`
 * or a plain file path for SQLite (the default, `./data/seshat.db`). Each store module is loaded only when
 * named, so a PostgreSQL deployment never loads node:sqlite.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (POSTGRES_URL.test(databaseUrl)) {
    const { PostgresStore } = await import('seshat/postgres');
    return new PostgresStore(databaseUrl);
  }
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  if (path === '') throw new SeshatError('invalid_input', 'DATABASE_URL names no SQLite file.');
  const { SqliteStore } = await import('seshat/sqlite');
  return new SqliteStore(path);
}

/** Where a database URL points, with any password hidden: for start-up messages. */
export function describeDatabase(databaseUrl: string): string {
  if (!POSTGRES_URL.test(databaseUrl)) return `SQLite ${databaseUrl.replace(/^sqlite:/, '')}`;
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}
