import { stringifySetCookie } from 'cookie';
import { DAY } from '../core/clock.ts';
import { LruTtlMap } from '../core/lru.ts';
import type { DeviceBindingStore } from '../core/ports.ts';
import type { SessionManager } from '../core/session-manager.ts';
import { isDeviceBound, type SessionRecord } from '../core/session.ts';
import { problem, type Problem } from '../http/problem.ts';
import { CHALLENGE_HEADER, challengeFor, readSfString, registrationOffer } from './headers.ts';
import { BindingKeyRing } from './key-ring.ts';
import { PROOF_ALGORITHMS, checkRefreshProof, checkRegistrationProof, keyThumbprint, type ProofCheck } from './proof.ts';
import { boundCookieHolds, challengeHolds, challengeSecretId, readBoundCookie, signBoundCookie, signChallenge } from './signed-values.ts';

/** Options of `DeviceBinding`. */
export interface DeviceBindingOptions {
  /** The session service whose sessions are bound. */
  manager: SessionManager;
  /** Where keys are bound and the signing secrets kept (the same store as the manager's). */
  store: DeviceBindingStore;
  /** Paths of the two endpoints the browser calls (defaults `/auth/device-binding/register` and `…/refresh`). */
  paths?: { register?: string; refresh?: string };
  /** The bound cookie: base name (default `session_bound`) and `Secure` (adds the `__Host-` prefix), like the session cookie. */
  cookie?: { name?: string; secure?: boolean };
  /** How long a challenge may be answered (default 5 minutes): the window in which a captured proof could be replayed. */
  challengeSeconds?: number;
  /** A new signing secret after this long (default one day). */
  rotateEveryMs?: number;
  /**
   * Paths the browser need not refresh for (static files, say): listed as `exclude` rules of the session's scope.
   * Requests to them are then sent without waiting for a refresh; they must not need the session.
   */
  excludePaths?: string[];
}

/** A framework-neutral request to one of the two endpoints. */
export interface BindingRequest {
  /** The main session cookie's value. */
  sessionCookie: string | undefined;
  /** `Secure-Session-Response` (the proof). */
  proof: string | undefined;
  /** `Sec-Secure-Session-Id`. */
  sessionIdHeader: string | undefined;
  /** The client IP as it may be recorded (audit trail). */
  ip?: string | null;
}

/** A framework-neutral answer: the adapters copy status, headers and body as they are. */
export interface BindingAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON body: session instructions, or a problem (`content-type` says which). */
  body: unknown;
}

/** JSON session instructions (spec "JSON Session Instruction Format"). */
export interface SessionInstructions {
  session_identifier: string;
  refresh_url: string;
  continue: boolean;
  scope: { include_site: boolean; scope_specification: { type: 'include' | 'exclude'; path: string }[] };
  credentials: { type: 'cookie'; name: string; attributes: string }[];
}

const MAX_JWT = 8192;
/** A session id as the browser echoes it (ours are `ses_` + 24 characters; anything longer is not one). */
const MAX_SESSION_ID = 64;

/**
 * Device Bound Session Credentials (W3C WebAppSec draft): after sign-in the browser is offered to bind the session
 * to a private key it keeps in hardware; it then proves possession of that key every few minutes to get a
 * short-lived bound cookie, and a request of a bound session without a valid bound cookie is anonymous. A copied
 * main cookie therefore stops working on another machine once the bound cookie copied with it expires.
 *
 * - `registrationHeader(session)`: the offer, sent with the sign-in response (the adapters' `startSession`).
 * - `register(request)`, `refresh(request)`: the two endpoints, authenticated by the signed challenge, so they
 *   skip the cookie CSRF check (browsers send them from the network layer, without `Origin` or `Sec-Fetch-Site`).
 * - `holds(session, boundCookie)`: the hot-path check, an HMAC and a clock comparison, no store read.
 *
 * Browsers without DBSC ignore the offer; their sessions never bind and work exactly as without this.
 */
export class DeviceBinding {
  readonly paths: { register: string; refresh: string };
  /** The bound cookie's final name (with `__Host-` when secure). */
  readonly cookieName: string;
  readonly #manager: SessionManager;
  readonly #store: DeviceBindingStore;
  readonly #keys: BindingKeyRing;
  readonly #secure: boolean;
  readonly #challengeMs: number;
  readonly #exclude: string[];
  /**
   * Bound cookies that verified, by value: a browser sends the same one on every request for minutes, so the
   * HMAC runs once per cookie rather than once per request. Only the value's session and expiry are kept, and
   * both are checked on every hit; bounded in size and age like the validation cache.
   */
  readonly #verified = new LruTtlMap<string, { sessionId: string; expiresAt: number }>({ max: 10_000, ttlMs: 60_000 });

