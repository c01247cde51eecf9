import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from 'seshat';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

describe('POST /api/admin/settings/preview', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('bob@example.com');
  });
  afterEach(() => t.close());

  it('says how many sessions a shorter idle timeout would end now, and changes nothing', async () => {
    // Bob's session idle for two hours, then the admin's (fresh, and step-up recent).
    await new Client(t.url).login('bob@example.com');
    t.clock.advance(2 * HOUR);
    const admin = new Client(t.url);
    await admin.login('admin@example.com');

    const oneHour = await admin.post('/api/admin/settings/preview', { idleTimeoutSeconds: HOUR / 1000 });
    expect(oneHour.status).toBe(200);
    expect(await oneHour.json()).toEqual({ endingSessions: 1 });
    expect(await (await admin.post('/api/admin/settings/preview', { idleTimeoutSeconds: DAY / 1000 })).json()).toEqual({ endingSessions: 0 });
    // Nothing changed.
    expect(t.server.manager.settings.idleTimeoutSeconds).toBe(7 * 86400);
    await expect(t.server.manager.countActiveSessions()).resolves.toBe(2);

    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    expect((await bob.post('/api/admin/settings/preview', { idleTimeoutSeconds: 3600 })).status).toBe(403);
  });
});
