import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/core/session-manager.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

/**
 * Issue 14, defect 11: a server on a SQLite file and the CLI on the same file are two processes with their own
 * connections. A revocation the CLI commits must be refused by the server on its very next request, although the
 * session is in the server's validation cache: the server's channel sees the other connection's commit through
 * PRAGMA data_version before it trusts its cache.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * The other process reports back (the CLI prints and exits): that takes longer than the millisecond for which one
 * reading of data_version stands, which is all the guarantee needs.
 */
const afterTheOtherProcess = () => new Promise((resolve) => setTimeout(resolve, 5));

async function fileWithTwoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-dv-'));
  dirs.push(dir);
  const path = join(dir, 'seshat.db');
  const server = new SqliteStore(path);
  await server.migrate();
  const cli = new SqliteStore(path);
  return { server, cli };
}

describe('SQLite change channel (PRAGMA data_version)', () => {
  it("a revocation committed by another connection is refused on the server's next validation, cache or not", async () => {
    const { server, cli } = await fileWithTwoConnections();
    const manager = await new SessionManager({ store: server, channel: server.createInvalidationChannel(), cache: { ttlMs: 60_000 } }).start();
    const operator = await new SessionManager({ store: cli, cache: false }).start();
    try {
      const created = await manager.createSession({ userId: 'usr_a', remember: false, ip: null, userAgent: null });
      expect(await manager.validate(created.token)).not.toBeNull();
      expect(await manager.validate(created.token)).not.toBeNull();
      expect(manager.metrics.validations.hit).toBeGreaterThan(0); // cached

      expect(await operator.revokeAllSessions(null, 'incident')).toBe(1); // `seshat sessions invalidate-all`
      await afterTheOtherProcess();
      expect(await manager.validate(created.token)).toBeNull();
    } finally {
      await manager.stop();
      await operator.stop();
      await server.close();
      await cli.close();
    }
  });

  it('with recheckMs 0, even a request in the same millisecond sees the other commit', async () => {
    const { server, cli } = await fileWithTwoConnections();
    const manager = await new SessionManager({ store: server, channel: server.createInvalidationChannel({ recheckMs: 0 }), cache: { ttlMs: 60_000 } }).start();
    const operator = await new SessionManager({ store: cli, cache: false }).start();
    try {
      const created = await manager.createSession({ userId: 'usr_a', remember: false, ip: null, userAgent: null });
      await manager.validate(created.token);
      await operator.revokeAllSessions(null, 'incident');
      expect(await manager.validate(created.token)).toBeNull();
    } finally {
      await manager.stop();
      await operator.stop();
      await server.close();
      await cli.close();
    }
  });

  it("the server's own commits do not flush its cache", async () => {
    const { server, cli } = await fileWithTwoConnections();
    const manager = await new SessionManager({ store: server, channel: server.createInvalidationChannel(), cache: { ttlMs: 60_000 } }).start();
    try {
      const a = await manager.createSession({ userId: 'usr_a', remember: false, ip: null, userAgent: null });
      await manager.validate(a.token);
      const hits = manager.metrics.validations.hit;
      await manager.createSession({ userId: 'usr_b', remember: false, ip: null, userAgent: null }); // a commit of its own
      expect(await manager.validate(a.token)).not.toBeNull();
      expect(manager.metrics.validations.hit).toBe(hits + 1);
    } finally {
      await manager.stop();
      await server.close();
      await cli.close();
    }
  });

  it('settings another process saved apply on the next request', async () => {
    const { server, cli } = await fileWithTwoConnections();
    const manager = await new SessionManager({ store: server, channel: server.createInvalidationChannel() }).start();
    const operator = await new SessionManager({ store: cli, policy: { canView: () => true, canRevoke: () => true, canManageTeam: () => true } }).start();
    try {
      const a = await manager.createSession({ userId: 'usr_a', remember: false, ip: null, userAgent: null });
      await manager.validate(a.token);
      await operator.updateSettings({ userId: 'usr_admin' }, { idleTimeoutSeconds: 4321 });
      await afterTheOtherProcess();
      await manager.validate(a.token); // sees the other commit: flushes and reloads settings
      await new Promise((r) => setImmediate(r));
      expect(manager.settings.idleTimeoutSeconds).toBe(4321);
    } finally {
      await manager.stop();
      await operator.stop();
      await server.close();
      await cli.close();
    }
  });
});
