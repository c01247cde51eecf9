import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { problemFromError, type ApiKeys, type DeviceBinding, type SessionManager } from 'seshat';
import { seshatExpress } from 'seshat/express';
import { seshatFastify } from 'seshat/fastify';
import { seshatHono } from 'seshat/hono';

/**
 * The same small app on each adapter, for the adapter contract (contract.test.ts):
 * - `POST /login {userId, remember}`: guarded by `requireSameSite()`, then `startSession`.
 * - `POST /login-unguarded`: no route guard, so `startSession`'s own check is the one that refuses.
 * - `GET|POST /who`: `{ session, apiKey }` as JSON (the whole session record, as an app might send it).
 * - `POST /logout`: signs out and clears the cookie.
 * Errors go through `problemFromError`, as the README recommends.
 */
export interface AdapterApp {
  url: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  manager: SessionManager;
  apiKeys?: ApiKeys;
  trustedOrigins?: string[];
  deviceBinding?: DeviceBinding;
}

type Body = { userId?: string; remember?: boolean };

export const adapterApps: Record<'express' | 'fastify' | 'hono', (options: AppOptions) => Promise<AdapterApp>> = {
  async express({ manager, apiKeys, trustedOrigins, deviceBinding }) {
    const seshat = seshatExpress({ manager, apiKeys, trustedOrigins, ...(deviceBinding ? { deviceBinding } : {}) });
    const app = express();
    app.use(express.json(), seshat.middleware);
    const login: express.RequestHandler = async (req, res) => {
      const { userId = 'usr_a', remember = false } = (req.body ?? {}) as Body;
      const created = await manager.createSession({ userId, remember, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, headers: req.headers });
      seshat.startSession(res, created);
      res.json({ sessionId: created.session.id });
    };
    app.post('/login', seshat.requireSameSite(), login);
    app.post('/login-unguarded', login);
    const who: express.RequestHandler = (req, res) => void res.json({ session: req.session, apiKey: req.apiKey });
    app.get('/who', who);
    app.post('/who', who);
    app.get('/me', seshat.requireSession(), (req, res) => void res.json({ sessionId: req.session!.id }));
    app.post('/danger', seshat.requireRecentAuth(600), (req, res) => void res.json({ sessionId: req.session!.id }));
    app.post('/logout', async (req, res) => {
      if (req.session) await manager.signOut(req.session);
      seshat.endSession(res);
      res.status(204).end();
    });
    app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      const problem = problemFromError(error);
      if (!problem) return next(error);
      res.status(problem.status).type('application/problem+json').json(problem);
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },

  async fastify({ manager, apiKeys, trustedOrigins, deviceBinding }) {
    const app = Fastify();
    await app.register(seshatFastify, { manager, apiKeys, trustedOrigins, ...(deviceBinding ? { deviceBinding } : {}) });
    app.setErrorHandler((error, _request, reply) => {
      const problem = problemFromError(error);
      if (!problem) throw error;
      return reply.code(problem.status).type('application/problem+json').send(problem);
    });
    const login = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const { userId = 'usr_a', remember = false } = (request.body ?? {}) as Body;
      const created = await manager.createSession({ userId, remember, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, headers: request.headers });
      reply.startSession(created);
      return { sessionId: created.session.id };
    };
    app.post('/login', { preHandler: app.requireSameSite() }, login);
    app.post('/login-unguarded', login);
    const who = async (request: import('fastify').FastifyRequest) => ({ session: request.session, apiKey: request.apiKey });
    app.get('/who', who);
    app.post('/who', who);
    app.get('/me', { preHandler: app.requireSession() }, async (request) => ({ sessionId: request.session!.id }));
    app.post('/danger', { preHandler: app.requireRecentAuth(() => 600) }, async (request) => ({ sessionId: request.session!.id }));
    app.post('/logout', async (request, reply) => {
      if (request.session) await manager.signOut(request.session);
      return reply.endSession().code(204).send();
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, stop: () => app.close() };
  },

  async hono({ manager, apiKeys, trustedOrigins, deviceBinding }) {
    const seshat = seshatHono({ manager, apiKeys, trustedOrigins, clientIp: (c) => getConnInfo(c).remote.address, ...(deviceBinding ? { deviceBinding } : {}) });
    const app = new Hono();
    app.use(seshat.middleware);
    app.onError((error, c) => {
      const problem = problemFromError(error);
      if (!problem) throw error;
      return c.body(JSON.stringify(problem), problem.status as 403, { 'content-type': 'application/problem+json' });
    });
    const login = async (c: import('hono').Context) => {
      const { userId = 'usr_a', remember = false } = (await c.req.json().catch(() => ({}))) as Body;
      const created = await manager.createSession({ userId, remember, ip: null, userAgent: c.req.header('user-agent') ?? null, headers: c.req.header() });
      seshat.startSession(c, created);
      return c.json({ sessionId: created.session.id });
    };
    app.post('/login', seshat.requireSameSite(), login);
    app.post('/login-unguarded', login);
    const who = (c: import('hono').Context) => c.json({ session: c.var.session, apiKey: c.var.apiKey });
    app.get('/who', who);
    app.post('/who', who);
    app.get('/me', seshat.requireSession(), (c) => c.json({ sessionId: c.var.session!.id }));
    app.post('/danger', seshat.requireRecentAuth(600), (c) => c.json({ sessionId: c.var.session!.id }));
    app.post('/logout', async (c) => {
      const session = c.get('session');
      if (session) await manager.signOut(session);
      seshat.endSession(c);
      return c.body(null, 204);
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
    };
  },
};
