import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionManager } from '../../src/core/session-manager.ts';
import { defaultSettings, type SessionSettings } from '../../src/core/settings.ts';
import { ALL_FIELD_EDITS, expectEditChain, FIELD_EDITS } from '../helpers/field-edits.ts';
import { managerNodes, NODE_SETUPS } from '../helpers/nodes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

/**
 * `updateSettings` reads, patches and saves the stored settings in one transaction under the settings lock: updates
 * of different fields all survive, whether they run in parallel on one node or two, or one after the other on nodes
 * that have not heard of each other's changes yet (these nodes have no invalidation channel: a node's copy in memory
 * changes only with its own updates). Patching the node's copy in memory, as `updateSettings` once did, keeps only
 * some of them.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const TABLES = 'settings, audit_events, sessions';

/** The settings once every edit is in: the defaults with every field the edits set (the bound cookie's life kept). */
const EVERY_EDIT: SessionSettings = { ...defaultSettings(), ...ALL_FIELD_EDITS, deviceBinding: { policy: 'off', boundCookieSeconds: 600 } };

/** Every edit is stored, and the audit trail is a chain from the defaults to it. */
async function expectEveryEditKept(manager: SessionManager, stored: unknown): Promise<void> {
  expect(stored).toEqual(EVERY_EDIT);
  expectEditChain((await manager.audit.list({ action: 'settings.changed', limit: 20 })).items, defaultSettings(), EVERY_EDIT);
}

describe.each(NODE_SETUPS)('settings updates on %s with %i node(s)', (kind, nodeCount) => {
  it('keep every field of parallel updates, and audit each over the one before it', async () => {
    const { managers, store, close } = await managerNodes(db, kind, nodeCount, { tables: TABLES });
    try {
      await Promise.all(FIELD_EDITS.map((edit, i) => managers[i % managers.length]!.updateSettings(null, edit)));
      await expectEveryEditKept(managers[0]!, await store.loadSettings());
    } finally {
      await close();
    }
  });
});

// Two SQLite connections on one file are a server and the CLI; in one process they take turns (see NODE_SETUPS).
describe.each([
  ['sqlite', 2],
  ['postgres', 2],
] as const)('settings updates on %s with %i nodes that have not heard of each other', (kind, nodeCount) => {
  it('keep what the other node saved, and audit it as what the update replaced', async () => {
    const { managers, store, close } = await managerNodes(db, kind, nodeCount, { tables: TABLES });
    try {
      for (const [i, edit] of FIELD_EDITS.entries()) await managers[i % managers.length]!.updateSettings(null, edit);
      await expectEveryEditKept(managers[0]!, await store.loadSettings());
      // The last to update holds what it stored.
      expect(managers[(FIELD_EDITS.length - 1) % managers.length]!.settings).toEqual(EVERY_EDIT);
    } finally {
      await close();
    }
  });

  it('rewrite the stored addresses once when both switch anonymisation on: the second found it on already', async () => {
    const { managers, close } = await managerNodes(db, kind, nodeCount, {
      tables: TABLES,
      manager: { anonymize: (ip) => ip.replace(/\.\d+$/, '.0') },
    });
    const rewrote = new Set<number>();
    const errors: unknown[] = [];
    managers.forEach((m, i) => {
      m.events.on('ips.anonymizing', () => rewrote.add(i));
      m.events.on('error', (e) => errors.push(e));
    });
    try {
      await managers[0]!.updateSettings(null, { anonymizeIp: true });
      // The rewrite runs in the background; on SQLite in one process it must not overlap the other connection's writes.
      await vi.waitFor(async () => expect((await managers[0]!.audit.list({ action: 'ips.anonymized' })).items).toHaveLength(1));
      await managers[1]!.updateSettings(null, { anonymizeIp: true, maxSessionsPerUser: 3 });
      const [second, first] = (await managers[1]!.audit.list({ action: 'settings.changed' })).items; // newest first
      expect(first!.details!.before).toMatchObject({ anonymizeIp: false });
      expect(second!.details!.before).toMatchObject({ anonymizeIp: true });
    } finally {
      await close(); // waits for the rewrites
    }
    expect(errors).toEqual([]);
    expect([...rewrote]).toEqual([0]);
  });
});
