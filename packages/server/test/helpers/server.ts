import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type Store } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { SqliteStore } from 'seshat/sqlite';
import { createTestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { createServer, type SeshatServer } from '../../src/app.ts';
import { loadConfig, type ServerConfig } from '../../src/config.ts';

/** Cheap scrypt for tests that sign in often; the real cost is covered by the password tests. */
export const TEST_PASSWORD_COST = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export interface TestServer {
  url: string;
  server: SeshatServer;
  clock: ManualClock;
  store: Store;
  config: ServerConfig;
  /** Creates a user with PASSWORD and returns it. */
  addUser(email: string, role?: 'owner' | 'admin' | 'auditor' | 'user'): Promise<{ id: string; email: string }>;
  close(): Promise<void>;
}

/**
 * PostgreSQL timeouts for tests that are not about timeouts: on a loaded 2-core machine shared by several suites a
 * statement can wait longer than the 2-s production deadlines, which would turn unrelated tests into 503s. The fault
 * suite (test/fault/postgres-faults.test.ts) checks the production defaults.
 */
export const PATIENT_POSTGRES = { connectionTimeoutMs: 30_000, queryTimeoutMs: 30_000, statementTimeoutMs: 25_000 } as const;

export type StoreKind = 'sqlite' | 'postgres';
/** Both stores, for `describe.each(STORE_KINDS)`: behaviour must not depend on the store. */
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/**
 * A real server on a random port with a manual clock: over a fresh SQLite file (default), a fresh PostgreSQL
 * database on the shared test server (`store: 'postgres'`, dropped on close), or a store the test opened.
 */
export async function startTestServer(options: { env?: Record<string, string>; store?: Store | StoreKind } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-test-'));
  const database = options.store === 'postgres' ? await createTestDatabase() : null;
  const config = loadConfig({ PORT: '0', DATABASE_URL: database?.url ?? join(dir, 'seshat.db'), LOG_LEVEL: 'silent', SESHAT_LOGIN_RATE_LIMIT: '1000', ...options.env });
  const clock = new ManualClock(Date.now());
  const store = typeof options.store === 'object' ? options.store : database ? new PostgresStore(database.url, PATIENT_POSTGRES) : new SqliteStore(config.databaseUrl);
  const server = await createServer({ config, store, clock, passwordCost: TEST_PASSWORD_COST, logger: false });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    server,
    clock,
    store,
    config,
    async addUser(email, role = 'user') {
      const user = await server.users.create({ email, name: email.split('@')[0]!, role, password: PASSWORD });
      return { id: user.id, email: user.email };
    },
    async close() {
      await server.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A browser-like HTTP client: keeps the session cookie and sends `Sec-Fetch-Site: same-origin`
 * on every request, as a browser does for the UI's own fetches.
 */
export class Client {
  cookie: string | undefined;
  readonly baseUrl: string;
  readonly headers: Record<string, string>;

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.baseUrl = baseUrl;
    this.headers = { 'sec-fetch-site': 'same-origin', ...headers };
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...this.headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair!.endsWith('=') ? undefined : pair;
    }
    return response;
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body: unknown = {}, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  delete = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('DELETE', path, body, headers);
  patch = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);

  async login(email: string, password = PASSWORD, remember = false): Promise<{ user: { id: string }; session: { id: string } }> {
    const response = await this.post('/api/auth/login', { email, password, remember });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ user: { id: string }; session: { id: string } }>;
  }

  /** The raw token from the cookie (tests only). */
  get token(): string | undefined {
    return this.cookie?.split('=')[1];
  }
}
