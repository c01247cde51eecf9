import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Only an owner acts on an owner: an admin with `users:manage` cannot reset an owner's password, change an owner's
 * role or make anyone an owner (which would let an admin lock the owners out, or raise themselves).
 */
describe.each(STORE_KINDS)('owners are protected from admins (%s)', (kind) => {
  let t: TestServer;
  let owner: { id: string };
  let plain: { id: string };
  let admin: Client;
  let ownerClient: Client;
  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    owner = await t.addUser('owner@example.com', 'owner');
    await t.addUser('admin@example.com', 'admin');
    plain = await t.addUser('plain@example.com');
    admin = new Client(t.url);
    await admin.login('admin@example.com');
    ownerClient = new Client(t.url);
    await ownerClient.login('owner@example.com');
  });
  afterAll(() => t?.close());

  it("refuses an admin's role change or password reset of an owner, and promotions to owner", async () => {
    expect((await admin.post(`/api/admin/users/${owner.id}/role`, { role: 'user' })).status).toBe(403);
    expect((await admin.post(`/api/admin/users/${owner.id}/password`, {})).status).toBe(403);
    expect((await admin.post(`/api/admin/users/${plain.id}/role`, { role: 'owner' })).status).toBe(403);
    expect((await ownerClient.get('/api/auth/session')).status).toBe(200); // the owner was not touched
    // An admin may still change other people's roles, and an owner may make an owner.
    expect((await admin.post(`/api/admin/users/${plain.id}/role`, { role: 'auditor' })).status).toBe(200);
    expect((await ownerClient.post(`/api/admin/users/${plain.id}/role`, { role: 'owner' })).status).toBe(200);
  });
});
