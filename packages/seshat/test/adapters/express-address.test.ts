import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from 'seshat';
import { seshatExpress } from 'seshat/express';
import { SqliteStore } from 'seshat/sqlite';

/**
 * The Express adapter reads the socket's address itself while `trust proxy` is off (Express's `req.ip` would run
 * proxy-addr on every request for the same answer). Whatever the setting, the address recorded must be `req.ip`'s.
 */
describe('Express adapter: the client address is req.ip, with and without trust proxy', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  async function recordedAddress(trustProxy: boolean | string | undefined, forwardedFor: string): Promise<{ recorded: string | null; reqIp: string | undefined }> {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store }).start();
    const app = express();
    if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
    let reqIp: string | undefined;
    app.use(seshatExpress({ manager }).middleware);
    app.get('/me', (req, res) => ((reqIp = req.ip), void res.status(req.session ? 200 : 401).end()));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    stops.push(() => store.close(), () => manager.stop(), () => new Promise<void>((resolve) => server.close(() => resolve())));
    const { token, session } = await manager.createSession({ userId: 'usr_a', remember: false, ip: '198.51.100.1', userAgent: null });
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers: { cookie: `session_token=${token}`, 'x-forwarded-for': forwardedFor } });
    expect(response.status).toBe(200);
    await manager.flushActivity();
    return { recorded: (await store.findSession(session.id))!.ip, reqIp };
  }

  it('trust proxy off (the default): the socket address, not X-Forwarded-For', async () => {
    const { recorded, reqIp } = await recordedAddress(undefined, '203.0.113.7');
    expect(recorded).toMatch(/127\.0\.0\.1$/);
    expect(recorded).toBe(reqIp);
  });

  it('trust proxy on: the forwarded client address, as req.ip says', async () => {
    const { recorded, reqIp } = await recordedAddress(true, '203.0.113.7');
    expect(recorded).toBe('203.0.113.7');
    expect(reqIp).toBe('203.0.113.7');
  });

  it('trust proxy as a list of proxies: as req.ip says', async () => {
    const { recorded, reqIp } = await recordedAddress('loopback', '203.0.113.8, 192.0.2.1');
    expect(recorded).toBe(reqIp);
    expect(recorded).toBe('192.0.2.1');
  });
});
