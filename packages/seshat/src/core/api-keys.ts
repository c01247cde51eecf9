import type { ApiKeyStore, ApiKeyUsage, AuditStore, SessionScope, Transactional } from './ports.ts';
import { AuditTrail, auditBy } from './audit-trail.ts';
import { systemClock, type Clock } from './clock.ts';
import {
  apiKeyIdSchema,
  apiKeyNameSchema,
  MAX_KEYS_PER_USER,
  minuteOf,
  newApiKeyCredential,
  parseApiKey,
  USAGE_WINDOW_MINUTES,
  type ApiKeyRecord,
  type ApiKeySummary,
} from './api-key.ts';
import { SeshatError } from './errors.ts';
import { ownerOnly, type PermissionPolicy } from './permissions.ts';
import type { SessionChange } from './session-change.ts';
import { serialisesWithoutSecret } from './public-view.ts';
import type { Actor } from './session.ts';
import { secretMatches } from './token.ts';

/**
 * Request counts kept in memory between flushes, so authenticating a request never writes to the store.
 * Counts are per key and per minute; a flush hands them to the store in one batch.
 */
export class UsageBuffer {
  #pending = new Map<string, { buckets: Map<number, number>; lastUsedAt: number }>();

  /** Counts one request of a key at `at` (epoch ms). */
  add(keyId: string, at: number): void {
    this.#count(keyId, minuteOf(at), 1, at);
  }

  #count(keyId: string, minute: number, requests: number, at: number): void {
    let entry = this.#pending.get(keyId);
    if (!entry) this.#pending.set(keyId, (entry = { buckets: new Map(), lastUsedAt: at }));
    entry.buckets.set(minute, (entry.buckets.get(minute) ?? 0) + requests);
    entry.lastUsedAt = Math.max(entry.lastUsedAt, at);
  }

  /** Empties the buffer and returns its contents as store rows. */
  take(): ApiKeyUsage[] {
    const rows: ApiKeyUsage[] = [];
    for (const [keyId, entry] of this.#pending) {
      for (const [minute, requests] of entry.buckets) rows.push({ keyId, minute, requests, lastUsedAt: entry.lastUsedAt });
    }
    this.#pending = new Map();
    return rows;
  }

  /** Puts rows back after a failed flush, so no count is lost. */
  restore(rows: ApiKeyUsage[]): void {
    for (const row of rows) this.#count(row.keyId, row.minute, row.requests, row.lastUsedAt);
  }

  /** Unflushed requests of a key since `sinceMinute`, and its latest use. */
  pending(keyId: string, sinceMinute: number): { requests: number; lastUsedAt: number | null } {
    const entry = this.#pending.get(keyId);
    if (!entry) return { requests: 0, lastUsedAt: null };
    let requests = 0;
    for (const [minute, n] of entry.buckets) if (minute >= sinceMinute) requests += n;
    return { requests, lastUsedAt: entry.lastUsedAt };
  }

  get size(): number {
    return this.#pending.size;
  }
}

/** What API keys read and write; creating and revoking a key commit together with their audit events. */
export type ApiKeyScope = ApiKeyStore & AuditStore;

/** Options of `ApiKeys`: only `store` is required. */
export interface ApiKeysOptions {
  store: ApiKeyScope & Transactional<ApiKeyScope>;
  audit?: AuditTrail;
  clock?: Clock;
  /** How often counted usage is written (default 5 s). Also flushed on `stop()`. */
  flushIntervalMs?: number;
  /** Background flush failures (the counts are kept and retried). */
  onError?: (error: unknown) => void;
  /** Who may list and revoke other people's keys (`canManageTeam`); default: nobody but the owner. */
  policy?: PermissionPolicy;
}

/**
 * Why a person's API keys are ended together with their sessions. Containment must reach every credential:
 * a key minted with a stolen cookie would otherwise outlive the password change, the force sign-out and the
 * invalidate-all meant to lock the attacker out.
 */
export type ApiKeyContainmentCause = 'password-changed' | 'password-reset' | 'force-sign-out' | 'invalidate-all' | 'account-disabled' | 'session-reported';

