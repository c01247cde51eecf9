/**
 * The credentials of an `Authorization: Bearer …` header; undefined for no header or another scheme.
 * Only a bounded slice is kept, so an absurd header costs nothing.
 *
 * Why a Bearer request skips the CSRF check: it is authenticated by its key alone and the session cookie is
 * ignored, so there is no ambient credential a cross-site page could ride on; and a page cannot set
 * `Authorization` on a cross-origin request without a CORS preflight. An invalid key makes the request
 * anonymous, never a fallback to the cookie.
 */
export function bearerCredentials(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (value === undefined) return undefined;
  const scheme = /^Bearer[ \t]+/i.exec(value);
  if (!scheme) return undefined;
  // Whatever follows is the credential, malformed or not: the key parser rejects it and the request is anonymous.
  return value.slice(scheme[0].length, scheme[0].length + 512).trim();
}
