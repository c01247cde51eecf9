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

/**
 * The value of one cookie in a `Cookie` header (the first of that name), or undefined. A scan for the one
 * name instead of `parseCookie(header)[name]`: no object with every cookie of the site, no decoding of the
 * values nobody reads — the header of a busy site carries a dozen analytics cookies on every request. The
 * value is returned as sent (no percent-decoding, surrounding double quotes removed); session tokens are
 * base64url, which needs none.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at === -1) return undefined;
    from = at + name.length;
    if (header.charCodeAt(from) !== 61 /* = */) continue;
    // The name must start a pair: at the start of the header or after ";" and optional spaces or tabs.
    let before = at - 1;
    while (before >= 0 && (header.charCodeAt(before) === 32 || header.charCodeAt(before) === 9)) before--;
    if (before !== -1 && header.charCodeAt(before) !== 59 /* ; */) continue;
    const end = header.indexOf(';', from + 1);
    let value = header.slice(from + 1, end === -1 ? header.length : end).trim();
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
    return value;
  }
}