/**
 * Containment, inside a change: revokes every live API key of `owner` (or everyone's, with `'all'`) in the same
 * transaction as the change's revocations, with one `api-keys.revoked` audit event when any was live. Revoked,
 * not suspended: a suspended key is still a standing credential an attacker may have copied, and its owner can
 * make a new one in a second (see docs/design-notes.md). Bearer authentication reads the key's row on every
 * request, so the keys are refused from the moment this commits, on every node. Returns the revoked ids.
 */
export async function revokeApiKeysOf(
  change: SessionChange<SessionScope & ApiKeyStore>,
  owner: string | 'all',
  because: { actor: Actor | null; cause: ApiKeyContainmentCause; at: number },
): Promise<string[]> {
  const ids = await change.store.revokeUserApiKeys(owner, because.at);
  if (ids.length > 0) {
    await change.audit(auditBy(because.actor, 'api-keys.revoked', {
      targetUserId: owner === 'all' ? null : owner,
      reason: because.cause,
      details: { count: ids.length, keyIds: ids.slice(0, 100) },
    }));
  }
  return ids;
}

/** Creating, listing, revoking and authenticating API keys. Owners manage only their own keys. */
export class ApiKeys {
  readonly clock: Clock;
  readonly #store: ApiKeysOptions['store'];
  readonly #audit: AuditTrail;
  readonly #usage = new UsageBuffer();
  readonly #policy: PermissionPolicy;
  readonly #flushIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #prunedMinute = -Infinity;

  constructor(options: ApiKeysOptions) {
    this.#store = options.store;
    this.clock = options.clock ?? systemClock;
    this.#audit = options.audit ?? new AuditTrail(options.store, this.clock);
    this.#flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.#onError = options.onError ?? (() => {});
    this.#policy = options.policy ?? ownerOnly;
  }

  /** Starts the periodic usage flush (an unref'd timer: it never keeps the process alive). */
  start(): this {
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.flush().catch(this.#onError), this.#flushIntervalMs);
      this.#timer.unref();
    }
    return this;
  }

  /** Stops the timer and writes what is still counted. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /**
   * Creates a key for the actor, named for its owner's list (1–100 characters; at most 100 keys each).
   * `key` is the secret credential (`sk_…`): show it once, it is stored only as a hash.
   */
  async create(actor: Actor, name: string): Promise<{ apiKey: ApiKeyRecord; key: string }> {
    const cleanName = apiKeyNameSchema.safeParse(name);
    if (!cleanName.success) throw new SeshatError('invalid_input', 'A name of 1 to 100 characters is required.');
    const { id, key, secretHash, prefix } = newApiKeyCredential();
    const apiKey: ApiKeyRecord = serialisesWithoutSecret({
      id,
      userId: actor.userId,
      name: cleanName.data,
      secretHash,
      prefix,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.#store.transaction(async (scope) => {
      const existing = await scope.listApiKeys(actor.userId, minuteOf(this.clock.now()));
      if (existing.length >= MAX_KEYS_PER_USER) throw new SeshatError('conflict', `You already have ${MAX_KEYS_PER_USER} API keys; delete one first.`);
      await scope.insertApiKey(apiKey);
      await this.#audit.record(auditBy(actor, 'api-key.created', { targetUserId: actor.userId, details: { keyId: apiKey.id, name: apiKey.name } }), scope);
    });
    return { apiKey, key };
  }

  /** The actor's active keys, newest first, with a true rolling 24-hour request count (stored + not yet flushed). */
  async list(actor: Actor): Promise<ApiKeySummary[]> {
    return this.#summaries(actor.userId);
  }

