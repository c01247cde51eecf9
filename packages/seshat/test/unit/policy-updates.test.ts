import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionPolicy } from '../../src/core/session-policy.ts';
import { managerNodes, NODE_SETUPS } from '../helpers/nodes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

/**
 * `updatePolicy` reads, merges and saves in one transaction under the subject's lock: parallel updates of different
 * fields of one policy all survive, on one node or two (two managers with their own connections on one database).
 * Reading the policy first and saving the merge afterwards (as `policies set` once did) keeps only some of them.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const EDITS: SessionPolicy[] = [
  { idleTimeoutSeconds: 600 },
  { absoluteLifetimeSeconds: 86_400 },
  { rememberMe: { enabled: false } },
  { rememberMe: { durationSeconds: 7 * 86_400 } },
  { maxSessionsPerUser: 2 },
  { sessionLimitAction: 'deny' },
  { reauthenticationWindowSeconds: 300 },
  { deviceBinding: { policy: 'off' } },
];

describe.each(NODE_SETUPS)('policy updates on %s with %i node(s)', (kind, nodeCount) => {
  it('keep every field of parallel updates of one subject, and audit each over the one before it', async () => {
    const { managers, store, close } = await managerNodes(db, kind, nodeCount, { tables: 'session_policies, audit_events, settings' });
    try {
      await Promise.all(EDITS.map((edit, i) => managers[i % managers.length]!.updatePolicy(null, 'role:admin', edit)));
      const stored = (await store.findSessionPolicy('role:admin'))?.policy;
      expect(stored).toEqual({
        idleTimeoutSeconds: 600,
        absoluteLifetimeSeconds: 86_400,
        rememberMe: { enabled: false, durationSeconds: 7 * 86_400 },
        maxSessionsPerUser: 2,
        sessionLimitAction: 'deny',
        reauthenticationWindowSeconds: 300,
        deviceBinding: { policy: 'off' },
      });
      // One after the other: each event's before is the previous one's after, so the trail has no gap.
      const events = (await managers[0]!.audit.list({ action: 'policy.changed', limit: 20 })).items.reverse();
      expect(events).toHaveLength(EDITS.length);
      expect(events.map((e) => e.details!.before)).toEqual([null, ...events.slice(0, -1).map((e) => e.details!.after)]);
      expect(events.at(-1)!.details!.after).toEqual(stored);
    } finally {
      await close();
    }
  });
});