  constructor(options: DeviceBindingOptions) {
    this.#manager = options.manager;
    this.#store = options.store;
    this.paths = {
      register: options.paths?.register ?? '/auth/device-binding/register',
      refresh: options.paths?.refresh ?? '/auth/device-binding/refresh',
    };
    for (const path of [...Object.values(this.paths), ...(options.excludePaths ?? [])]) {
      if (!/^\/[\x21\x23-\x5b\x5d-\x7e]*$/.test(path)) throw new Error(`DeviceBinding: ${JSON.stringify(path)} is not an absolute path.`);
    }
    this.#secure = options.cookie?.secure ?? false;
    const base = options.cookie?.name ?? 'session_bound';
    this.cookieName = this.#secure && !base.startsWith('__Host-') ? `__Host-${base}` : base;
    this.#challengeMs = (options.challengeSeconds ?? 300) * 1000;
    const rotateEveryMs = options.rotateEveryMs ?? DAY;
    // A secret must outlive every value it signed: one rotation period, then the longest cookie and challenge.
    this.#keys = new BindingKeyRing(options.store, this.#manager.clock, rotateEveryMs, rotateEveryMs + DAY + this.#challengeMs);
    this.#exclude = options.excludePaths ?? [];
  }

  /** Loads (or creates) the signing secrets. Call once before serving, after the store is migrated. */
  async start(): Promise<this> {
    await this.#keys.start();
    return this;
  }

  /** Whether this request is one of the two endpoints (which the adapters route past the cookie CSRF check). */
  isEndpoint(path: string): boolean {
    return path === this.paths.register || path === this.paths.refresh;
  }

  // ── the offer ───────────────────────────────────────────────────────────────────────────────────

