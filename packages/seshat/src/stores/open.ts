import { existsSync } from 'node:fs';
import { SeshatError } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import type { PostgresStoreOptions } from './postgres/options.ts';
import type { RedisTierOptions } from './redis/options.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
/** `scheme:` of two letters or more (so `C:\data\x.db` is still a path). */
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /**
   * Create a SQLite file (and its folders) that does not exist yet (default true). Tools that only read
   * pass false, so a typo in a path is an error instead of a new empty database.
   */
  create?: boolean;
  /** Pool size and timeouts when the URL names PostgreSQL (see `PostgresStoreOptions`; defaults bound a statement to 2 s). */
  postgres?: PostgresStoreOptions;
  /**
   * Keep sessions in Redis (or Valkey) at `url` (`redis://…`, `rediss://…`): the Redis session tier, with users,
   * settings and audit in the PostgreSQL database the URL names (needs `@redis/client`). Only with PostgreSQL.
   */
  redis?: RedisTierOptions & {
    /** `redis://…` or `rediss://…`. */
    url: string;
    /** Told when a failed change's Redis writes could not all be taken back (see `RedisStore`). */
    onError?: (error: unknown) => void;
  };
}

const REDIS_URL = /^rediss?:\/\//i;

/**
 * Opens the store a database URL names: `postgres://…` or `postgresql://…` for PostgreSQL (needs the `pg`
 * package), `sqlite:<path>` or a plain file path for SQLite. Any other `scheme:` is an error, never a file
 * of that name. Each store module is loaded only when named, so a PostgreSQL app never loads node:sqlite
 * and a SQLite app never needs `pg`. With `options.redis`, sessions live in Redis and the rest in that PostgreSQL
 * database (`RedisStore`). Call `migrate()` on the result before use.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (POSTGRES_URL.test(databaseUrl)) {
    const { PostgresStore } = await import('./postgres/index.ts');
    const postgres = new PostgresStore(databaseUrl, options.postgres);
    if (options.redis === undefined) return postgres;
    if (!REDIS_URL.test(options.redis.url)) throw new SeshatError('invalid_input', 'The Redis URL must start with redis:// or rediss://.');
    const { RedisStore } = await import('./redis/index.ts');
    return new RedisStore({ ...options.redis, postgres });
  }
  if (options.redis !== undefined) {
    // Users, settings and audit of the Redis tier need PostgreSQL: several nodes share them.
    throw new SeshatError('invalid_input', 'The Redis session tier keeps users, settings and audit in PostgreSQL: set a postgres:// database URL.');
  }
  const scheme = SCHEME.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'sqlite') {
    throw new SeshatError('invalid_input', `Unsupported database URL scheme "${scheme}:". Use postgres://… (PostgreSQL) or sqlite:<file> (SQLite).`);
  }
  const path = scheme === 'sqlite' ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  if (path === '') throw new SeshatError('invalid_input', 'The database URL names no SQLite file: use sqlite:<file>.');
  if (options.create === false && path !== ':memory:' && !existsSync(path)) {
    throw new SeshatError('not_found', `There is no SQLite database at ${path} (nothing was created).`);
  }
  const { SqliteStore } = await import('./sqlite/index.ts');
  return new SqliteStore(path);
}

/** Where a database URL points, with any password hidden: for start-up and error messages. */
export function describeDatabase(databaseUrl: string): string {
  if (!POSTGRES_URL.test(databaseUrl)) return `SQLite ${databaseUrl.replace(/^sqlite:/i, '')}`;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return `PostgreSQL ${url.toString()}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}
