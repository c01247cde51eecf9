import { seshatCommand } from '../helpers/command.ts';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionManager, type Invalidation } from 'seshat';
import { PostgresStore, postgresMigrations } from 'seshat/postgres';
import { createTestDatabase, type TestDatabase } from '../../../seshat/test/helpers/postgres.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function seshat(args: string[], databaseUrl = db.url): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const seshat = seshatCommand(args);
    const child = spawn(seshat.command, seshat.args, { env: { ...process.env, DATABASE_URL: databaseUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

/** This test's database URL with some parts replaced. */
function urlWith(change: (url: URL) => void): string {
  const url = new URL(db.url);
  change(url);
  return url.toString();
}

describe('seshat CLI on PostgreSQL', { timeout: 90_000 }, () => {
  it('read-only commands on an empty database say to migrate, and create nothing', async () => {
    const result = await seshat(['users', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^seshat: PostgreSQL .* has no Seshat tables yet: run `seshat migrate` first\.\n$/);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    expect(rows[0]!.n).toBe(0);
  });

  it('names the server, the database and the cause when it cannot connect', async () => {
    const { hostname, port } = new URL(db.url);
    const database = new URL(db.url).pathname.slice(1);
    const refused = await seshat(['users', 'list'], urlWith((u) => (u.port = '1')));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`seshat: Cannot connect to PostgreSQL at ${hostname}:1, database "${database}": connection refused (is PostgreSQL running and listening on ${hostname}:1?).\n`);
    const missing = await seshat(['users', 'list'], urlWith((u) => (u.pathname = '/seshat_no_such_database')));
    expect(missing.stderr).toBe(`seshat: Cannot connect to PostgreSQL at ${hostname}:${port || 5432}, database "seshat_no_such_database": the database does not exist (create it with \`createdb seshat_no_such_database\`).\n`);
    const denied = await seshat(['users', 'list'], urlWith((u) => ((u.username = 'seshat_no_such_role'), (u.password = 'x'))));
    expect(denied.stderr).toBe(`seshat: Cannot connect to PostgreSQL at ${hostname}:${port || 5432}, database "${database}": authentication failed for user seshat_no_such_role.\n`);
    for (const r of [refused, missing, denied]) expect(r.code).toBe(1);
  });

  it('migrate creates the schema, and running it again changes nothing', async () => {
    const first = await seshat(['migrate']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('up to date (postgres)');
    const { rows } = await db.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
    const { rows: tables } = await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['audit_events', 'sessions', 'settings', 'users']));
    expect((await seshat(['migrate'])).code).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n).toBe(postgresMigrations.length);
  });

  it('creates and lists users', async () => {
    const created = await seshat(['users', 'create', '--email', 'Ops@Example.com', '--name', 'Ops', '--role', 'admin', '--password', 'long enough password']);
    expect(created.code).toBe(0);
    expect((await seshat(['users', 'create', '--email', 'ops@example.com', '--password', 'long enough password'])).code).toBe(1);
    const listed = await seshat(['users', 'list']);
    expect(listed.stdout).toContain('ops@example.com');
  });

  it('invalidate-all signs everyone out and tells running nodes over NOTIFY', async () => {
    const store = new PostgresStore(db.url);
    const seen: Invalidation[] = [];
    const channel = store.createInvalidationChannel({ nodeId: 'cli-test-listener' });
    const stop = await channel.subscribe({ message: (m) => void seen.push(m), reset: () => {} });
    const manager = await new SessionManager({ store }).start();
    try {
      for (let i = 0; i < 3; i++) await manager.createSession({ userId: 'usr_cli', remember: false, ip: null, userAgent: null });
      const result = await seshat(['sessions', 'invalidate-all', '--yes']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Signed out 3 sessions');
      expect(await manager.countActiveSessions()).toBe(0);
      const deadline = Date.now() + 5000;
      while (!seen.some((m) => m.kind === 'all') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toContainEqual({ kind: 'all' });
    } finally {
      await stop();
      await store.close();
    }
  });

  it('settings set tells running nodes over NOTIFY, and they reload', async () => {
    const store = new PostgresStore(db.url);
    const channel = store.createInvalidationChannel({ nodeId: 'cli-test-settings' });
    const manager = await new SessionManager({ store, channel }).start();
    try {
      expect(manager.settings.maxSessionsPerUser).toBeNull();
      const result = await seshat(['settings', 'set', '--max-sessions', '4', '--idle-timeout', '2h']);
      expect(result.code, result.stderr).toBe(0);
      const deadline = Date.now() + 5000;
      while (manager.settings.maxSessionsPerUser !== 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(manager.settings).toMatchObject({ maxSessionsPerUser: 4, idleTimeoutSeconds: 7200 });
    } finally {
      await manager.stop();
      await store.close();
    }
  });
});
