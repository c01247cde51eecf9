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

describe('SQLite migration 5 (roles, disabled accounts)', () => {
  it('rebuilds the users table in place: data and the e-mail rule kept, the new roles accepted', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'seshat-m5-'));
    const file = join(dir, 'db.sqlite');
    try {
      const first = new SqliteStore(file);
      await first.migrate();
      await first.close();
      // Back to what a release before version 5 left behind: the old role rule, no disabled_at, one admin.
      const db = new DatabaseSync(file);
      db.exec(`DROP TABLE users; DELETE FROM schema_migrations WHERE version = 5;
        CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('user', 'admin')), password_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
          password_change_required INTEGER NOT NULL DEFAULT 0);
        INSERT INTO users VALUES ('usr_old', 'old@example.com', 'Old', 'admin', 'h', 1, 0);`);
      db.close();
      const store = new SqliteStore(file);
      try {
        expect(await store.migrate()).toEqual([5]);
        expect(await store.findUserById('usr_old')).toMatchObject({ id: 'usr_old', email: 'old@example.com', name: 'Old', role: 'admin', passwordHash: 'h', createdAt: 1, disabledAt: null });
        await store.insertUser({ id: 'usr_owner', email: 'owner@example.com', name: 'O', role: 'owner', passwordHash: 'h', createdAt: 2, disabledAt: null, passwordChangeRequired: false });
        await expect(store.insertUser({ id: 'usr_dup', email: 'old@example.com', name: 'D', role: 'auditor', passwordHash: 'h', createdAt: 3, disabledAt: null, passwordChangeRequired: false })).rejects.toThrow();
        await expect(store.insertUser({ id: 'usr_bad', email: 'bad@example.com', name: 'B', role: 'root' as 'user', passwordHash: 'h', createdAt: 3, disabledAt: null, passwordChangeRequired: false })).rejects.toThrow();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
