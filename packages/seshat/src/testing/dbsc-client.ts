import { webcrypto } from 'node:crypto';
import { parseSetCookie } from 'cookie';
import { SignJWT, exportJWK } from 'jose';
import { parseList, serializeItem, Token } from 'structured-headers';

/** What a registration offer (`Secure-Session-Registration`) said. */
export interface DbscOffer {
  algorithms: string[];
  path: string;
  challenge: string;
  authorization?: string;
}

/** The parts of the session instructions a client keeps. */
export interface DbscSession {
  id: string;
  refreshUrl: string;
  cookieNames: string[];
}

/**
 * A DBSC client written against the W3C draft (dbsc-1), for tests: a "device" with its own WebCrypto key pair
 * (ES256 or RS256, signing real JWTs with `jose`) and its own cookie jar. It parses the registration offer and the
 * challenges as RFC 9651 structured fields, registers (proof with the public JWK in the header, `jti` = the
 * challenge), and refreshes the way a browser does: without a cached challenge it POSTs, takes the 403's
 * `Secure-Session-Challenge` and retries once with a proof signed by its key (no `jwk` in the header).
 *
 * Like the browser's network layer, it sends the registration and refresh requests without `Origin` or
 * `Sec-Fetch-Site`; its ordinary requests carry `Sec-Fetch-Site: same-origin`.
 */
export class DbscClient {
  /** The site's origin (change it with `useNode` to reach another node behind the same name). */
  baseUrl: string;
  readonly alg: 'ES256' | 'RS256';
  /** Cookie name → value; `Set-Cookie` answers update it (Max-Age=0 or a past Expires removes). */
  readonly jar = new Map<string, string>();
  offer: DbscOffer | null = null;
  session: DbscSession | null = null;
  #keys: CryptoKeyPair;
  #challenges = new Map<string, string>();

  private constructor(baseUrl: string, alg: 'ES256' | 'RS256', keys: CryptoKeyPair) {
    this.baseUrl = baseUrl;
    this.alg = alg;
    this.#keys = keys;
  }

