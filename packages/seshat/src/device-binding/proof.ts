import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK } from 'jose';
import type { DeviceKey } from '../core/session.ts';

/**
 * The DBSC proof (spec "DBSC Proof JWT Syntax"): a JWT with header `typ: dbsc+jwt`, `alg` ES256 or RS256, and
 * payload `jti` = the server's challenge. At registration the header carries the new public key (`jwk`) and the
 * JWT is signed with it; at refresh there is no `jwk` and the JWT must verify with the key stored at registration.
 * All JOSE work is `jose`'s; nothing here parses a signature by hand.
 */
export const PROOF_ALGORITHMS = ['ES256', 'RS256'] as const;
const ALGORITHMS: string[] = [...PROOF_ALGORITHMS];

/** What a proof check concluded. `wrongKey`: well-formed, but not signed by the session's registered key. */
export type ProofCheck =
  | { ok: true; challenge: string; key: DeviceKey }
  | { ok: false; wrongKey: boolean; detail: string };

const refused = (detail: string, wrongKey = false): ProofCheck => ({ ok: false, wrongKey, detail });

/** Only the public members a signature check needs: the stored key can never carry anything else. */
function publicMembers(jwk: JWK): Record<string, unknown> {
  return jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'RSA', n: jwk.n, e: jwk.e };
}

/**
 * When the proof has an `aud` claim (browsers have sent the endpoint URL there), its path must be this endpoint's:
 * a proof made for another endpoint or site is refused. Only the path is compared, so a proxy that rewrites the
 * host or scheme does not break it.
 */
function audienceMatches(aud: unknown, path: string): boolean {
  if (aud === undefined) return true;
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((value) => {
    if (typeof value !== 'string') return false;
    try {
      return new URL(value, 'https://audience.invalid').pathname === path;
    } catch {
      return false;
    }
  });
}

/** Checks a registration proof: signed with the public key it embeds, for this endpoint. */
export async function checkRegistrationProof(jwt: string, endpointPath: string): Promise<ProofCheck> {
  try {
    const { payload, protectedHeader } = await jwtVerify(jwt, EmbeddedJWK, { typ: 'dbsc+jwt', algorithms: ALGORITHMS });
    if (typeof payload.jti !== 'string' || payload.jti === '') return refused('The proof has no jti (the challenge).');
    if (!audienceMatches(payload.aud, endpointPath)) return refused('The proof was made for another endpoint (aud).');
    const alg = protectedHeader.alg as DeviceKey['alg'];
    return { ok: true, challenge: payload.jti, key: { alg, jwk: publicMembers(protectedHeader.jwk as JWK) } };
  } catch (error) {
    return refused(`The registration proof is not valid: ${describe(error)}`);
  }
}

/**
 * Checks a refresh proof against the session's registered key. A proof that is a well-formed DBSC JWT but is not
 * signed by that key (another key, another algorithm, or a header key that differs) is `wrongKey`: whoever sent
 * it holds the session's cookies but not its device key.
 */
export async function checkRefreshProof(jwt: string, key: DeviceKey, endpointPath: string): Promise<ProofCheck> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch (error) {
    return refused(`The refresh proof is not a JWT: ${describe(error)}`);
  }
  if (header.typ !== 'dbsc+jwt') return refused('The refresh proof is not a DBSC proof (typ must be dbsc+jwt).');
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) return refused('The refresh proof uses an algorithm DBSC does not allow.');
  // The spec leaves `jwk` out of refresh proofs; a client that sends one anyway must send the registered key.
  if (header.jwk !== undefined && !(await sameKey(header.jwk as JWK, key))) return refused('The refresh proof carries another key.', true);
  if (header.alg !== key.alg) return refused(`The refresh proof is signed with ${header.alg}; the session registered ${key.alg}.`, true);
  try {
    const publicKey = await importJWK(key.jwk as JWK, key.alg);
    const { payload } = await jwtVerify(jwt, publicKey, { typ: 'dbsc+jwt', algorithms: [key.alg] });
    if (typeof payload.jti !== 'string' || payload.jti === '') return refused('The proof has no jti (the challenge).');
    if (!audienceMatches(payload.aud, endpointPath)) return refused('The proof was made for another endpoint (aud).');
    return { ok: true, challenge: payload.jti, key };
  } catch (error) {
    return refused(`The refresh proof is not valid: ${describe(error)}`, error instanceof errors.JWSSignatureVerificationFailed);
  }
}

/** RFC 7638 thumbprint of a key: a short, stable name for it in the audit trail. */
export function keyThumbprint(key: DeviceKey): Promise<string> {
  return calculateJwkThumbprint(key.jwk as JWK, 'sha256');
}

async function sameKey(jwk: JWK, key: DeviceKey): Promise<boolean> {
  try {
    return (await calculateJwkThumbprint(jwk, 'sha256')) === (await keyThumbprint(key));
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof errors.JOSEError ? error.message : 'malformed';
}
