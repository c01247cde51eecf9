import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/core/api-keys.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { SessionManager } from '../../src/core/session-manager.ts';
import { bearerCredentials } from '../../src/http/bearer.ts';
import { seshatExpress } from '../../src/adapters/express.ts';
import { seshatFastify } from '../../src/adapters/fastify.ts';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

/** The library faces accept API keys too: a tiny app per adapter, each answering who the request is. */
async function setup() {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const clock = new ManualClock();
  const manager = await new SessionManager({ store, clock }).start();
  const apiKeys = new ApiKeys({ store, clock });
  const { key, apiKey } = await apiKeys.create({ userId: 'usr_script_owner' }, 'ci');
  const { token } = await manager.createSession({ userId: 'usr_cookie_user', remember: false, ip: null, userAgent: null });
  return { store, manager, apiKeys, key, apiKey, token };
}

type Who = { session: string | null; apiKey: string | null };

const starts = {
  async express(manager: SessionManager, apiKeys: ApiKeys) {
    const app = express();
    const seshat = seshatExpress({ manager, apiKeys });
    app.use(seshat.middleware);
    const who = (req: express.Request, res: express.Response) => res.json({ session: req.session?.userId ?? null, apiKey: req.apiKey?.userId ?? null });
    app.get('/who', who);
    app.post('/who', who);
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
  },
  async fastify(manager: SessionManager, apiKeys: ApiKeys) {
    const app = Fastify();
    await app.register(seshatFastify, { manager, apiKeys });
    const who = async (request: import('fastify').FastifyRequest) => ({ session: request.session?.userId ?? null, apiKey: request.apiKey?.userId ?? null });
    app.get('/who', who);
    app.post('/who', who);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, stop: () => app.close() };
  },
};

describe.each(Object.entries(starts))('%s adapter with API keys', (_name, start) => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  it('a Bearer key authenticates as its owner, ignores the cookie and needs no CSRF headers', async () => {
    const { store, manager, apiKeys, key, apiKey, token } = await setup();
    const app = await start(manager, apiKeys);
    cleanup.push(() => store.close(), () => app.stop());
    const who = async (method: string, headers: Record<string, string>) => (await (await fetch(app.url + '/who', { method, headers })).json()) as Who;

    expect(await who('GET', { authorization: `Bearer ${key}` })).toEqual({ session: null, apiKey: 'usr_script_owner' });
    expect(await who('POST', { authorization: `bearer ${key}` })).toEqual({ session: null, apiKey: 'usr_script_owner' });
    // With both, the key decides and the cookie is not consulted.
    expect(await who('GET', { authorization: `Bearer ${key}`, cookie: `session_token=${token}` })).toEqual({ session: null, apiKey: 'usr_script_owner' });
    // An invalid key is anonymous: no fallback to the cookie.
    expect(await who('GET', { authorization: 'Bearer sk_nope', cookie: `session_token=${token}` })).toEqual({ session: null, apiKey: null });
    // Cookie requests are unchanged, including the CSRF rule.
    expect(await who('GET', { cookie: `session_token=${token}` })).toEqual({ session: 'usr_cookie_user', apiKey: null });
    expect((await fetch(app.url + '/who', { method: 'POST', headers: { cookie: `session_token=${token}` } })).status).toBe(403);

    await apiKeys.revoke({ userId: 'usr_script_owner' }, apiKey.id);
    expect(await who('GET', { authorization: `Bearer ${key}` })).toEqual({ session: null, apiKey: null });
    expect((await apiKeys.list({ userId: 'usr_script_owner' }))).toEqual([]);
  });
});

describe('bearerCredentials', () => {
  it('reads only the Bearer scheme, bounded', () => {
    expect(bearerCredentials('Bearer abc')).toBe('abc');
    expect(bearerCredentials('bearer\tabc ')).toBe('abc');
    expect(bearerCredentials(['Bearer one', 'Bearer two'])).toBe('one');
    expect(bearerCredentials('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerCredentials('Bearer a b')).toBe('a b'); // not a key: anonymous, never the cookie
    expect(bearerCredentials('Bearer')).toBeUndefined();
    expect(bearerCredentials(undefined)).toBeUndefined();
    expect(bearerCredentials('Bearer ' + 'x'.repeat(100_000))).toHaveLength(512);
  });
});
