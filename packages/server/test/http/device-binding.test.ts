import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE } from 'seshat';
import { DbscClient } from 'seshat/testing';
import { PASSWORD, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Device Bound Session Credentials on the server, on both stores, with a protocol-conformant client (WebCrypto
 * keys, real JWTs): the offer at sign-in, the visible `deviceBound`, enforcement, refresh, a stolen cookie pair,
 * the policy, the overview and the metric.
 */
describe.each(STORE_KINDS)('device binding (%s)', (kind) => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });

  async function signedIn(email: string, role: 'user' | 'admin' = 'user', register = true): Promise<DbscClient> {
    if (!(await t.server.users.findByEmail(email))) await t.addUser(email, role);
    const device = await DbscClient.create(t.url);
    const login = await device.fetch('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    if (register) expect((await device.register()).status).toBe(200);
    return device;
  }
  const current = async (device: DbscClient) => {
    const response = await device.fetch('GET', '/api/auth/session');
    return response.status === 200 ? ((await response.json()) as { session: { id: string; deviceBound: boolean; boundSince: string | null } }).session : null;
  };

  it('offers registration at sign-in; a registered session shows as bound and works only with its bound cookie', async () => {
    t = await startTestServer({ store: kind });
    const device = await signedIn('alice@example.com', 'user', false);
    expect(device.offer).toMatchObject({ algorithms: ['ES256', 'RS256'], path: '/api/auth/device-binding/register' });
    expect(await current(device)).toMatchObject({ deviceBound: false, boundSince: null });

    const registered = await device.register();
    expect(registered.status).toBe(200);
    expect(await registered.json()).toMatchObject({ refresh_url: '/api/auth/device-binding/refresh', credentials: [{ type: 'cookie', name: 'session_token_bound' }] });
    const session = await current(device);
    expect(session).toMatchObject({ deviceBound: true, boundSince: expect.any(String) });
    const listed = await (await device.fetch('GET', '/api/sessions')).json();
    expect(listed.sessions[0]).toMatchObject({ id: session!.id, deviceBound: true });

    // The bound cookie is short-lived: after it expires, the main cookie alone is anonymous until a refresh.
    t.clock.advance(11 * MINUTE);
    expect(await current(device)).toBeNull();
    expect((await device.refresh()).status).toBe(200);
    expect(await current(device)).toMatchObject({ id: session!.id });
  });

  it('a stolen main and bound cookie replayed after expiry from another device is refused, and its refresh ends the session', async () => {
    t = await startTestServer({ store: kind });
    const device = await signedIn('bob@example.com');
    const id = (await current(device))!.id;
    const thief = await device.stolenBy();
    t.clock.advance(11 * MINUTE);
    expect(await current(thief)).toBeNull();
    expect((await thief.refresh()).status).toBe(401);

    expect(await t.store.findSession(id)).toMatchObject({ revokedReason: 'key-mismatch' });
    // The owner's next refresh finds the session ended: signed out everywhere.
    expect((await device.refresh()).status).toBe(401);
    const { items } = await t.store.listAudit({ action: 'session.device-key-mismatch' });
    expect(items).toMatchObject([{ sessionId: id }]);
    expect(await (await fetch(t.url + '/metrics')).text()).toMatch(/seshat_sessions_revoked_total\{reason="key-mismatch"\} 1/);
  });

  it('a browser without DBSC is unchanged: never bound, signed in as long as before', async () => {
    t = await startTestServer({ store: kind });
    const device = await signedIn('carol@example.com', 'user', false);
    t.clock.advance(60 * MINUTE);
    expect(await current(device)).toMatchObject({ deviceBound: false });
    expect(device.jar.has('session_token_bound')).toBe(false);
  });

  it('the registration and refresh endpoints need no Origin or Sec-Fetch-Site (the signed challenge authenticates them)', async () => {
    t = await startTestServer({ store: kind });
    const device = await signedIn('dave@example.com', 'user', false);
    // DbscClient sends these two without Origin/Sec-Fetch-Site, as a browser's network layer does; a cross-site
    // marker does not stop them either.
    const crossSite = await fetch(t.url + '/api/auth/device-binding/refresh', {
      method: 'POST',
      headers: { cookie: device.cookieHeader()!, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(400); // not bound yet: a protocol answer, not the CSRF refusal
    expect((await crossSite.json()).detail).toMatch(/not bound/);
  });

  it('policy: off stops the offer; require-for-admins refuses admin actions from unbound sessions and cannot lock its setter out', async () => {
    t = await startTestServer({ store: kind });
    const bound = await signedIn('admin@example.com', 'admin');
    const unbound = await signedIn('admin@example.com', 'admin', false);
    await signedIn('user@example.com');

    const lockout = await unbound.fetch('PATCH', '/api/admin/settings', { body: { deviceBinding: { policy: 'require-for-admins' } } });
    expect(lockout.status).toBe(409);
    const set = await bound.fetch('PATCH', '/api/admin/settings', { body: { deviceBinding: { policy: 'require-for-admins' } } });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ deviceBinding: { policy: 'require-for-admins', boundCookieSeconds: 600 } });

    const refused = await unbound.fetch('GET', '/api/admin/users');
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toMatch(/bound to this device/);
    const overview = await bound.fetch('GET', '/api/admin/users');
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ totalActiveSessions: 3, deviceBoundSessions: 2 });
    expect(await (await fetch(t.url + '/metrics')).text()).toMatch(/\nseshat_sessions_device_bound 2\n/);

    expect((await bound.fetch('PATCH', '/api/admin/settings', { body: { deviceBinding: { policy: 'off' } } })).status).toBe(200);
    const later = await signedIn('user@example.com', 'user', false);
    expect(later.offer).toBeNull();
  });
});
