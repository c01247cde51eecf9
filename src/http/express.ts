import { parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyRecord, ApiKeys } from '../core/api-keys.ts';
import type { CreatedSession, SessionManager } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { bearerCredentials } from './bearer.ts';
import { pathOnly, resolveCookie, type SessionCookieOptions } from './cookie.ts';
import { isCsrfSafe, originSet } from './csrf.ts';
import { problem } from './problem.ts';

export interface SeshatExpressOptions {
  manager: SessionManager;
  cookie?: SessionCookieOptions;
  /** Origins allowed to send cookie-authenticated POST/PUT/PATCH/DELETE besides same-origin pages. */
  trustedOrigins?: string[];
  /** Accept `Authorization: Bearer <API key>`; such a request is authenticated by the key alone. */
  apiKeys?: ApiKeys;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated session, or null for an anonymous request. */
      session: SessionRecord | null;
      /** The API key a `Bearer` request presented, if valid (then `session` is always null). */
      apiKey: ApiKeyRecord | null;
    }
  }
}

export interface SeshatExpress {
  /** Validates the session cookie and sets `req.session`; refuses cross-site unsafe requests with 403. */
  middleware: RequestHandler;
  /** Sets the cookie of a session just created (a login). */
  startSession(res: Response, created: CreatedSession): void;
  /** Clears the session cookie (a logout). */
  endSession(res: Response): void;
}

export function seshatExpress(options: SeshatExpressOptions): SeshatExpress {
  const { manager } = options;
  const cookie = resolveCookie(options.cookie);
  const trusted = originSet(options.trustedOrigins ?? []);

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    req.session = null;
    req.apiKey = null;
    const bearer = options.apiKeys ? bearerCredentials(req.headers.authorization) : undefined;
    if (bearer !== undefined) {
      // Authenticated by the key alone, cookie ignored: nothing ambient for CSRF to ride on (see bearer.ts).
      options.apiKeys!.authenticate(bearer).then((key) => {
        req.apiKey = key;
        next();
      }, next);
      return;
    }
    const header = req.headers.cookie;
    const token = header ? parseCookie(header)[cookie.name] : undefined;
    if (token === undefined) return next();
    const safe = isCsrfSafe({
      method: req.method,
      secFetchSite: req.get('sec-fetch-site'),
      origin: req.get('origin'),
      trustedOrigins: trusted,
    });
    if (!safe) {
      res.status(403).type('application/problem+json').json(problem('forbidden', 'Cross-site request refused (CSRF protection).'));
      return;
    }
    manager.validate(token, { path: pathOnly(req.originalUrl) }).then((session) => {
      req.session = session;
      next();
    }, next);
  };

  return {
    middleware,
    startSession(res, created) {
      res.cookie(cookie.name, created.token, {
        ...cookie.attributes,
        // Express takes milliseconds here.
        ...(created.cookieMaxAge !== undefined ? { maxAge: created.cookieMaxAge * 1000 } : {}),
      });
    },
    endSession(res) {
      res.clearCookie(cookie.name, cookie.attributes);
    },
  };
}
