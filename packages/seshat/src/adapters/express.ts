import { parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyRecord } from '../core/api-key.ts';
import type { CreatedSession } from '../core/session-manager.ts';
import type { SessionRecord } from '../core/session.ts';
import { requestAuthenticator, type AuthenticatorOptions } from '../http/authenticate.ts';
import { pathOnly, resolveCookie, type SessionCookieOptions } from '../http/cookie.ts';

export interface SeshatExpressOptions extends AuthenticatorOptions {
  cookie?: SessionCookieOptions;
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

/** Express middleware: translates the request for `requestAuthenticator` and its answer back. */
export function seshatExpress(options: SeshatExpressOptions): SeshatExpress {
  const cookie = resolveCookie(options.cookie);
  const authenticate = requestAuthenticator(options);

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    req.session = null;
    req.apiKey = null;
    const header = req.headers.cookie;
    authenticate({
      method: req.method,
      cookie: header ? parseCookie(header)[cookie.name] : undefined,
      authorization: req.headers.authorization,
      secFetchSite: req.get('sec-fetch-site'),
      origin: req.get('origin'),
      path: pathOnly(req.originalUrl),
    }).then((auth) => {
      if (auth.kind === 'refused') {
        res.status(auth.problem.status).type('application/problem+json').json(auth.problem);
        return;
      }
      if (auth.kind === 'session') req.session = auth.session;
      else if (auth.kind === 'api-key') req.apiKey = auth.apiKey;
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
