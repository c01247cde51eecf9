import { afterEach, describe, expect, it } from 'vitest';
import { DeviceBinding, ManualClock, MINUTE, SessionManager, type SessionRecord } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { DbscClient } from 'seshat/testing';
import { adapterApps, type AdapterApp } from './apps.ts';

/**
 * Device Bound Session Credentials through each adapter, with a protocol-conformant client (WebCrypto keys, real
 * JWTs): the offer at sign-in, registration, the bound cookie on the hot path, refresh, expiry, a thief with the
 * cookies but not the key, and a client that ignores DBSC.
 */
describe.each(Object.keys(adapterApps) as (keyof typeof adapterApps)[])('%s: device binding', (name) => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  async function start() {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const clock = new ManualClock(Date.now());
    const manager = await new SessionManager({ store, clock }).start();
    const deviceBinding = await new DeviceBinding({ manager, store }).start();
    const app: AdapterApp = await adapterApps[name]({ manager, deviceBinding });
    cleanup.push(() => store.close(), () => app.stop());
    const suspicious: SessionRecord[] = [];
    manager.events.on('session.suspicious', (s) => suspicious.push(s));
    const device = await DbscClient.create(app.url);
    const who = async (client: DbscClient) => {
      const response = await client.fetch('GET', '/who');
      return ((await response.json()) as { session: SessionRecord | null }).session;
    };
    const signIn = async (client: DbscClient) => expect((await client.fetch('POST', '/login', { body: { userId: 'usr_a' } })).status).toBe(200);
    return { store, clock, manager, deviceBinding, app, device, who, signIn, suspicious };
  }

  it('offers registration at sign-in, registers the key and answers the session instructions with a bound cookie', async () => {
    const { device, signIn, who, store } = await start();
    await signIn(device);
    expect(device.offer).toMatchObject({ algorithms: ['ES256', 'RS256'], path: '/auth/device-binding/register' });

    const registered = await device.register();
    expect(registered.status).toBe(200);
    expect(registered.headers.get('cache-control')).toBe('no-store');
    const instructions = await registered.json();
    const sessionId = (await who(device))!.id;
    expect(instructions).toEqual({
      session_identifier: sessionId,
      refresh_url: '/auth/device-binding/refresh',
      continue: true,
      scope: { include_site: false, scope_specification: [] },
      credentials: [{ type: 'cookie', name: 'session_bound', attributes: 'Path=/; HttpOnly; SameSite=Lax' }],
    });
    expect(registered.headers.get('set-cookie')).toMatch(/^session_bound=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    const stored = await store.findSession(sessionId);
    expect(stored).toMatchObject({ deviceKey: { alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } }, boundSince: expect.any(Number) });
    expect(Object.keys(stored!.deviceKey!.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    // The session works with both cookies.
    expect((await who(device))?.id).toBe(sessionId);
  });

  it('refreshes: 403 with a challenge without a proof, then 200 and a new bound cookie; an expired bound cookie is refused', async () => {
    const { device, signIn, who, clock } = await start();
    await signIn(device);
    await device.register();
    const first = device.jar.get('session_bound');

    clock.advance(11 * MINUTE); // past the 10-minute bound cookie
    expect(await who(device)).toBeNull();

    const refreshed = await device.refresh();
    expect(refreshed.status).toBe(200);
    expect(device.jar.get('session_bound')).not.toBe(first);
    expect(await who(device)).not.toBeNull();
  });

  it('a refresh without a proof answers 403 and a Secure-Session-Challenge for the session', async () => {
    const { device, signIn, app } = await start();
    await signIn(device);
    await device.register();
    const response = await fetch(app.url + '/auth/device-binding/refresh', {
      method: 'POST',
      headers: { cookie: device.cookieHeader()!, 'sec-secure-session-id': `"${device.session!.id}"` },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('secure-session-challenge')).toMatch(new RegExp(`^"[^"]+";id="${device.session!.id}"$`));
  });

  it('a thief with the main and the bound cookie is refused once the bound cookie expires, and cannot refresh without the key', async () => {
    const { device, signIn, who, clock, suspicious, store } = await start();
    await signIn(device);
    await device.register();
    const thief = await device.stolenBy();
    expect(await who(thief)).not.toBeNull(); // within the bound cookie's 10 minutes the copy works: that is the window

    clock.advance(11 * MINUTE);
    expect(await who(thief)).toBeNull();
    const refresh = await thief.refresh();
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toMatchObject({ endedReason: 'key-mismatch' });

    // The wrong key ended the session everywhere, the real device included, and was reported.
    const stored = await store.findSession(device.session!.id);
    expect(stored).toMatchObject({ revokedReason: 'key-mismatch' });
    expect(suspicious.map((s) => s.id)).toEqual([device.session!.id]);
    expect((await device.refresh()).status).toBe(401);
    const audit = await store.listAudit({ action: 'session.device-key-mismatch' });
    expect(audit.items).toHaveLength(1);
  });

  it('a client without DBSC ignores the offer and its session works exactly as before', async () => {
    const { device, signIn, who, clock } = await start();
    await signIn(device); // never registers
    clock.advance(60 * MINUTE);
    expect(await who(device)).not.toBeNull();
    expect(device.jar.has('session_bound')).toBe(false);
  });

  it('refuses a registration proof over a challenge it did not issue, or signed for another session', async () => {
    const { device, signIn, app } = await start();
    await signIn(device);
    const other = await DbscClient.create(app.url);
    await signIn(other);
    // The other device answers with the first device's challenge: bound to another session.
    other.offer = device.offer;
    expect((await other.register()).status).toBe(400);
    device.offer = { ...device.offer!, challenge: 'made-up' };
    expect((await device.register()).status).toBe(400);
  });

  it('registers an RS256 key too; a retried registration answers the same, a second key is refused', async () => {
    const { signIn, app, store } = await start();
    const device = await DbscClient.create(app.url, 'RS256');
    await signIn(device);
    const offer = device.offer!;
    expect((await device.register()).status).toBe(200);
    expect(await store.findSession(device.session!.id)).toMatchObject({ deviceKey: { alg: 'RS256', jwk: { kty: 'RSA', e: 'AQAB' } } });
    expect((await device.register()).status).toBe(200); // the browser retried: same key, same answer
    const other = await device.stolenBy('ES256');
    other.offer = offer;
    expect((await other.register()).status).toBe(409);
  });

  it('refuses a proof made for another endpoint (aud) and a malformed proof, without ending the session', async () => {
    const { device, signIn, app, store, clock } = await start();
    await signIn(device);
    const wrongAud = await device.proof(device.offer!.challenge, { jwk: true, aud: `${app.url}/elsewhere` });
    const post = (path: string, headers: Record<string, string>) => fetch(app.url + path, { method: 'POST', headers: { cookie: device.cookieHeader()!, ...headers } });
    expect((await post('/auth/device-binding/register', { 'secure-session-response': `"${wrongAud}"` })).status).toBe(400);
    expect((await device.register()).status).toBe(200);
    clock.advance(11 * MINUTE);
    const garbage = await post('/auth/device-binding/refresh', { 'sec-secure-session-id': `"${device.session!.id}"`, 'secure-session-response': '"not.a.jwt"' });
    expect(garbage.status).toBe(400);
    expect(await store.findSession(device.session!.id)).toMatchObject({ revokedAt: null });
    expect((await device.refresh()).status).toBe(200);
  });

  it('an expired challenge gets a fresh one (403), and bound cookies survive a rotation of the signing secret', async () => {
    const { device, signIn, clock, who, deviceBinding, store } = await start();
    await signIn(device);
    await device.register();
    clock.advance(11 * MINUTE);
    expect((await device.refresh()).status).toBe(200);
    // A day later the ring rotates on the next signature; the cookie signed before still verifies meanwhile.
    clock.advance(24 * 60 * MINUTE - 5 * MINUTE);
    expect(await who(device)).toBeNull(); // the bound cookie itself expired long ago
    const refreshed = await device.refresh(); // its cached challenge expired: 403 with a fresh one, then 200
    expect(refreshed.status).toBe(200);
    expect(await who(device)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50)); // the background rotation lands
    expect((await store.listBindingSecrets()).length).toBeGreaterThanOrEqual(2);
    expect(await who(device)).not.toBeNull(); // signed with the previous secret, still valid
    expect(deviceBinding.cookieName).toBe('session_bound');
  });
});