  /** A new device with a fresh key pair (non-extractable private key, as a browser's would be). */
  static async create(baseUrl: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<DbscClient> {
    const params = alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
    return new DbscClient(baseUrl, alg, keys);
  }

  /**
   * Another device that copied this one's cookies and DBSC session state (what an infostealer takes) but not its
   * private key, which stays in this device's hardware: it has a key of its own.
   */
  async stolenBy(alg: 'ES256' | 'RS256' = this.alg): Promise<DbscClient> {
    const thief = await DbscClient.create(this.baseUrl, alg);
    for (const [name, value] of this.jar) thief.jar.set(name, value);
    thief.session = this.session && { ...this.session };
    return thief;
  }

  /** Sends the following requests to another node of the same deployment, as a load balancer would. */
  useNode(baseUrl: string): this {
    this.baseUrl = baseUrl;
    return this;
  }

  /** The `Cookie` header this device sends. */
  cookieHeader(): string | undefined {
    return this.jar.size === 0 ? undefined : [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** An ordinary same-origin request with the jar's cookies; remembers Set-Cookie, offers and challenges. */
  async fetch(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    return this.#send(method, path, {
      'sec-fetch-site': 'same-origin',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    }, options.body === undefined ? undefined : JSON.stringify(options.body));
  }

  /** Registers with the last offer: a proof over its challenge, signed by this device's key, carrying the public JWK. */
  async register(): Promise<Response> {
    if (!this.offer) throw new Error('No Secure-Session-Registration offer was received.');
    const proof = await this.proof(this.offer.challenge, { jwk: true, aud: new URL(this.offer.path, this.baseUrl).href });
    const response = await this.#send('POST', this.offer.path, { 'secure-session-response': sfString(proof) });
    if (response.ok) this.#keepInstructions(await response.clone().json());
    return response;
  }

  /**
   * Refreshes as a browser does. Returns the final response: 200 with instructions and a new bound cookie, or
   * whatever refusal ended it.
   */
  async refresh(): Promise<Response> {
    if (!this.session) throw new Error('No DBSC session to refresh.');
    const { id, refreshUrl } = this.session;
    const attempt = async () => {
      const challenge = this.#challenges.get(id);
      const headers: Record<string, string> = { 'sec-secure-session-id': sfString(id) };
      if (challenge !== undefined) headers['secure-session-response'] = sfString(await this.proof(challenge, { aud: new URL(refreshUrl, this.baseUrl).href }));
      return this.#send('POST', refreshUrl, headers);
    };
    let response = await attempt();
    // Spec "Send request": a 403 restarts once with the challenge the response cached.
    if (response.status === 403 && this.#challenges.has(id)) response = await attempt();
    if (response.ok) this.#keepInstructions(await response.clone().json());
    return response;
  }

  /** A DBSC proof: header typ dbsc+jwt and alg (and the public JWK when `jwk`), payload jti = the challenge. */
  async proof(challenge: string, options: { jwk?: boolean; aud?: string } = {}): Promise<string> {
    const jwk = options.jwk ? await exportJWK(this.#keys.publicKey) : undefined;
    const jwt = new SignJWT({ jti: challenge, ...(options.aud ? { aud: options.aud } : {}) })
      .setProtectedHeader({ alg: this.alg, typ: 'dbsc+jwt', ...(jwk ? { jwk } : {}) })
      .setIssuedAt();
    return jwt.sign(this.#keys.privateKey);
  }

  async #send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    const cookie = this.cookieHeader();
    const response = await fetch(new URL(path, this.baseUrl), { method, headers: { ...headers, ...(cookie ? { cookie } : {}) }, body: body ?? null });
    for (const line of response.headers.getSetCookie()) {
      const set = parseSetCookie(line);
      const expired = set.maxAge !== undefined ? set.maxAge <= 0 : set.expires !== undefined && set.expires.getTime() <= Date.now();
      if (expired || !set.value) this.jar.delete(set.name);
      else this.jar.set(set.name, set.value);
    }
    const offer = response.headers.get('secure-session-registration');
    if (offer !== null) this.offer = parseOffer(offer);
    const challenges = response.headers.get('secure-session-challenge');
    if (challenges !== null) {
      for (const member of parseList(challenges)) {
        const [value, params] = member;
        const sessionId = params.get('id');
        if (typeof value === 'string' && typeof sessionId === 'string') this.#challenges.set(sessionId, value);
      }
    }
    return response;
  }

  #keepInstructions(body: { session_identifier?: string; refresh_url?: string; continue?: boolean; credentials?: { name: string }[] }): void {
    if (body.continue === false || typeof body.session_identifier !== 'string') {
      this.session = null;
      return;
    }
    this.session = {
      id: body.session_identifier,
      refreshUrl: body.refresh_url ?? this.session?.refreshUrl ?? this.offer!.path,
      cookieNames: (body.credentials ?? []).map((c) => c.name),
    };
  }
}

/** Parses `Secure-Session-Registration` per the spec: an inner list of algorithm tokens with path and challenge. */
export function parseOffer(value: string): DbscOffer {
  const [first] = parseList(value);
  if (!first || !Array.isArray(first[0])) throw new Error(`Not a registration offer: ${value}`);
  const [items, params] = first;
  const algorithms = items.map(([item]) => (item instanceof Token ? item.toString() : String(item)));
  const path = params.get('path');
  const challenge = params.get('challenge');
  const authorization = params.get('authorization');
  if (typeof path !== 'string' || typeof challenge !== 'string') throw new Error(`The offer lacks path or challenge: ${value}`);
  return { algorithms, path, challenge, ...(typeof authorization === 'string' ? { authorization } : {}) };
}

const sfString = (value: string) => serializeItem(value);