  /** Anyone's active keys, for a team manager (the permission policy decides) or, with `actor` null, an operator at the CLI. */
  async listOf(actor: Actor | null, userId: string): Promise<ApiKeySummary[]> {
    if (actor && actor.userId !== userId && !this.#policy.canManageTeam(actor)) throw new SeshatError('forbidden', 'This needs an administrator.');
    return this.#summaries(userId);
  }

  async #summaries(userId: string): Promise<ApiKeySummary[]> {
    const since = minuteOf(this.clock.now()) - USAGE_WINDOW_MINUTES + 1;
    const rows = await this.#store.listApiKeys(userId, since);
    return rows.map((k) => {
      const pending = this.#usage.pending(k.id, since);
      const lastUsedAt = pending.lastUsedAt === null ? k.lastUsedAt : Math.max(pending.lastUsedAt, k.lastUsedAt ?? 0);
      return { id: k.id, name: k.name, prefix: k.prefix, createdAt: k.createdAt, lastUsedAt, requests24h: k.requests24h + pending.requests };
    });
  }

  /** Revokes one of the actor's keys; anyone else's (or a missing one) is `not_found`, so ids do not leak. */
  async revoke(actor: Actor, id: string): Promise<void> {
    const key = await this.#live(id);
    if (!key || key.userId !== actor.userId) throw new SeshatError('not_found', 'No such API key.');
    await this.#revoke(actor, key, null);
  }

  /**
   * A team manager (the permission policy decides) or, with `actor` null, an operator at the CLI revokes anyone's
   * key, with an optional reason for the audit trail. `mayRevoke` (e.g. "only an owner touches an owner's
   * credentials") sees the key before anything changes and throws to refuse. Returns the key as it was.
   */
  async revokeAny(actor: Actor | null, id: string, reason: string | null = null, mayRevoke?: (key: ApiKeyRecord) => Promise<unknown>): Promise<ApiKeyRecord> {
    if (actor && !this.#policy.canManageTeam(actor)) throw new SeshatError('forbidden', 'This needs an administrator.');
    const key = await this.#live(id);
    if (!key) throw new SeshatError('not_found', 'No such API key.');
    await mayRevoke?.(key);
    await this.#revoke(actor, key, reason);
    return key;
  }

  async #live(id: string): Promise<ApiKeyRecord | null> {
    const key = apiKeyIdSchema.safeParse(id).success ? await this.#store.findApiKey(id) : null;
    return key && key.revokedAt === null ? key : null;
  }

  async #revoke(actor: Actor | null, key: ApiKeyRecord, reason: string | null): Promise<void> {
    // Durable before we answer; authentication reads the row on every request, so the key is refused at once.
    await this.#store.transaction(async (scope) => {
      if (!(await scope.revokeApiKey(key.id, this.clock.now()))) throw new SeshatError('not_found', 'No such API key.');
      await this.#audit.record(auditBy(actor, 'api-key.revoked', { targetUserId: key.userId, reason, details: { keyId: key.id, name: key.name } }), scope);
    });
  }

  /**
   * The live key a presented bearer token belongs to, or null. One indexed read, no write: the use is
   * counted in memory and flushed later. Malformed input is simply not a key.
   */
  async authenticate(raw: string | undefined): Promise<ApiKeyRecord | null> {
    const parsed = parseApiKey(raw);
    if (!parsed) return null;
    const key = await this.#store.findApiKey(parsed.id);
    if (!key || !secretMatches(parsed.secret, key.secretHash) || key.revokedAt !== null) return null;
    this.#usage.add(key.id, this.clock.now());
    return key;
  }

  /** Writes counted usage in one batch and drops buckets older than the window (at most once a minute). */
  flush(): Promise<void> {
    // Flushes run one after another, so a slow write never overlaps the next.
    const run = this.#flushing.then(async () => {
      const rows = this.#usage.take();
      if (rows.length > 0) {
        try {
          await this.#store.recordApiKeyUsage(rows);
        } catch (error) {
          this.#usage.restore(rows);
          throw error;
        }
      }
      const minute = minuteOf(this.clock.now());
      if (minute !== this.#prunedMinute) {
        await this.#store.pruneApiKeyUsage(minute - USAGE_WINDOW_MINUTES + 1);
        this.#prunedMinute = minute;
      }
    });
    this.#flushing = run.catch(() => {});
    return run;
  }
}
