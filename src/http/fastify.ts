import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyRecord, ApiKeys } from '../core/api-keys.ts';
import type { CreatedSession, SessionManager } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { bearerCredentials } from './bearer.ts';
import { pathOnly, resolveCookie, type SessionCookieOptions } from './cookie.ts';
import { isCsrfSafe, originSet } from './csrf.ts';
import { problem, sendProblem } from './problem.ts';

export interface SeshatFastifyOptions {
  manager: SessionManager;
  cookie?: SessionCookieOptions;
  /** Origins allowed to send cookie-authenticated POST/PUT/PATCH/DELETE besides same-origin pages. */
  trustedOrigins?: string[];
  /** Accept `Authorization: Bearer <API key>`; such a request is authenticated by the key alone. */
  apiKeys?: ApiKeys;
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
    const { manager } = options;
    const cookie = resolveCookie(options.cookie);
    const trusted = originSet(options.trustedOrigins ?? []);
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
      const bearer = options.apiKeys ? bearerCredentials(request.headers.authorization) : undefined;
      if (bearer !== undefined) {
        // Authenticated by the key alone, cookie ignored: nothing ambient for CSRF to ride on (see bearer.ts).
        request.apiKey = await options.apiKeys!.authenticate(bearer);
        return;
      }
      const token = request.cookies[cookie.name];
      if (token === undefined) return;
      const safe = isCsrfSafe({
        method: request.method,
        secFetchSite: header(request, 'sec-fetch-site'),
        origin: header(request, 'origin'),
        trustedOrigins: trusted,
      });
      if (!safe) return sendProblem(reply, problem('forbidden', 'Cross-site request refused (CSRF protection).'));
      request.session = await manager.validate(token, { path: pathOnly(request.url) });
    });
  },
  { name: 'seshat', fastify: '5.x' },
);

/** A request header's (first) value. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
