import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FIELD_EDITS, expectEditChain, FIELD_EDITS } from '../helpers/field-edits.ts';
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

describe.each(NODE_SETUPS)('policy updates on %s with %i node(s)', (kind, nodeCount) => {
  it('keep every field of parallel updates of one subject, and audit each over the one before it', async () => {
    const { managers, store, close } = await managerNodes(db, kind, nodeCount, { tables: 'session_policies, audit_events, settings' });
    try {
      await Promise.all(FIELD_EDITS.map((edit, i) => managers[i % managers.length]!.updatePolicy(null, 'role:admin', edit)));
      expect((await store.findSessionPolicy('role:admin'))?.policy).toEqual(ALL_FIELD_EDITS);
      // One after the other: each event's before is the previous one's after, so the trail has no gap.
      expectEditChain((await managers[0]!.audit.list({ action: 'policy.changed', limit: 20 })).items, null, ALL_FIELD_EDITS);
    } finally {
      await close();
    }
  });
});
