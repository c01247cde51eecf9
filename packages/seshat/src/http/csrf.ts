/**
 * CSRF rule for cookie-authenticated requests. SameSite=Lax already keeps the cookie off most cross-site
 * POSTs; this closes the rest (same-site sibling domains, old browsers): an unsafe method is accepted only
 * if the browser says the request is same-origin or user-initiated (`Sec-Fetch-Site: same-origin | none`),
 * or its `Origin` is one we trust. With neither header we cannot tell, so we refuse: non-browser clients
 * use `Authorization: Bearer` API keys, which CSRF cannot forge.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfInput {
  method: string;
  secFetchSite: string | undefined;
  origin: string | undefined;
  trustedOrigins: ReadonlySet<string>;
}

export function isCsrfSafe({ method, secFetchSite, origin, trustedOrigins }: CsrfInput): boolean {
  if (SAFE_METHODS.has(method)) return true;
  if (secFetchSite === 'same-origin' || secFetchSite === 'none') return true;
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site') return false;
  return origin !== undefined && trustedOrigins.has(origin);
}

/**
 * Login CSRF: a request that carries no session yet (sign-in) can still be forged, to sign the victim in
 * to the attacker's account and watch what they do there. Refuse what a browser marks as coming from
 * another site; unlike `isCsrfSafe`, a request with neither header passes, because that is a client that is
 * not a browser (curl, a script), which no other site can drive.
 */
export function isCrossSite({ secFetchSite, origin, trustedOrigins }: Omit<CsrfInput, 'method'>): boolean {
  if (secFetchSite === 'same-origin' || secFetchSite === 'none') return false;
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site') return true;
  return origin !== undefined && !trustedOrigins.has(origin);
}

export function originSet(origins: readonly string[]): ReadonlySet<string> {
  return new Set(origins.map((o) => new URL(o).origin));
}
