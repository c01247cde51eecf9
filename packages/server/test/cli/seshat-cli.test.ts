import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { SERVER_ROOT, seshatCommand } from '../helpers/command.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DAY, ManualClock, SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { sessionRecord } from 'seshat/testing';

let dir: string;
let databaseUrl: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seshat-cli-'));
  databaseUrl = join(dir, 'seshat.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the CLI's `main` in this process, capturing what it prints: for the cases about messages, help and
 * options, where a child process per call (a Node start each) would only add time.
 */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += parts.join(' ') + '\n'));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += parts.join(' ') + '\n'));
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
  }
}

/** Runs the real CLI in a child process, on this test's database. */
function seshat(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return seshatWith({ DATABASE_URL: databaseUrl }, args, input);
}

function seshatWith(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const seshat = seshatCommand(args);
    const child = spawn(seshat.command, seshat.args, { cwd: dir, env: { ...process.env, ...env } });
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

// Every case spawns the real CLI several times (a Node start each): generous on a busy machine.
describe('seshat CLI', { timeout: 90_000 }, () => {
  it('names an unknown command and a bad option in one line plus one hint, never the whole usage', async () => {
    const unknown = await inProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('seshat: Unknown command: "frobnicate".\nRun `seshat --help` for the list of commands.\n');
    // What was typed is echoed quoted and bounded: no terminal escape reaches the screen, no 100 KB line.
    const hostile = await inProcess(['\u001b[2Jwipe', 'x'.repeat(100_000)]);
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).toBe(`seshat: Unknown command: "\\u001b[2Jwipe ${'x'.repeat(66)}…".\nRun \`seshat --help\` for the list of commands.\n`);
    const badOption = await inProcess(['sessions', 'gc', '--batch-size', 'lots']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toBe('seshat: --batch-size must be a whole number from 1 to 100000 (got "lots").\nRun `seshat sessions gc --help` for its options.\n');
    const unknownOption = await inProcess(['sessions', 'list', '--usr', 'x']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr.trim().split('\n')).toEqual(["seshat: Unknown option '--usr'.", 'Usage: seshat sessions list --user <id|email> [--json]']);
    const hostileOption = await inProcess(['sessions', 'list', `--\u001b[2J${'y'.repeat(100_000)}`]);
    expect(hostileOption.code).toBe(2);
    expect(hostileOption.stderr.trim().split('\n')[0]).toBe(`seshat: Unknown option '--\\u001b[2J${'y'.repeat(80 - "Unknown option '--\\u001b[2J".length)}….`);
    const missing = await inProcess(['sessions', 'list']);
    expect(missing.stderr).toMatch(/^seshat: --user is required\.\nExample: seshat sessions list --user /);
    const group = await inProcess(['sessions']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('`seshat sessions` needs a command: list, revoke, gc, invalidate-all.');
    const badEmail = await inProcess(['users', 'create', '--email', 'not-an-email', '--password', 'long enough passphrase']);
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toMatch(/^seshat: --email: /);
  });

  it('--help never runs anything: per-command help, no server, no database, no migration', async () => {
    for (const args of [['serve', '--help'], ['migrate', '--help'], ['help', 'migrate'], ['sessions', 'invalidate-all', '--yes', '-h'], ['users', 'create', '--email', 'a@b.co', '--help']]) {
      const result = await inProcess(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: seshat /);
    }
    expect(existsSync(databaseUrl)).toBe(false);
    expect((await inProcess(['migrate', '--help'])).stdout).toContain('Usage: seshat migrate\n');
    expect((await inProcess(['sessions', 'revoke', '--help'])).stdout).toContain('--reason R');
    const all = await inProcess(['--help']);
    expect(all.stdout).toContain('sessions revoke [--user <id|email>] [filters…] [--dry-run] [--reason R]');
    const group = await inProcess(['sessions', '--help']);
    expect(group.stdout).toContain('sessions list');
    expect(group.stdout).not.toContain('users create');
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(SERVER_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await seshat(['--version'])).toMatchObject({ code: 0, stdout: `seshat ${version}\n` });
  });

  it('refuses a database URL of an unknown scheme instead of making a file of that name', async () => {
    const result = await seshatWith({ DATABASE_URL: `mysql://root@127.0.0.1/${dir}/x` }, ['migrate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unsupported database URL scheme "mysql:"');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('read-only commands never create or migrate a database', async () => {
    for (const args of [['users', 'list'], ['sessions', 'list', '--user', 'a@b.co'], ['sessions', 'gc']]) {
      const result = await seshat(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`There is no SQLite database at ${databaseUrl} (nothing was created). Check DATABASE_URL, or run \`seshat migrate\``);
    }
    expect(existsSync(databaseUrl)).toBe(false);
    // A file that is not a Seshat database yet is left as it is.
    new DatabaseSync(databaseUrl).close();
    const empty = await seshat(['users', 'list']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('has no Seshat tables yet: run `seshat migrate` first.');
    const raw = new DatabaseSync(databaseUrl);
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    raw.close();
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
    const again = await seshat(['users', 'create', '--email', 'ops@example.com', '--password', 'long enough passphrase']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const bad = await seshat(['users', 'create', '--email', 'not-an-email', '--password', 'long enough passphrase']);
    expect(bad.code).toBe(2);
    const list = await seshat(['users', 'list']);
    expect(list.stdout).toContain('ops@example.com');
  });

  it("lists a user's sessions as a table or as JSON with ISO times; an unknown user is an error", async () => {
    await seed(3, 'usr_demo');
    const result = await seshat(['sessions', 'list', '--user', 'usr_demo']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/ses_/g)).toHaveLength(3);
    expect(result.stdout).toContain('198.51.100.7');
    expect(result.stdout).toContain('3 active sessions for usr_demo.');
    const json = JSON.parse((await seshat(['sessions', 'list', '--user', 'usr_demo', '--json'])).stdout) as Record<string, unknown>[];
    expect(json).toHaveLength(3);
    expect(JSON.stringify(json)).not.toContain('secretHash');
    for (const s of json) {
      expect(s.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(s.lastActiveAt).toMatch(/Z$/);
    }
    const nobody = await seshat(['sessions', 'list', '--user', 'nobody@example.com']);
    expect(nobody).toMatchObject({ code: 1, stdout: '' });
    expect(nobody.stderr).toBe('seshat: No such user: "nobody@example.com". `seshat users list` shows the accounts.\n');
    expect((await seshat(['sessions', 'list', '--user', 'usr_typo'])).code).toBe(1);
  });

  it('repeats at most 80 characters of an argument in a message, escaping what a terminal would act on', async () => {
    expect((await inProcess(['migrate'])).code).toBe(0);
    const long = await inProcess(['sessions', 'list', '--user', `${'x'.repeat(100_000)}@example.com`]);
    expect(long).toMatchObject({ code: 1, stdout: '' });
    expect(long.stderr).toBe(`seshat: No such user: "${'x'.repeat(80)}…". \`seshat users list\` shows the accounts.\n`);
    // An escape sequence (clear the screen), a line break, a right-to-left override and a quote: shown, not obeyed.
    const hostile = await inProcess(['users', 'disable', '--user', 'usr_\x1b[2J\nme\u202e"x', '--reason', 'test']);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toBe('seshat: No such user: "usr_\\u001b[2J\\u000ame\\u202e\\"x". `seshat users list` shows the accounts.\n');
    // The same for a refused option value.
    const size = await inProcess(['sessions', 'gc', '--batch-size', '9'.repeat(1000)]);
    expect(size.stderr.split('\n')[0]).toBe(`seshat: --batch-size must be a whole number from 1 to 100000 (got "${'9'.repeat(80)}…").`);
  });

  it('lists users as JSON with ISO times', async () => {
    await seshat(['users', 'create', '--email', 'ops@example.com', '--password', 'long enough passphrase']);
    const listed = await seshat(['users', 'list', '--json']);
    expect(listed.code).toBe(0);
    const users = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(users).toEqual([{ id: expect.stringMatching(/^usr_/), email: 'ops@example.com', name: 'ops', role: 'user', createdAt: expect.stringMatching(/^\d{4}-.*Z$/), disabledAt: null }]);
  });

  it("revokes a user's sessions by e-mail or id, with the reason in the audit trail", async () => {
    const created = await seshat(['users', 'create', '--email', 'lost@example.com', '--password', 'long enough passphrase']);
    const userId = /\((usr_[\w-]+)\)/.exec(created.stdout)![1]!;
    await seed(2, userId);
    await seed(1, 'usr_bystander');
    const revoked = await seshat(['sessions', 'revoke', '--user', 'lost@example.com', '--reason', 'laptop stolen']);
    expect(revoked).toMatchObject({ code: 0, stdout: 'Signed out 2 sessions of lost@example.com.\n' });
    expect((await seshat(['sessions', 'revoke', '--user', userId])).stdout).toBe('Signed out 0 sessions of lost@example.com.\n');
    expect((await seshat(['sessions', 'revoke', '--user', 'nobody@example.com'])).code).toBe(1);
    expect((await seshat(['sessions', 'revoke', '--user', userId, '--reason', ' '])).code).toBe(2);
    const store = new SqliteStore(databaseUrl);
    const audit = await store.listAudit({ action: 'user.force-signed-out' });
    expect(audit.items.map((e) => [e.actorId, e.targetUserId, e.reason, e.details])).toEqual([
      [null, userId, 'revoked from the CLI', { count: 0, apiKeys: 0 }],
      [null, userId, 'laptop stolen', { count: 2, apiKeys: 0 }],
    ]);
    const manager = await new SessionManager({ store }).start();
    expect(await manager.countActiveSessions('usr_bystander')).toBe(1);
    await store.close();
  });

  it('revokes by criteria: a dry run shows the count and a sample, the real run is one transaction and one audit event', async () => {
    const store = new SqliteStore(databaseUrl);
    await store.migrate();
    const at = (countryCode: string) => ({ city: null, region: null, country: null, countryCode });
    const old = Date.parse('2026-10-01T00:00:00Z');
    const now = Date.now();
    const matching = [sessionRecord({ userId: 'usr_a', location: at('DE'), createdAt: old, lastActiveAt: now }), sessionRecord({ userId: 'usr_b', location: at('DE'), createdAt: old, lastActiveAt: now })];
    const others = [sessionRecord({ userId: 'usr_a', location: at('DE'), createdAt: now - 1000, lastActiveAt: now }), sessionRecord({ userId: 'usr_a', location: at('FR'), createdAt: old, lastActiveAt: now })];
    for (const s of [...matching, ...others]) await store.insertSession(s);
    await store.saveSettings({ absoluteLifetimeSeconds: 3650 * 86400, idleTimeoutSeconds: 3650 * 86400 });
    await store.close();

    const args = ['sessions', 'revoke', '--country', 'de', '--created-before', '2026-11-01', '--reason', 'breach in DE'];
    const dry = await inProcess([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 sessions of 2 people would be signed out (dry run: nothing changed).');
    for (const s of matching) expect(dry.stdout).toContain(s.id);
    const real = await inProcess(args);
    expect(real).toMatchObject({ code: 0, stdout: 'Signed out 2 matching sessions.\n' });

    const after = new SqliteStore(databaseUrl);
    for (const s of matching) expect((await after.findSession(s.id))!.revokedAt).not.toBeNull();
    for (const s of others) expect((await after.findSession(s.id))!.revokedAt).toBeNull();
    const audit = await after.listAudit({ action: 'sessions.revoked-matching' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actorId: null, reason: 'breach in DE', details: { count: 2, filter: { countryCodes: ['DE'], createdBefore: Date.parse('2026-11-01T00:00:00Z') } } });
    await after.close();

    expect((await inProcess(['sessions', 'revoke', '--country', 'Germany', '--dry-run'])).code).toBe(2);
    expect((await inProcess(['sessions', 'revoke', '--created-before', 'last week', '--dry-run'])).code).toBe(2);
    expect((await inProcess(['sessions', 'revoke', '--ip', '10.0.0.0/99', '--dry-run'])).code).toBe(2);
  });

  it('disables an account (its sessions end, audited with the reason) and enables it again', async () => {
    const created = await inProcess(['users', 'create', '--email', 'gone@example.com', '--password', 'a long enough passphrase']);
    const userId = /\((usr_[\w-]+)\)/.exec(created.stdout)![1]!;
    await seed(2, userId);
    expect((await inProcess(['users', 'disable', '--user', 'gone@example.com'])).code).toBe(2); // the reason is required
    expect(await inProcess(['users', 'disable', '--user', 'gone@example.com', '--reason', 'left'])).toMatchObject({ code: 0, stdout: 'Disabled gone@example.com; signed out 2 sessions.\n' });
    expect((await inProcess(['users', 'disable', '--user', userId, '--reason', 'again'])).stdout).toBe('gone@example.com was already disabled.\n');
    const store = new SqliteStore(databaseUrl);
    expect((await store.findUserById(userId))!.disabledAt).not.toBeNull();
    expect((await store.listAudit({ action: 'user.disabled' })).items[0]).toMatchObject({ actorId: null, targetUserId: userId, reason: 'left' });
    await store.close();
    expect(await inProcess(['users', 'enable', '--user', 'gone@example.com'])).toMatchObject({ code: 0, stdout: 'Enabled gone@example.com.\n' });
    const reopened = new SqliteStore(databaseUrl);
    expect((await reopened.findUserById(userId))!.disabledAt).toBeNull();
    expect(await (await new SessionManager({ store: reopened }).start()).countActiveSessions(userId)).toBe(0);
    await reopened.close();
  });

  it('collects expired sessions in batches with progress output', async () => {
    // Expired 13 days ago: past the 7 days ended sessions are kept to tell their holders why.
    const clock = new ManualClock(Date.now() - 20 * DAY);
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

  it('collects by each person\'s session policy: a looser override keeps their sessions', async () => {
    const clock = new ManualClock(Date.now() - 20 * DAY); // idle 20 days: past the 7-day setting
    await seed(3, 'usr_lenient', clock);
    await seed(2, 'usr_plain', clock);
    const store = new SqliteStore(databaseUrl);
    await store.saveSessionPolicy({ subject: 'user:usr_lenient', policy: { idleTimeoutSeconds: null }, updatedAt: Date.now() });
    await store.close();
    const result = await inProcess(['sessions', 'gc']);
    expect(result.stdout).toContain('Deleted 2 expired or revoked sessions (scanned 5).');
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

  it('shows and changes the session settings, checked like the API, audited, naming the option a refusal is about', async () => {
    await seed(1, 'usr_x');
    const shown = await inProcess(['settings', 'show', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ idleTimeoutSeconds: 7 * 86400, maxSessionsPerUser: null });
    expect((await inProcess(['settings', 'show'])).stdout).toMatch(/idle-timeout\s+7 days/);

    const changed = await inProcess(['settings', 'set', '--idle-timeout', '30m', '--max-sessions', '3', '--at-limit', 'deny', '--remember-me', 'off', '--bound-cookie', '5m']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('Settings changed; running servers apply them at once.');
    const after = JSON.parse((await inProcess(['settings', 'show', '--json'])).stdout);
    expect(after).toMatchObject({ idleTimeoutSeconds: 1800, maxSessionsPerUser: 3, sessionLimitAction: 'deny', rememberMe: { enabled: false, durationSeconds: 30 * 86400 }, deviceBinding: { policy: 'offer', boundCookieSeconds: 300 } });
    const store = new SqliteStore(databaseUrl);
    const audit = await store.listAudit({ action: 'settings.changed' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actorId: null, details: { before: { idleTimeoutSeconds: 7 * 86400 }, after: { idleTimeoutSeconds: 1800 } } });
    await store.close();

    const refusals: [string[], string][] = [
      [[], 'seshat: Give at least one setting to change.'],
      [['--idle-timeout', '5s'], 'seshat: --idle-timeout must be at least 10 seconds'],
      [['--idle-timeout', 'soon'], 'seshat: --idle-timeout must be a duration such as 90s, 30m, 12h or 7d, or never (got "soon").'],
      [['--at-limit', 'maybe'], 'seshat: --at-limit must be evict-oldest or deny (got "maybe").'],
      [['--remember-me', 'yes'], 'seshat: --remember-me must be on or off (got "yes").'],
      [['--max-sessions', '0'], 'seshat: --max-sessions must be a whole number of at least 1, or none (got "0").'],
      [['--absolute-lifetime', '99999d'], 'seshat: --absolute-lifetime '],
    ];
    for (const [args, message] of refusals) {
      const refused = await inProcess(['settings', 'set', ...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr.startsWith(message), refused.stderr).toBe(true);
    }
    expect(JSON.parse((await inProcess(['settings', 'show', '--json'])).stdout)).toEqual(after); // nothing changed
  });

  it('asks before a change that signs sessions out at once; --yes applies it', async () => {
    const clock = new ManualClock(Date.now() - 2 * 3600_000);
    await seed(3, 'usr_idle', clock); // last active two hours ago
    await seed(1, 'usr_busy');
    const unconfirmed = await seshat(['settings', 'set', '--idle-timeout', '1h']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('This change signs out 3 active sessions at once (past the new limits). Pass --yes to apply it.');
    expect(JSON.parse((await inProcess(['settings', 'show', '--json'])).stdout).idleTimeoutSeconds).toBe(7 * 86400);

    const confirmed = await seshat(['settings', 'set', '--idle-timeout', '1h', '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain('3 sessions are past the new limits and refused from now on.');
    const store = new SqliteStore(databaseUrl);
    const manager = await new SessionManager({ store }).start();
    expect(await manager.countActiveSessions()).toBe(1);
    await manager.stop();
    await store.close();
  });

  it('--anonymize-ip on rewrites the addresses already stored, with progress, before it returns', async () => {
    await seed(3, 'usr_x');
    const result = await seshat(['settings', 'set', '--anonymize-ip', 'on']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Anonymising stored addresses:');
    expect(result.stdout).toContain('Rewrote 3 session and');
    const store = new SqliteStore(databaseUrl);
    const ips = new DatabaseSync(databaseUrl).prepare('SELECT DISTINCT ip FROM sessions').all();
    expect(ips).toEqual([{ ip: '198.51.100.0' }]);
    expect((await store.listAudit({ action: 'ips.anonymized' })).items).toHaveLength(1);
    await store.close();
    // With --json, standard output is the JSON alone; the rewrite's summary goes to stderr with its progress.
    expect((await seshat(['settings', 'set', '--anonymize-ip', 'off'])).code).toBe(0);
    const json = await seshat(['settings', 'set', '--anonymize-ip', 'on', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ anonymizeIp: true });
    expect(json.stderr).toContain('Rewrote 0 session and');
  });

  it("sets a role's policy and a person's override field by field, lists and clears them, audited", async () => {
    expect((await seshat(['users', 'create', '--email', 'ann@example.com', '--role', 'admin'])).code).toBe(0);
    expect((await inProcess(['policies', 'list'])).stdout).toContain('(none)');
    const set = await inProcess(['policies', 'set', '--role', 'admin', '--idle-timeout', '15m', '--max-sessions', '2']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Policy of the admin role set: idle-timeout 15 minutes, max-sessions 2; running servers apply it at once.');
    // Only the fields given change; the others stay.
    expect((await inProcess(['policies', 'set', '--role', 'admin', '--remember-me', 'off', '--max-sessions', 'none'])).code).toBe(0);
    expect((await inProcess(['policies', 'set', '--user', 'ann@example.com', '--idle-timeout', 'never'])).code).toBe(0);
    const listed = JSON.parse((await inProcess(['policies', 'list', '--json'])).stdout);
    expect(listed.roles).toEqual([expect.objectContaining({ role: 'admin', policy: { idleTimeoutSeconds: 900, rememberMe: { enabled: false }, maxSessionsPerUser: null } })]);
    expect(listed.users).toEqual([expect.objectContaining({ email: 'ann@example.com', policy: { idleTimeoutSeconds: null } })]);
    expect((await inProcess(['policies', 'list'])).stdout).toMatch(/role admin\s+idle-timeout 15 minutes, remember-me off, max-sessions none/);

    const refusals: [string[], string][] = [
      [['--idle-timeout', '1h'], 'seshat: Give either --role or --user.'],
      [['--role', 'king', '--idle-timeout', '1h'], 'seshat: --role must be owner, admin, auditor or user (got "king").'],
      [['--user', 'nobody@example.com', '--idle-timeout', '1h'], 'seshat: No such user: "nobody@example.com".'],
      [['--user', '', '--idle-timeout', '1h'], 'seshat: --user is required.'],
      [['--role', '', '--idle-timeout', '1h'], 'seshat: --role must be owner, admin, auditor or user (got "").'],
      [['--role', 'admin'], 'seshat: Give at least one setting to change.'],
      [['--role', 'admin', '--anonymize-ip', 'on'], "seshat: Unknown option '--anonymize-ip'."], // a global setting only
      [['--role', 'admin', '--idle-timeout', '3s'], 'seshat: --idle-timeout must be at least 10 seconds'],
    ];
    for (const [args, message] of refusals) {
      const refused = await inProcess(['policies', 'set', ...args]);
      expect(refused.code, args.join(' ')).not.toBe(0);
      expect(refused.stderr.startsWith(message), refused.stderr).toBe(true);
    }

    expect((await inProcess(['policies', 'clear', '--user', 'ann@example.com'])).stdout).toContain('Policy of ann@example.com removed');
    expect((await inProcess(['policies', 'clear', '--user', 'ann@example.com'])).stdout).toContain('No policy for ann@example.com: nothing changed.');
    expect(JSON.parse((await inProcess(['policies', 'list', '--json'])).stdout).users).toEqual([]);
    const store = new SqliteStore(databaseUrl);
    const audit = await store.listAudit({ action: 'policy.changed' });
    expect(audit.items).toHaveLength(4);
    expect(audit.items.every((e) => e.actorId === null)).toBe(true);
    await store.close();
  });

  it("asks before a person's policy signs their sessions out at once; --yes applies it", async () => {
    expect((await seshat(['users', 'create', '--email', 'bo@example.com'])).code).toBe(0);
    const [bo] = JSON.parse((await inProcess(['users', 'list', '--json'])).stdout) as { id: string }[];
    await seed(2, bo!.id, new ManualClock(Date.now() - 2 * 3600_000)); // last active two hours ago
    await seed(1, 'usr_other', new ManualClock(Date.now() - 2 * 3600_000));
    const unconfirmed = await seshat(['policies', 'set', '--user', 'bo@example.com', '--idle-timeout', '1h']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('This change signs out 2 active sessions at once (past the new limits). Pass --yes to apply it.');
    const confirmed = await seshat(['policies', 'set', '--user', 'bo@example.com', '--idle-timeout', '1h', '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain('2 sessions are past the new limits and refused from now on.');
    expect(JSON.parse((await inProcess(['sessions', 'list', '--user', bo!.id, '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await inProcess(['sessions', 'list', '--user', 'usr_other', '--json'])).stdout)).toHaveLength(1);
  });
});
