import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKeys, openStore, SessionManager, type Store } from 'seshat';
import { createTestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { main } from '../../src/cli/main.ts';
import { UserDirectory } from '../../src/users.ts';
import { STORE_KINDS } from '../helpers/server.ts';
import { TEST_PASSWORD_COST } from '../helpers/server.ts';

/** `seshat api-keys …` and `seshat users set-password|set-role`, in this process, on both stores. */
describe.each(STORE_KINDS)('credential commands (%s)', (kind) => {
  let dir: string;
  let databaseUrl: string;
  let drop: (() => Promise<void>) | undefined;
  let store: Store;
  let userId: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seshat-cli-'));
    const pg = kind === 'postgres' ? await createTestDatabase() : null;
    drop = pg ? () => pg.drop() : undefined;
    databaseUrl = pg?.url ?? join(dir, 'seshat.db');
    store = await openStore(databaseUrl, { create: true });
    await store.migrate();
    const manager = await new SessionManager({ store }).start();
    userId = (await new UserDirectory(store, manager, TEST_PASSWORD_COST).create({ email: 'alice@example.com', name: 'Alice', password: 'correct horse battery' })).id;
  });
  afterEach(async () => {
    await store.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

  const keys = () => new ApiKeys({ store });

  it('api-keys list shows a user\'s live keys without the secret; revoke --id and --user end them, audited', async () => {
    const a = await keys().create({ userId }, 'deploy');
    const b = await keys().create({ userId }, 'backup');
    const listed = await cli(['api-keys', 'list', '--user', 'alice@example.com', '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; name: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual(['backup', 'deploy']);
    expect(listed.stdout).not.toContain(a.key.split('.')[1]);
    expect((await cli(['api-keys', 'list', '--user', userId])).stdout).toContain('2 live API keys for alice@example.com.');

    const one = await cli(['api-keys', 'revoke', '--id', a.apiKey.id, '--reason', 'leaked in CI logs']);
    expect(one).toMatchObject({ code: 0, stdout: `Revoked API key ${a.apiKey.id} ("deploy").\n` });
    expect(await keys().authenticate(a.key)).toBeNull();
    expect(await keys().authenticate(b.key)).not.toBeNull();
    expect((await cli(['api-keys', 'revoke', '--id', a.apiKey.id])).code).toBe(1);

    expect((await cli(['api-keys', 'revoke', '--user', 'alice@example.com'])).stdout).toBe('Revoked 1 API key of alice@example.com.\n');
    expect(await keys().authenticate(b.key)).toBeNull();
    const audit = await store.listAudit({ userId });
    expect(audit.items.filter((e) => e.action.startsWith('api-key')).map((e) => [e.action, e.reason])).toEqual([
      ['api-keys.revoked', 'revoked from the CLI'],
      ['api-key.revoked', 'leaked in CI logs'],
      ['api-key.created', null],
      ['api-key.created', null],
    ]);
  });

  it('api-keys revoke needs exactly one of --id and --user', async () => {
    expect((await cli(['api-keys', 'revoke'])).code).toBe(2);
    expect((await cli(['api-keys', 'revoke', '--id', 'key_x', '--user', 'alice@example.com'])).code).toBe(2);
    expect((await cli(['api-keys', 'list', '--user', 'nobody@example.com'])).code).toBe(1);
  });

  it('sessions revoke --user also revokes the API keys and says so', async () => {
    const a = await keys().create({ userId }, 'deploy');
    expect((await cli(['sessions', 'revoke', '--user', 'alice@example.com'])).stdout).toBe('Signed out 0 sessions of alice@example.com and revoked 1 API key.\n');
    expect(await keys().authenticate(a.key)).toBeNull();
  });

  it('users set-password prints a generated password that must be changed; set-role changes roles, never the last admin', async () => {
    const manager = await new SessionManager({ store }).start();
    const users = new UserDirectory(store, manager, TEST_PASSWORD_COST);
    const created = await manager.createSession({ userId, remember: false, ip: null, userAgent: null });
    const result = await cli(['users', 'set-password', '--user', 'alice@example.com']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('signed out 1 session, revoked 0 API keys. It must be changed at the next sign-in.');
    const password = /Password: (\S+)/.exec(result.stdout)![1]!;
    expect(await manager.validate(created.token)).toBeNull();
    expect(await users.authenticate('alice@example.com', password)).toMatchObject({ passwordChangeRequired: true });
    expect((await store.listAudit({ action: 'password.reset' })).items[0]).toMatchObject({ actorId: null, targetUserId: userId });

    expect((await cli(['users', 'set-role', '--user', 'alice@example.com', '--role', 'admin'])).stdout).toBe('alice@example.com is now admin (was user).\n');
    expect((await cli(['users', 'set-role', '--user', userId, '--role', 'admin'])).stdout).toBe('alice@example.com is already admin.\n');
    const last = await cli(['users', 'set-role', '--user', userId, '--role', 'user']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last administrator');
    expect((await cli(['users', 'set-role', '--user', userId, '--role', 'root'])).code).toBe(2);
    expect((await store.listAudit({ action: 'user.role-changed' })).items.map((e) => e.details)).toEqual([{ before: 'user', after: 'admin' }]);
  });
});
