import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared test server (trust auth). Override with SESHAT_TEST_PG_URL. */
export const ADMIN_URL = process.env.SESHAT_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs one statement as the test's own superuser connection (fresh connection, closed after). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named database on the shared PostgreSQL server: other people run tests on it at the
 * same time. Throws (so the test FAILS, never skips) when PostgreSQL is unreachable.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `seshat_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async query(sql, values) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return await client.query(sql, values);
      } finally {
        await client.end();
      }
    },
    async drop() {
      // FORCE (PostgreSQL 13+) terminates connections a crashed test may have left behind.
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (set SESHAT_TEST_PG_URL): ${(error as Error).message}`, { cause: error });
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
