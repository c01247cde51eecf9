/** Session cookie rules (DESIGN.md): HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS, Max-Age only for remember-me. */
export interface SessionCookieOptions {
  /** Base name (default `session_token`). */
  name?: string;
  /** Served over HTTPS: adds Secure and the `__Host-` prefix (which pins the cookie to this host and path /). */
  secure?: boolean;
}

/** The cookie's final name and attributes. */
export interface ResolvedCookie {
  name: string;
  attributes: { httpOnly: true; sameSite: 'lax'; path: '/'; secure: boolean };
}

/** Applies the cookie rules to the options: the `__Host-` prefix and `Secure` over HTTPS, HttpOnly, SameSite=Lax, Path=/. */
export function resolveCookie(options: SessionCookieOptions = {}): ResolvedCookie {
  const secure = options.secure ?? false;
  const base = options.name ?? 'session_token';
  return {
    name: secure && !base.startsWith('__Host-') ? `__Host-${base}` : base,
    attributes: { httpOnly: true, sameSite: 'lax', path: '/', secure },
  };
}

/** The path of a request URL without its query: query strings can carry secrets (reset links, signed URLs). */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
