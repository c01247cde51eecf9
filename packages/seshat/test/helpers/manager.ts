import { ManualClock } from '../../src/core/clock.ts';
import { roleBasedPolicy } from '../../src/core/permissions.ts';
import { SessionManager, type SessionManagerOptions } from '../../src/core/session-manager.ts';
import { defaultSettings } from '../../src/core/settings.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

/** A SessionManager over a real in-memory SQLite store and a manual clock. */
export async function managerForTest(options: Partial<SessionManagerOptions> = {}) {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const clock = new ManualClock();
  const manager = await new SessionManager({ store, clock, defaults: defaultSettings({}), ...options }).start();
  return { store, clock, manager };
}

export const adminPolicy = roleBasedPolicy(['admin']);

export const signIn = (userId: string, remember = false) => ({ userId, remember, ip: '203.0.113.9', userAgent: 'test-agent' });
