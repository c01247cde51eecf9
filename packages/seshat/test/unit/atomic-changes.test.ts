import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/core/api-keys.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { Store, StoreScope } from '../../src/core/ports.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { PostgresStore } from '../../src/stores/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

/**
 * Issue 14, defect 2: a state change and its audit event commit together or not at all. Each operation runs
 * against a store whose audit write fails inside the transaction: the operation must fail and leave every
 * session, key and setting exactly as it was (no revocation without its audit event), on both stores.
 */
const admin = { userId: 'usr_admin', role: 'admin', sessionId: undefined as string | undefined, ip: '192.0.2.1' };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

/** The store, except that while `failing` is set, appending to the audit trail inside a transaction throws. */
function withFailingAudit(store: Store): { store: Store; fail(on: boolean): void } {
  let failing = false;
  const transaction = store.transaction.bind(store);
  store.transaction = (work) =>
    transaction((scope) =>
      work(
        new Proxy(scope, {
          get(target, property, receiver) {
            if (property === 'appendAudit' && failing) return async () => Promise.reject(new Error('the audit write failed'));
            const value = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }) as StoreScope,
      ),
    );
  return { store, fail: (on) => void (failing = on) };
}

describe.each([
  ['sqlite', async () => new SqliteStore(':memory:') as Store],
  ['postgres', async () => {
    const store = new PostgresStore(db.url);
    await store.migrate();
    await db.query('TRUNCATE sessions, users, settings, audit_events, api_keys, api_key_usage, webhook_endpoints, webhook_messages, webhook_deliveries, webhook_lease RESTART IDENTITY');
    return store as Store;
  }],
] as const)('changes on %s commit with their audit event or not at all', (_kind, open) => {
  let store: Store;
  let manager: SessionManager<StoreScope>;
  let fail: (on: boolean) => void;
  afterEach(async () => {
    await manager?.stop();
    await store?.close();
  });

  async function setUp() {
    const wrapped = withFailingAudit(await open());
    store = wrapped.store;
    fail = wrapped.fail;
    await store.migrate();
    manager = await new SessionManager<StoreScope>({ store, clock: new ManualClock(Date.now()), policy: roleBasedPolicy(['admin']), defaults: defaultSettings() }).start();
    const a = await manager.createSession({ userId: 'usr_alice', remember: false, ip: null, userAgent: null });
    const b = await manager.createSession({ userId: 'usr_alice', remember: false, ip: null, userAgent: null });
    return { a: a.session, b: b.session, auditBefore: (await store.listAudit({ limit: 500 })).items.length };
  }

  async function expectUnchanged(auditBefore: number): Promise<void> {
    expect(await manager.countActiveSessions('usr_alice')).toBe(2);
    expect((await store.listAudit({ limit: 500 })).items).toHaveLength(auditBefore);
  }

  it('force sign-out, admin revoke, revoke-others and revoke-all revoke nothing when their audit event fails', async () => {
    const { a, b, auditBefore } = await setUp();
    fail(true);
    await expect(manager.forceSignOut(admin, 'usr_alice', 'compromised')).rejects.toThrow('the audit write failed');
    await expect(manager.revokeSession(admin, b.id, { reason: 'suspicious' })).rejects.toThrow('the audit write failed');
    await expect(manager.revokeOtherSessions({ userId: 'usr_alice', sessionId: a.id })).rejects.toThrow('the audit write failed');
    await expect(manager.revokeAllSessions(admin, 'incident')).rejects.toThrow('the audit write failed');
    await expect(manager.signOut(a)).rejects.toThrow('the audit write failed');
    await expectUnchanged(auditBefore);
    // And the sessions still validate: nothing was dropped from the cache for a change that did not happen.
    fail(false);
    expect(await manager.getSession({ userId: 'usr_alice' }, a.id)).toMatchObject({ id: a.id, revokedAt: null });
  });

  it('a sign-in whose audit event fails leaves no session, and evicts nobody for it', async () => {
    const { auditBefore } = await setUp();
    await manager.updateSettings(admin, { maxSessionsPerUser: 2, sessionLimitAction: 'evict-oldest' });
    const settingsAudit = auditBefore + 1;
    fail(true);
    await expect(manager.createSession({ userId: 'usr_alice', remember: false, ip: null, userAgent: null })).rejects.toThrow('the audit write failed');
    await expectUnchanged(settingsAudit);
  });

  it('a settings change whose audit event fails changes no setting', async () => {
    const { auditBefore } = await setUp();
    fail(true);
    await expect(manager.updateSettings(admin, { idleTimeoutSeconds: 3600 })).rejects.toThrow('the audit write failed');
    expect(manager.settings.idleTimeoutSeconds).toBe(defaultSettings().idleTimeoutSeconds);
    expect(await store.loadSettings()).toBeNull();
    await expectUnchanged(auditBefore);
  });

  it('creating or revoking an API key whose audit event fails leaves the keys as they were', async () => {
    const { auditBefore } = await setUp();
    const keys = new ApiKeys({ store });
    const { apiKey } = await keys.create({ userId: 'usr_alice' }, 'deploy');
    fail(true);
    await expect(keys.create({ userId: 'usr_alice' }, 'second')).rejects.toThrow('the audit write failed');
    await expect(keys.revoke({ userId: 'usr_alice' }, apiKey.id)).rejects.toThrow('the audit write failed');
    fail(false);
    expect((await keys.list({ userId: 'usr_alice' })).map((k) => k.name)).toEqual(['deploy']);
    expect((await store.listAudit({ limit: 500 })).items).toHaveLength(auditBefore + 1);
  });
});
