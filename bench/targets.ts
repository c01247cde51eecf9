/**
 * One benchmark target process: a bare framework app with a few routes, each adding one thing to compare
 * against that framework's bare route in the same process (same heap, same JIT, same headers):
 *
 *   BENCH_FRAMEWORK=http     GET /bare · /validate (cookie → manager.validate) · /reference (bench/reference.ts)
 *   BENCH_FRAMEWORK=express  GET /bare · /seshat (seshatExpress middleware) · /express-session (MemoryStore)
 *   BENCH_FRAMEWORK=fastify  GET /bare · /seshat (seshatFastify plugin, encapsulated to that route)
 *                            · /seshat-bound (the same with `deviceBinding`: bound sessions need a valid bound cookie)
 *   BENCH_FRAMEWORK=hono     GET /bare · /seshat (seshatHono middleware) — on @hono/node-server
 *
 * DATABASE_URL names the store (BENCH_REDIS_URL: sessions in Redis), BENCH_CACHE_TTL_MS the validation cache's TTL (0: off), BENCH_REFERENCE_DB (SQLite
 * file) enables /reference, BENCH_EXPRESS_SESSIONS=n enables /express-session with n sessions, BENCH_DEVICE_BINDING=1
 * enables /seshat-bound (the runner binds the sessions first: bench/bind.ts). The runner
 * talks to it over IPC: `{ ready, port, routes, expressSessionCookies? }` once listening; `'cpu'` → the waiting activity
 * written, then `{ cpu: process.cpuUsage(), validations }`; `{ warm: tokens }` validates each once → `{ warmed }`.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cookieValue, DeviceBinding, openStore, SessionManager, type Store } from 'seshat';
import { referenceValidator, type ReferenceSession } from './reference.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** What the reference found (the /reference route of the Hono target), set as the adapter sets `session`. */
    referenceSession: ReferenceSession | null;
  }
}

const framework = process.env.BENCH_FRAMEWORK ?? 'http';
// BENCH_REDIS_URL: the Redis session tier (sessions there under BENCH_REDIS_PREFIX, the rest in DATABASE_URL).
const redis = process.env.BENCH_REDIS_URL ? { redis: { url: process.env.BENCH_REDIS_URL, prefix: process.env.BENCH_REDIS_PREFIX ?? 'seshat:' } } : {};
const store: Store = await openStore(process.env.DATABASE_URL!, redis);
await store.migrate();
const channel = store.createInvalidationChannel?.({ onError: (e) => console.error('channel', e) });
const ttlMs = process.env.BENCH_CACHE_TTL_MS === undefined ? undefined : Number(process.env.BENCH_CACHE_TTL_MS);
// A TTL of 0: no validation cache, every request reads the store (`npm run bench -- --no-cache`).
const manager = new SessionManager({ store, cache: ttlMs === 0 ? false : { ...(ttlMs !== undefined ? { ttlMs } : {}), max: 20_000 }, ...(channel ? { channel } : {}) });
manager.events.on('error', (e) => console.error('seshat', e));
await manager.start();

const routes: string[] = ['/bare'];
// The hand-written reference (bench/reference.ts), on a SQLite file of the same sessions.
const reference = process.env.BENCH_REFERENCE_DB ? referenceValidator(process.env.BENCH_REFERENCE_DB) : null;
let port: number;
let expressSessionCookies: string[] | undefined;
const OK = 'ok';

