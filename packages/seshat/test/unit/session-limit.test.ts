import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSeshatError } from '../../src/core/errors.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { managerNodes, NODE_SETUPS } from '../helpers/nodes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

/**
 * Issue 14, defect 4: with `maxSessionsPerUser: 3`, parallel sign-ins never leave more than three live sessions,
 * with either limit action, on one node or two (two managers with their own connections on one database).
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const LIMIT = 3;

const nodes = (kind: 'sqlite' | 'postgres', count: number, action: 'deny' | 'evict-oldest') =>
  managerNodes(db, kind, count, {
    tables: 'sessions, audit_events, settings',
    // Twenty sign-ins queue on one user's lock: on a loaded test machine the last waits longer than the 2-s
    // production deadline, which is not what this test is about.
    postgres: { queryTimeoutMs: 20_000, statementTimeoutMs: 15_000 },
    manager: {
      defaults: { ...defaultSettings(), maxSessionsPerUser: LIMIT, sessionLimitAction: action },
      policy: { canView: () => true, canViewIp: () => true, canRevoke: () => true, canManageTeam: () => true },
    },
  });

describe.each(NODE_SETUPS)('the concurrent-session limit on %s with %i node(s)', (kind, nodeCount) => {
  it.each(['deny', 'evict-oldest'] as const)('holds under 20 parallel sign-ins (%s)', async (action) => {
    const { managers, close } = await nodes(kind, nodeCount, action);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => managers[i % managers.length]!.createSession({ userId: 'usr_busy', remember: false, ip: null, userAgent: null })),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      for (const r of refused) expect(isSeshatError(r.reason) && r.reason.code === 'session_limit', String(r.reason)).toBe(true);
      expect(await managers[0]!.countActiveSessions('usr_busy')).toBe(LIMIT);
      if (action === 'deny') expect(refused).toHaveLength(20 - LIMIT);
      else expect(refused).toHaveLength(0);
      // Every eviction is in the audit trail, in the same transaction as the sign-in that caused it.
      const evictions = (await managers[0]!.audit.list({ action: 'session.revoked', limit: 100 })).items;
      expect(evictions).toHaveLength(action === 'deny' ? 0 : 20 - LIMIT);
    } finally {
      await close();
    }
  });
});
