import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { CreatedSession } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { requestAuthenticator, type AuthenticatorOptions } from '../http/authenticate.ts';
import { pathOnly, resolveCookie, type SessionCookieOptions } from '../http/cookie.ts';
import type { Problem } from '../http/problem.ts';

export interface SeshatFastifyOptions extends AuthenticatorOptions {
  cookie?: SessionCookieOptions;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated session, or null for an anonymous request. */
    session: SessionRecord | null;
    /** The API key a `Bearer` request presented, if valid (then `session` is always null). */
    apiKey: ApiKeyRecord | null;
  }
  interface FastifyReply {
    /** Sets the cookie of a session just created (a login). */
    startSession(created: CreatedSession): FastifyReply;
    /** Clears the session cookie (a logout). */
    endSession(): FastifyReply;
  }
}

/**
 * Validates the session cookie on every request and puts the session on `request.session`.
 * Cookie-authenticated unsafe requests from other origins are refused with 403 before anything runs.
 */
export const seshatFastify = fp<SeshatFastifyOptions>(
  async (app, options) => {
    const cookie = resolveCookie(options.cookie);
    const authenticate = requestAuthenticator(options);
    if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);

    app.decorateRequest('session', null);
    app.decorateRequest('apiKey', null);
    app.decorateReply('startSession', function (this: FastifyReply, created: CreatedSession) {
      return this.setCookie(cookie.name, created.token, {
        ...cookie.attributes,
        ...(created.cookieMaxAge !== undefined ? { maxAge: created.cookieMaxAge } : {}),
      });
    });
    app.decorateReply('endSession', function (this: FastifyReply) {
      return this.clearCookie(cookie.name, cookie.attributes);
    });

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = await authenticate({
        method: request.method,
        cookie: request.cookies[cookie.name],
        authorization: request.headers.authorization,
        secFetchSite: header(request, 'sec-fetch-site'),
        origin: header(request, 'origin'),
        path: pathOnly(request.url),
      });
      if (auth.kind === 'refused') return sendProblem(reply, auth.problem);
      if (auth.kind === 'session') request.session = auth.session;
      else if (auth.kind === 'api-key') request.apiKey = auth.apiKey;
    });
  },
  { name: 'seshat', fastify: '5.x' },
);

/** A request header's (first) value. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Sends a problem+json answer. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