if (framework === 'http') {
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createHttpServer((req: IncomingMessage, res) => {
    const url = req.url!;
    if (url === '/bare') return send(res, 200, OK);
    if (url === '/validate') {
      manager.validate(cookieValue(req.headers.cookie, 'session_token'), { path: url }).then(
        (session) => (session ? send(res, 200, session.userId) : send(res, 401, 'no')),
        () => send(res, 500, 'error'),
      );
      return;
    }
    if (url === '/reference' && reference) {
      const session = reference(req);
      return session ? send(res, 200, session.userId) : send(res, 401, 'no');
    }
    send(res, 404, 'not found');
  });
  routes.push('/validate');
  if (reference) routes.push('/reference');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
} else if (framework === 'express') {
  const { default: express } = await import('express');
  const { seshatExpress } = await import('seshat/express');
  const app = express();
  const seshat = seshatExpress({ manager });
  app.get('/bare', (_req, res) => void res.send(OK));
  app.get('/seshat', seshat.middleware, (req, res) => void (req.session ? res.send(req.session.userId) : res.status(401).send('no')));
  routes.push('/seshat');
  if (reference) {
    // Shaped like the adapter: a middleware that sets what it found on the request, then the route.
    type WithReference = { referenceSession: ReferenceSession | null };
    app.get('/reference', (req, _res, next) => void (((req as unknown as WithReference).referenceSession = reference(req)), next()), (req, res) => {
      const session = (req as unknown as WithReference).referenceSession;
      return void (session ? res.send(session.userId) : res.status(401).send('no'));
    });
    routes.push('/reference');
  }
  const n = Number(process.env.BENCH_EXPRESS_SESSIONS ?? 0);
  if (n > 0) {
    const { default: session } = await import('express-session');
    const { sign } = (await import('cookie-signature' as string)) as { sign(value: string, secret: string): string };
    const secret = 'bench-secret-bench-secret-bench-secret';
    const memory = new session.MemoryStore();
    expressSessionCookies = [];
    for (let i = 0; i < n; i++) {
      const sid = `es_bench_${i}_${Math.random().toString(36).slice(2)}`;
      const data = { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, userId: `usr_bench_${i}` };
      memory.set(sid, data as never);
      expressSessionCookies.push(`connect.sid=${encodeURIComponent(`s:${sign(sid, secret)}`)}`);
    }
    // Typical settings: no re-save of unchanged sessions, no session for anonymous requests.
    const mw = session({ secret, store: memory, resave: false, saveUninitialized: false });
    app.get('/express-session', mw, (req, res) => {
      const userId = (req as unknown as { session: { userId?: string } }).session.userId;
      return void (userId ? res.send(userId) : res.status(401).send('no'));
    });
    routes.push('/express-session');
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
} else if (framework === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const { seshatFastify } = await import('seshat/fastify');
  const app = Fastify({ logger: false });
  app.get('/bare', async () => OK);
  await app.register(async (scoped) => {
    await scoped.register(seshatFastify, { manager });
    scoped.get('/seshat', async (request, reply) => (request.session ? request.session.userId : reply.code(401).send('no')));
  });
  routes.push('/seshat');
  if (reference) {
    // Shaped like the adapter: an onRequest hook in its own scope that decorates the request, then the route.
    await app.register(async (scoped) => {
      scoped.decorateRequest('referenceSession', null);
      scoped.addHook('onRequest', (request, _reply, done) => {
        (request as unknown as { referenceSession: ReferenceSession | null }).referenceSession = reference(request.raw);
        done();
      });
      scoped.get('/reference', async (request, reply) => {
        const session = (request as unknown as { referenceSession: ReferenceSession | null }).referenceSession;
        return session ? session.userId : reply.code(401).send('no');
      });
    });
    routes.push('/reference');
  }
  if (process.env.BENCH_DEVICE_BINDING) {
    // Enforcement on: a bound session passes only with an unexpired bound cookie signed for it (an HMAC per new
    // cookie value, memoised per value), on the same cached sessions as /seshat.
    const deviceBinding = await new DeviceBinding({ manager, store }).start();
    await app.register(async (scoped) => {
      await scoped.register(seshatFastify, { manager, deviceBinding });
      scoped.get('/seshat-bound', async (request, reply) => (request.session ? request.session.userId : reply.code(401).send('no')));
    });
    routes.push('/seshat-bound');
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
} else if (framework === 'hono') {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const { seshatHono } = await import('seshat/hono');
  const app = new Hono();
  const seshat = seshatHono({ manager });
  app.get('/bare', (c) => c.text(OK));
  app.get('/seshat', seshat.middleware, (c) => {
    const session = c.get('session');
    return session ? c.text(session.userId) : c.text('no', 401);
  });
  routes.push('/seshat');
  if (reference) {
    // Shaped like the adapter: a middleware that sets what it found on the context, then the route.
    app.get('/reference', (c, next) => {
      c.set('referenceSession', reference((c.env as { incoming: IncomingMessage }).incoming)); // @hono/node-server's binding
      return next();
    }, (c) => {
      const session = c.get('referenceSession');
      return session ? c.text(session.userId) : c.text('no', 401);
    });
    routes.push('/reference');
  }
  port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    void server;
  });
} else throw new Error(`unknown BENCH_FRAMEWORK ${framework}`);

process.on('message', (message) => {
  // The steady state of a busy site: every session validated (so cached) once before the measured runs.
  if (typeof message === 'object' && message !== null && 'warm' in message) {
    const tokens = (message as { warm: string[] }).warm;
    void (async () => {
      // A few at a time: a burst of 10,000 reads would queue past the pool's connection timeout.
      for (let i = 0; i < tokens.length; i += 50) await Promise.all(tokens.slice(i, i + 50).map((t) => manager.validate(t, { path: '/warm' })));
      process.send!({ warmed: tokens.length });
    })();
  }
  // The activity a run caused is written before its CPU is read: each run pays for its own touches, never for the
  // batch the previous run (another route, or the other load) left waiting.
  if (message === 'cpu') void manager.flushActivity().then(() => process.send!({ cpu: process.cpuUsage(), validations: { ...manager.metrics.validations } }));
  if (message === 'stop') {
    void manager.stop().then(() => store.close()).finally(() => process.exit(0));
  }
});
process.send!({ ready: true, port, routes, expressSessionCookies });
