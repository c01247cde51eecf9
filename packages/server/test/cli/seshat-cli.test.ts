import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seshatCommand } from '../helpers/command.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, ManualClock, SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';

let dir: string;
let databaseUrl: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seshat-cli-'));
  databaseUrl = join(dir, 'seshat.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real CLI in a child process. */
function seshat(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const seshat = seshatCommand(args);
    const child = spawn(seshat.command, seshat.args, { env: { ...process.env, DATABASE_URL: databaseUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Seeds sessions straight through the library, with a clock we control. */
async function seed(count: number, userId: string, clock = new ManualClock(Date.now())) {
  const store = new SqliteStore(databaseUrl);
  await store.migrate();
  const manager = await new SessionManager({ store, clock }).start();
  for (let i = 0; i < count; i++) await manager.createSession({ userId, remember: false, ip: '198.51.100.7', userAgent: null });
  await store.close();
}

describe('seshat CLI', () => {
  it('prints usage and exits 2 on an unknown command or bad option', async () => {
    const unknown = await seshat(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: seshat');
    const badOption = await seshat(['sessions', 'gc', '--batch-size', 'lots']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/batch-size|number/i);
  });

  it('migrates an empty database', async () => {
    const result = await seshat(['migrate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('up to date');
  });

  it('creates users, refusing duplicates and bad e-mails', async () => {
    const created = await seshat(['users', 'create', '--email', 'Ops@Example.com', '--name', 'Ops', '--role', 'admin']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created admin ops@example\.com \(usr_[\w-]+\)\.\nPassword: \S{12,}/);
    const again = await seshat(['users', 'create', '--email', 'ops@example.com', '--password', 'long enough pw']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const bad = await seshat(['users', 'create', '--email', 'not-an-email', '--password', 'long enough pw']);
    expect(bad.code).toBe(2);
    const list = await seshat(['users', 'list']);
    expect(list.stdout).toContain('ops@example.com');
  });

  it('lists a user\'s sessions', async () => {
    await seed(3, 'usr_demo');
    const result = await seshat(['sessions', 'list', '--user', 'usr_demo']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/ses_/g)).toHaveLength(3);
    expect(result.stdout).toContain('198.51.100.7');
    expect(result.stdout).toContain('3 active sessions for usr_demo.');
    const json = JSON.parse((await seshat(['sessions', 'list', '--user', 'usr_demo', '--json'])).stdout);
    expect(json).toHaveLength(3);
    expect(JSON.stringify(json)).not.toContain('secretHash');
  });

  it('collects expired sessions in batches with progress output', async () => {
    const clock = new ManualClock(Date.now() - 10 * DAY);
    await seed(25, 'usr_old', clock);
    await seed(4, 'usr_new');
    const result = await seshat(['sessions', 'gc', '--batch-size', '10']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Scanning sessions: 29/29 (100%)');
    expect(result.stdout).toContain('Deleted 25 expired or revoked sessions (scanned 29).');
    const store = new SqliteStore(databaseUrl);
    expect(await store.countSessions()).toBe(4);
    await store.close();
  });

  it('invalidates all sessions only when confirmed', async () => {
    await seed(5, 'usr_x');
    const unconfirmed = await seshat(['sessions', 'invalidate-all']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    const confirmed = await seshat(['sessions', 'invalidate-all', '--yes', '--reason', 'key rotation']);
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Signed out 5 sessions.');
    const store = new SqliteStore(databaseUrl);
    const audit = await store.listAudit({ action: 'sessions.invalidated-all' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ reason: 'key rotation', details: { count: 5 }, actorId: null });
    await store.close();
  });
});
