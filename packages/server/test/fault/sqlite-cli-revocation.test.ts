import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, seshatCommand } from '../helpers/command.ts';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 14, defect 11: the CLI is another process on the server's SQLite file. What it revokes must be refused by
 * the running server on the very next request, although the sessions are in the server's validation cache (the
 * server reads PRAGMA data_version before trusting its cache; another connection's commit changes it).
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

function seshat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = seshatCommand(args);
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: t.config.databaseUrl, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function signedIn(email: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) {
    const c = new Client(t.url);
    await c.login(email);
    expect((await c.get('/api/auth/session')).status).toBe(200);
    expect((await c.get('/api/auth/session')).status).toBe(200); // cached now
    clients.push(c);
  }
  return clients;
}

describe('CLI revocations against a running server on SQLite', () => {
  it('`seshat sessions invalidate-all` is refused on the very next request', async () => {
    await t.addUser('ann@example.com');
    const clients = await signedIn('ann@example.com', 5);
    const hitsBefore = t.server.manager.metrics.validations.hit;
    expect(hitsBefore).toBeGreaterThan(0);
    const result = await seshat(['sessions', 'invalidate-all', '--yes', '--reason', 'incident']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Signed out 5 sessions.');
    for (const c of clients) expect((await c.get('/api/auth/session')).status).toBe(401);
  });

  it('`seshat sessions revoke --user` too, and sessions of others stay cached and valid', async () => {
    await t.addUser('bob@example.com');
    await t.addUser('cat@example.com');
    const bob = await signedIn('bob@example.com', 2);
    const [cat] = await signedIn('cat@example.com', 1);
    const result = await seshat(['sessions', 'revoke', '--user', 'bob@example.com', '--reason', 'lost laptop']);
    expect(result.code, result.stderr).toBe(0);
    for (const c of bob) expect((await c.get('/api/auth/session')).status).toBe(401);
    expect((await cat!.get('/api/auth/session')).status).toBe(200);
  });

  it('`seshat settings set` reaches the running server with its next request', async () => {
    await t.addUser('dan@example.com');
    const [dan] = await signedIn('dan@example.com', 1);
    const result = await seshat(['settings', 'set', '--max-sessions', '7', '--at-limit', 'deny']);
    expect(result.code, result.stderr).toBe(0);
    // The next request reads data_version, sees the CLI's commit and reloads the settings with the cache.
    expect((await dan!.get('/api/auth/session')).status).toBe(200);
    await vi.waitFor(() => expect(t.server.manager.settings).toMatchObject({ maxSessionsPerUser: 7, sessionLimitAction: 'deny' }), { timeout: 2000 });
  });
});
