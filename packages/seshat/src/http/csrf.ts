/**
 * CSRF rule for cookie-authenticated requests. SameSite=Lax already keeps the cookie off most cross-site
 * POSTs; this closes the rest (same-site sibling domains, old browsers): an unsafe method is accepted only
 * if the browser says the request is same-origin or user-initiated (`Sec-Fetch-Site: same-origin | none`),
 * or its `Origin` is the request's own origin or one we trust. With neither header we cannot tell, so we
 * refuse: non-browser clients use `Authorization: Bearer` API keys, which CSRF cannot forge.
 *
 * Each rule returns why it refuses (a sentence that names what to send), or null to accept: a 403 that
 * says nothing sends people guessing, and the sentence is the whole fix for curl, supertest and scripts.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** GET, HEAD and OPTIONS: methods the CSRF rule always lets through (they must not change anything). */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** What the CSRF rules read off a request. */
export interface CsrfInput {
  /** The HTTP method, upper case. */
  method: string;
  /** The `Sec-Fetch-Site` header, if sent. */
  secFetchSite: string | undefined;
  /** The `Origin` header, if sent. */
  origin: string | undefined;
  /** Origins (scheme://host[:port]) allowed besides the request's own. */
  trustedOrigins: ReadonlySet<string>;
  /**
   * The request's own origin, from its Host header and protocol as the framework reports them (behind a
   * proxy, only as far as the framework is told to trust it). An `Origin` equal to it is a same-origin page.
   * A function, so the origin is computed only for the few requests that need it.
   */
  ownOrigin?: () => string | undefined;
}

const isOwnOrigin = (origin: string, input: Pick<CsrfInput, 'ownOrigin'>) => input.ownOrigin?.() === origin;

const WHAT_TO_SEND =
  'Browsers send `Sec-Fetch-Site` and `Origin` themselves; other clients (curl, supertest, scripts) send `Sec-Fetch-Site: same-origin` or an `Origin` equal to this site or listed in trustedOrigins, or use an API key (`Authorization: Bearer`).';

/**
 * Why a cookie-authenticated request is refused as a possible cross-site forgery, or null if it is safe:
 * a safe method, `Sec-Fetch-Site: same-origin | none`, or an `Origin` that is this site or trusted.
 */
export function csrfRefusal(input: CsrfInput): string | null {
  const { method, secFetchSite, origin, trustedOrigins } = input;
  if (SAFE_METHODS.has(method)) return null;
  if (secFetchSite === 'same-origin' || secFetchSite === 'none') return null;
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site') {
    return `Cross-site request refused (CSRF protection): the browser marked it \`Sec-Fetch-Site: ${secFetchSite}\`.`;
  }
  if (origin === undefined) {
    return `A cookie-authenticated ${method} needs proof that it comes from this site (CSRF protection). ${WHAT_TO_SEND}`;
  }
  if (trustedOrigins.has(origin) || isOwnOrigin(origin, input)) return null;
  return `Cross-site request refused (CSRF protection): \`Origin: ${origin}\` is neither this site nor in trustedOrigins.`;
}

/** True when a request may use the session cookie (see `csrfRefusal` for the rule and the reasons). */
export function isCsrfSafe(input: CsrfInput): boolean {
  return csrfRefusal(input) === null;
}

/**
 * Login CSRF: a request that carries no session yet (sign-in) can still be forged, to sign the victim in
 * to the attacker's account and watch what they do there. Refuse what a browser marks as coming from
 * another site; unlike `csrfRefusal`, a request with neither header passes, because that is a client that is
 * not a browser (curl, a script), which no other site can drive. Returns why it refuses, or null.
 */
export function crossSiteRefusal(input: Omit<CsrfInput, 'method'>): string | null {
  const { secFetchSite, origin, trustedOrigins } = input;
  if (secFetchSite === 'same-origin' || secFetchSite === 'none') return null;
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site') {
    return `Cross-site sign-in refused (login CSRF protection): the browser marked it \`Sec-Fetch-Site: ${secFetchSite}\`. Sign in from a page of this site, or add that page's origin to trustedOrigins.`;
  }
  if (origin === undefined || trustedOrigins.has(origin) || isOwnOrigin(origin, input)) return null;
  return `Cross-site sign-in refused (login CSRF protection): \`Origin: ${origin}\` is neither this site nor in trustedOrigins.`;
}

/** True when a browser marks the request as coming from another site (see `crossSiteRefusal`). */
export function isCrossSite(input: Omit<CsrfInput, 'method'>): boolean {
  return crossSiteRefusal(input) !== null;
}

/** Normalises configured origins (`https://app.example.com/` → `https://app.example.com`). */
export function originSet(origins: readonly string[]): ReadonlySet<string> {
  return new Set(origins.map((o) => new URL(o).origin));
}

/**
 * The origin of a request from its protocol and Host header, as the adapters' frameworks report them;
 * undefined when the Host header is missing or not a host.
 */
export function originOf(protocol: string, host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    const url = new URL(`${protocol}://${host}`);
    return url.host === '' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}
