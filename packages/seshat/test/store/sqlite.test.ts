import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { invalidationContract, sessionRecord, storeContract } from 'seshat/testing';

storeContract('sqlite', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  return store;
});

// Two connections to one file: the server and the CLI.
invalidationContract('sqlite', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'seshat-pair-')), 'seshat.db');
  const here = new SqliteStore(path);
  await here.migrate();
  return [here, new SqliteStore(path)];
});

describe('SQLite transactions on one connection', () => {
  async function open() {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    return store;
  }

  it('refuse work that pauses for the event loop, and roll it back', async () => {
    const store = await open();
    const s = sessionRecord();
    const outcome = store.transaction(async (scope) => {
      await scope.insertSession(s);
      await sleep(1);
    });
    await expect(outcome).rejects.toThrow(/paused for the event loop/);
    expect(await store.findSession(s.id)).toBeNull();
    await store.close();
  });

  it('keep writes from outside out of an open transaction: they wait, and survive its rollback', async () => {
    const store = await open();
    const inside = sessionRecord();
    const outside = sessionRecord();
    let outsideWrite: Promise<void> | undefined;
    const outcome = store.transaction(async (scope) => {
      await scope.insertSession(inside);
      // Started while the transaction is open (same tick): it must not join it.
      outsideWrite = store.insertSession(outside);
      await scope.appendAudit({ id: 'aud_x', at: 1, action: 'auth.sign-in', actorId: null, targetUserId: null, sessionId: null, reason: null, ip: null, details: null });
      throw new Error('roll back');
    });
    await expect(outcome).rejects.toThrow('roll back');
    await outsideWrite;
    expect(await store.findSession(inside.id)).toBeNull();
    expect((await store.findSession(outside.id))?.id).toBe(outside.id);
    await store.close();
  });

  it('run concurrent transactions one after another', async () => {
    const store = await open();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        store.transaction(async (scope) => {
          order.push(n);
          await scope.insertSession(sessionRecord());
          order.push(n);
        }),
      ),
    );
    expect(order).toEqual([1, 1, 2, 2, 3, 3]);
    expect(await store.countSessions()).toBe(3);
    await store.close();
  });
});