  /** The `Secure-Session-Registration` value for a new session, or null when the policy is off. */
  registrationHeader(session: Pick<SessionRecord, 'id' | 'userId'>): string | null {
    // The person's session policy may switch binding off (or on) for them alone.
    if (this.#manager.settingsFor(session.userId).deviceBinding.policy === 'off') return null;
    return registrationOffer(PROOF_ALGORITHMS, this.paths.register, this.#challenge(session.id));
  }

  #challenge(sessionId: string): string {
    return signChallenge(this.#keys.current(), sessionId, this.#manager.clock.now() + this.#challengeMs);
  }

  // ── hot path ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a request of this (already validated) session may proceed: always for an unbound session; for a bound
   * one only with an unexpired bound cookie signed for it. No store read, except a one-off reload of the secrets
   * when the cookie names one this node has not seen yet (another node rotated).
   */
  holds(session: SessionRecord, boundCookie: string | undefined): boolean | Promise<boolean> {
    if (!isDeviceBound(session)) return true;
    if (boundCookie === undefined) return false;
    const now = this.#manager.clock.now();
    const known = this.#verified.get(boundCookie);
    if (known) return known.sessionId === session.id && known.expiresAt > now;
    const cookie = readBoundCookie(boundCookie);
    if (!cookie) return false;
    const remember = (holds: boolean) => {
      if (holds) this.#verified.set(boundCookie, { sessionId: session.id, expiresAt: parseInt(cookie.expiry, 36) * 1000 });
      return holds;
    };
    const secret = this.#keys.find(cookie.secretId);
    if (secret) return remember(boundCookieHolds(cookie, secret, session.id, now));
    return this.#keys.findFresh(cookie.secretId).then((fresh) => remember(fresh !== undefined && boundCookieHolds(cookie, fresh, session.id, this.#manager.clock.now())));
  }

  // ── endpoints ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Registration: the browser POSTs a proof signed with its new key over the offered challenge. The key is stored
   * with the session (once; the first registration wins) and the answer is the session instructions and the first
   * bound cookie.
   */
  async register(request: BindingRequest): Promise<BindingAnswer> {
    const session = await this.#manager.validate(request.sessionCookie);
    if (!session) return refusal(problem('unauthenticated', 'Device binding needs the session it binds: sign in first.'));
    if (this.#manager.settingsFor(session.userId).deviceBinding.policy === 'off') return refusal(problem('forbidden', 'Device binding is switched off.'));
    const jwt = readSfString(request.proof, MAX_JWT);
    if (jwt === undefined) return refusal(problem('invalid_input', 'Send the proof in Secure-Session-Response.'));
    const proof = await checkRegistrationProof(jwt, this.paths.register);
    if (!proof.ok) return refusal(problem('invalid_input', proof.detail));
    if (!(await this.#challengeIsOurs(proof.challenge, session.id))) {
      return refusal(problem('invalid_input', 'The proof does not sign a current challenge for this session.'));
    }
    if (isDeviceBound(session)) {
      // A browser that retries its registration gets the same answer; a second, different key is refused.
      if ((await keyThumbprint(session.deviceKey!)) !== (await keyThumbprint(proof.key))) {
        return refusal(problem('conflict', 'This session is already bound to another key.'));
      }
      return this.#instructions(session);
    }
    const thumbprint = await keyThumbprint(proof.key);
    const bound = await this.#manager.change(async (change) => {
      const at = this.#manager.clock.now();
      if (!(await change.store.bindSessionKey(session.id, { key: proof.key, at }))) return false;
      change.alteredSession(session.id);
      await change.audit({
        action: 'session.device-bound', actorId: session.userId, targetUserId: session.userId, sessionId: session.id,
        reason: null, ip: request.ip ?? null, details: { algorithm: proof.key.alg, key: thumbprint },
      });
      return true;
    });
    if (!bound) return refusal(problem('conflict', 'The session ended or was bound meanwhile.'));
    return this.#instructions(session);
  }

  /**
   * Refresh: without a proof, 403 and a fresh challenge (the browser signs it and retries); with a proof over a
   * current challenge signed by the registered key, the instructions and a new bound cookie. A proof signed by any
   * other key ends the session (`key-mismatch`), reported as `session.suspicious`: whoever sent it holds the
   * session's cookies but not the device's key.
   */
  async refresh(request: BindingRequest): Promise<BindingAnswer> {
    const session = await this.#manager.validate(request.sessionCookie);
    if (!session) return refusal(problem('unauthenticated', 'This session has ended.'));
    const named = readSfString(request.sessionIdHeader, MAX_SESSION_ID);
    if (named !== undefined && named !== session.id) return refusal(problem('invalid_input', 'Sec-Secure-Session-Id names another session.'));
    if (!isDeviceBound(session)) return refusal(problem('invalid_input', 'This session is not bound to a device.'));
    if (request.proof === undefined) return this.#askForProof(session, 'Sign the challenge in Secure-Session-Challenge with the device key.');
    const jwt = readSfString(request.proof, MAX_JWT);
    if (jwt === undefined) return refusal(problem('invalid_input', 'Secure-Session-Response is not a JWT.'));
    const proof: ProofCheck = await checkRefreshProof(jwt, session.deviceKey!, this.paths.refresh);
    if (!proof.ok && proof.wrongKey) return this.#endForKeyMismatch(session, request, proof.detail);
    if (!proof.ok) return refusal(problem('invalid_input', proof.detail));
    // An old or foreign challenge is not an attack (a race with a newer one): ask again.
    if (!(await this.#challengeIsOurs(proof.challenge, session.id))) return this.#askForProof(session, 'The challenge expired; sign this one.');
    return this.#instructions(session);
  }

  /** Live sessions bound to a device, for the share an admin sees (metric and overview). */
  countBoundSessions(): Promise<number> {
    return this.#store.countBoundSessions(this.#manager.activeCutoffs());
  }

  async #challengeIsOurs(challenge: string, sessionId: string): Promise<boolean> {
    const secretId = challengeSecretId(challenge);
    if (secretId === null) return false;
    const secret = await this.#keys.findFresh(secretId);
    return secret !== undefined && challengeHolds(challenge, secret, sessionId, this.#manager.clock.now());
  }

  #askForProof(session: SessionRecord, detail: string): BindingAnswer {
    const answer = refusal(problem('forbidden', detail));
    answer.headers[CHALLENGE_HEADER] = challengeFor(this.#challenge(session.id), session.id);
    return answer;
  }

  async #endForKeyMismatch(session: SessionRecord, request: BindingRequest, detail: string): Promise<BindingAnswer> {
    const registered = await keyThumbprint(session.deviceKey!);
    await this.#manager.change(async (change) => {
      if (!(await change.revokeSession(session, 'key-mismatch', null))) return;
      await change.audit({
        action: 'session.device-key-mismatch', actorId: null, targetUserId: session.userId, sessionId: session.id,
        reason: 'A refresh was signed by a key other than the one this session registered', ip: request.ip ?? null,
        details: { registeredKey: registered, detail },
      });
    });
    this.#manager.events.emit('session.suspicious', session);
    return refusal(problem('unauthenticated', 'This session was ended: the refresh was not signed by its device key.', { endedReason: 'key-mismatch' }));
  }

  /** 200: the session instructions and a fresh bound cookie. */
  #instructions(session: SessionRecord): BindingAnswer {
    const seconds = this.#manager.settings.deviceBinding.boundCookieSeconds;
    const value = signBoundCookie(this.#keys.current(), session.id, this.#manager.clock.now() + seconds * 1000);
    const attributes = { httpOnly: true, sameSite: 'lax', path: '/', secure: this.#secure } as const;
    const body: SessionInstructions = {
      session_identifier: session.id,
      refresh_url: this.paths.refresh,
      continue: true,
      scope: {
        include_site: false,
        scope_specification: this.#exclude.map((path) => ({ type: 'exclude', path })),
      },
      // The attributes the browser matches its cookie jar against (Max-Age plays no part in matching).
      credentials: [{ type: 'cookie', name: this.cookieName, attributes: `Path=/; HttpOnly; SameSite=Lax${this.#secure ? '; Secure' : ''}` }],
    };
    return {
      status: 200,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'set-cookie': stringifySetCookie({ name: this.cookieName, value, ...attributes, maxAge: seconds }),
      },
      body,
    };
  }
}

function refusal(p: Problem): BindingAnswer {
  return { status: p.status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' }, body: p };
}
