import type { Request, Response } from 'express';
import Fastify, { type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { authenticationRule, type RequestCredentials } from 'seshat';
import { seshatExpress } from 'seshat/express';
import { seshatFastify } from 'seshat/fastify';
import { seshatHono } from 'seshat/hono';
import { managerForTest, signIn } from '../helpers/manager.ts';

/**
 * The hot path's shape, not its speed (issue #11, goal 1): on a cache hit every adapter continues the request
 * before its own call returns — no promise, no microtask between the cookie and the route. Each case also shows
 * a miss continuing only later, so the check tells the two paths apart. A regression to `async` middleware or
 * `authenticate(...).then(...)` fails here, whatever the machine's speed.
 */
async function cachedSession() {
  const { manager } = await managerForTest();
  const cached = await manager.createSession(signIn('u1'));
  await manager.validate(cached.token); // now in the validation cache
  const uncached = await manager.createSession(signIn('u2'));
  return { manager, cached: cached.token, uncached: uncached.token };
}

/** Lets pending promise callbacks (and a store read on :memory:) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('a cache hit continues synchronously (no promise per request)', () => {
  it('authenticationRule answers a hit with a value, a miss with a promise', async () => {
    const { manager, cached, uncached } = await cachedSession();
    const rule = authenticationRule({ manager });
    const request = (token: string): RequestCredentials => ({ method: 'GET', cookie: token, authorization: undefined, secFetchSite: undefined, origin: undefined, path: '/x' });
    const hit = rule(request(cached));
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toMatchObject({ kind: 'session', session: { userId: 'u1' } });
    const miss = rule(request(uncached));
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toMatchObject({ kind: 'session', session: { userId: 'u2' } });
  });

  it('Express: next() has run when the middleware returns', async () => {
    const { manager, cached, uncached } = await cachedSession();
    const { middleware } = seshatExpress({ manager });
    const request = (token: string) =>
      ({ method: 'GET', headers: { cookie: `other=1; session_token=${token}` }, originalUrl: '/x?q=1', socket: { remoteAddress: '203.0.113.9' }, app: { get: () => false }, get: () => undefined }) as unknown as Request;
    let continued = 0;
    const hit = request(cached);
    middleware(hit, {} as Response, () => continued++);
    expect(continued).toBe(1);
    expect(hit.session?.userId).toBe('u1');
    expect(hit.session?.lastPath).toBe('/x');

    const miss = request(uncached);
    middleware(miss, {} as Response, () => continued++);
    expect(continued).toBe(1); // the store read is still to come
    await settle();
    expect(continued).toBe(2);
    expect(miss.session?.userId).toBe('u2');
  });

  it('Hono: the middleware returns the next handler’s own promise, after it ran', async () => {
    const { manager, cached, uncached } = await cachedSession();
    const { middleware } = seshatHono({ manager });
    const context = (token: string) => new Context(new Request('http://localhost/x', { headers: { cookie: `session_token=${token}` } }));
    let continued = 0;
    const downstream = Promise.resolve();
    const next = () => (continued++, downstream);
    const hit = context(cached);
    const returned = middleware(hit, next);
    expect(continued).toBe(1);
    expect(returned).toBe(downstream); // not wrapped in a promise of the middleware's own
    expect(hit.get('session')?.userId).toBe('u1');

    const miss = context(uncached);
    const later = middleware(miss, next);
    expect(continued).toBe(1);
    await later;
    expect(continued).toBe(2);
    expect(miss.get('session')?.userId).toBe('u2');
  });

  it('Fastify: the onRequest hook calls done() before it returns', async () => {
    const { manager, cached, uncached } = await cachedSession();
    const app = Fastify();
    let hook: onRequestHookHandler | undefined;
    // The plugin skips encapsulation, so it adds its hook on this instance: keep a handle on it.
    const addHook = app.addHook.bind(app) as (name: string, fn: unknown) => unknown;
    (app as unknown as { addHook: typeof addHook }).addHook = (name, fn) => {
      if (name === 'onRequest') hook = fn as onRequestHookHandler;
      return addHook(name, fn);
    };
    await app.register(seshatFastify, { manager });
    expect(hook).toBeDefined();
    const request = (token: string) => ({ url: '/x', method: 'GET', headers: { cookie: `session_token=${token}` }, ip: '203.0.113.9', session: null }) as unknown as FastifyRequest;
    let continued = 0;
    const done = () => void continued++;
    const hit = request(cached);
    const returned = hook!.call(app, hit, {} as FastifyReply, done);
    expect(continued).toBe(1);
    expect(returned).toBeUndefined();
    expect(hit.session?.userId).toBe('u1');

    const miss = request(uncached);
    hook!.call(app, miss, {} as FastifyReply, done);
    expect(continued).toBe(1);
    await settle();
    expect(continued).toBe(2);
    expect(miss.session?.userId).toBe('u2');
    await app.close();
  });
});
