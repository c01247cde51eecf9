import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { sqliteMigrations } from '../../src/stores/sqlite/migrations.ts';
import { apiKeyRecord } from 'seshat/testing';

// The ApiKeyStore contract itself runs for every dialect inside the store contract (src/testing/store-contract.ts).
describe('SQLite migration 2 (API keys)', () => {
  it('upgrades a version-1 database in place and keeps its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seshat-mig-'));
    const file = join(dir, 'seshat.db');
    try {
      const first = new SqliteStore(file);
      expect(await first.migrate()).toEqual(sqliteMigrations.map((m) => m.version)); // every version, whichever were added since
      await first.close();
      // Roll the file back to what a version-1 release left behind.
      const raw = new DatabaseSync(file);
      raw.exec("DROP TABLE api_key_usage; DROP TABLE api_keys; DELETE FROM schema_migrations WHERE version = 2; INSERT INTO settings (key, value) VALUES ('sessions', '{}')");
      raw.close();

      const upgraded = new SqliteStore(file);
      expect(await upgraded.migrate()).toEqual([2]);
      expect(await upgraded.migrate()).toEqual([]);
      expect(await upgraded.loadSettings()).toEqual({});
      await upgraded.insertApiKey(apiKeyRecord());
      expect(await upgraded.listApiKeys('usr_a', 0)).toHaveLength(1);
      await upgraded.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
