import type { Store, StoreScope } from '../../core/ports.ts';
import type { WebhookDelivery, WebhookMessage } from '../../core/webhook.ts';
import type { PostgresStore } from '../postgres/postgres-store.ts';
import { RedisConnection } from './connection.ts';
import { RedisInvalidationChannel, type RedisInvalidationOptions } from './invalidation.ts';
import type { RedisTierOptions } from './options.ts';
import { RedisSessions, SESSION_METHODS, type SessionMethod, type Undo } from './redis-sessions.ts';
import * as scripts from './scripts.ts';

/** Options of a `RedisStore`: where Redis is, the PostgreSQL store everything else lives in, and the tier's limits. */
export interface RedisStoreOptions extends RedisTierOptions {
  /** `redis://…` or `rediss://…` (TLS); Valkey speaks the same protocol. */
  url: string;
  /** Users, settings, audit, API keys, webhooks and locks: the PostgreSQL store (closed with this one). */
  postgres: PostgresStore;
  /** Told about a transaction's Redis writes that could not be taken back (the server logs it). */
  onError?: (error: unknown) => void;
}

/** The PostgreSQL store's methods this store passes on unchanged (all but the sessions': overview counters too). */
const POSTGRES_METHODS = [
  'lockUserSessions', 'listBindingSecrets', 'insertBindingSecret', 'loadSettings', 'lockSettings', 'saveSettings', 'listSessionPolicies',
  'findSessionPolicy', 'lockSessionPolicy', 'saveSessionPolicy', 'deleteSessionPolicy', 'appendAudit', 'listAudit',
  'deleteAuditBefore', 'anonymizeAuditIps', 'insertUser', 'findUserById', 'findUserByEmail', 'listUsers', 'listUsersWithRoles', 'countUsers',
  'setUserDisabled', 'updatePasswordHash', 'upgradePasswordHash', 'requirePasswordChange', 'updateUserRole', 'insertApiKey',
  'findApiKey', 'listApiKeys', 'revokeApiKey', 'revokeUserApiKeys', 'recordApiKeyUsage', 'pruneApiKeyUsage', 'countSignInAttempt',
  'readSignInCounter', 'clearSignInCounter', 'pruneSignInCounters', 'listWebhookEndpoints', 'insertWebhookMessage',
  'insertWebhookEndpoint', 'findWebhookEndpoint', 'updateWebhookEndpoint', 'deleteWebhookEndpoint', 'dueWebhookDeliveries',
  'recordWebhookAttempt', 'listWebhookDeliveries', 'findWebhookDelivery', 'requeueWebhookDelivery', 'claimWebhookLease',
  'releaseWebhookLease', 'pruneWebhookDeliveries', 'insertWebhookMessages', 'addDailyCounts', 'setDailyValues', 'listDailyStats', 'pruneDailyStats',
] as const satisfies readonly Exclude<keyof StoreScope, SessionMethod>[];

type PostgresMethod = (typeof POSTGRES_METHODS)[number];
// Every method of a scope is either Redis's or PostgreSQL's: a method added to the ports fails to compile here until
// it is placed.
const everyMethodPlaced: Exclude<keyof StoreScope, SessionMethod | PostgresMethod> extends never ? true : never = true;
void everyMethodPlaced;

/** The scope methods passed to PostgreSQL, bound to `target`. */
function postgresPart(target: StoreScope): Pick<StoreScope, PostgresMethod> {
  const part: Record<string, unknown> = {};
  for (const name of POSTGRES_METHODS) {
    const method = target[name] as ((...args: unknown[]) => unknown) | undefined;
    // Optional port methods (`insertWebhookMessages`) are passed on only where the PostgreSQL store has them.
    if (typeof method === 'function') part[name] = method.bind(target);
  }
  return part as Pick<StoreScope, PostgresMethod>;
}

/** One transaction's scope: sessions in Redis (with undo), the rest in the PostgreSQL transaction. */
function scopeOf(postgres: StoreScope, sessions: RedisSessions): StoreScope {
  const scope = postgresPart(postgres) as StoreScope;
  for (const name of SESSION_METHODS) (scope as unknown as Record<string, unknown>)[name] = (sessions[name] as (...args: unknown[]) => unknown).bind(sessions);
  return scope;
}

/** The PostgreSQL half of a `RedisStore`: the methods it passes on (assigned in the constructor). */
export interface RedisStore extends Pick<StoreScope, Exclude<PostgresMethod, 'insertWebhookMessages'>> {
  /** Stores many webhook messages and their deliveries in a few statements (the PostgreSQL store's bulk insert). */
  insertWebhookMessages(messages: readonly WebhookMessage[], deliveries: readonly WebhookDelivery[]): Promise<void>;
}

/**
 * The Redis session tier: sessions and their touches in Redis (or Valkey), everything else — users, settings, audit,
 * API keys, webhooks — in PostgreSQL, and revocations announced over Redis pub/sub with confirmed delivery.
 *
 * One change, two databases. A transaction runs its PostgreSQL part in a PostgreSQL transaction and applies each
 * Redis write at once (an atomic script), recording how to take it back. The PostgreSQL COMMIT comes last:
 * - the work fails (or PostgreSQL refuses a statement): every Redis write of it is taken back, newest first, so
 *   nothing of the change remains, as in one database;
 * - the COMMIT itself fails (the outcome is unknown to the client): the Redis writes are taken back except
 *   revocations, which stay — a session that was to end stays ended ("Ended stays ended"), at the price of an audit
 *   event that may be missing; `onError` reports it.
 * A session-limit check (`lockUserSessions`, a PostgreSQL advisory lock) holds until the COMMIT, after the Redis
 * insert, so the count-then-insert rule holds across nodes as on PostgreSQL alone. Other nodes may see a change's
 * Redis part a few milliseconds before its audit event commits. See docs/design-notes.md, "Redis session tier".
 */
export class RedisStore extends RedisSessions implements Store {
  readonly dialect = 'redis' as const;
  /** The PostgreSQL store users, settings and audit live in. */
  readonly postgres: PostgresStore;
  readonly #redis: RedisConnection;
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(options: RedisStoreOptions) {
    const redis = new RedisConnection(options.url, options);
    super(redis);
    this.#redis = redis;
    this.postgres = options.postgres;
    this.#onError = options.onError;
    Object.assign(this, postgresPart(options.postgres));
  }

  /** The key prefix in force. */
  get prefix(): string {
    return this.#redis.options.prefix;
  }

  async transaction<T>(work: (scope: StoreScope) => Promise<T>): Promise<T> {
    const undo: Undo[] = [];
    let workDone = false;
    try {
      return await this.postgres.transaction(async (postgres) => {
        const result = await work(scopeOf(postgres, new RedisSessions(this.#redis, undo)));
        workDone = true;
        return result;
      });
    } catch (error) {
      await this.#takeBack(workDone ? undo.filter((u) => u.kind !== 'unrevoke') : undo);
      if (workDone && undo.some((u) => u.kind === 'unrevoke')) {
        this.#onError?.(new Error('A revocation stands in Redis although its PostgreSQL transaction (audit event) may not have committed.', { cause: error }));
      }
      throw error;
    }
  }

  /** Takes back a failed transaction's Redis writes, newest first. Best effort: what fails is reported. */
  async #takeBack(undo: readonly Undo[]): Promise<void> {
    for (const u of [...undo].reverse()) {
      try {
        if (u.kind === 'restore') await this.#redis.run(scripts.RESTORE, [u.id, JSON.stringify(u.before)]);
        else await this.#redis.run(scripts.UNREVOKE, [String(u.at), u.reason, JSON.stringify(u.ids)]);
      } catch (error) {
        this.#onError?.(new Error(`Could not take back a Redis write of a failed transaction (${u.kind}).`, { cause: error }));
      }
    }
  }

  /** Migrates the PostgreSQL part; Redis needs no schema. */
  async migrate(): Promise<number[]> {
    await this.#redis.connect();
    return this.postgres.migrate();
  }

  /** Revocations between nodes over Redis pub/sub, with confirmed delivery (see `RedisInvalidationChannel`). */
  createInvalidationChannel(options: RedisInvalidationOptions = {}): RedisInvalidationChannel {
    return new RedisInvalidationChannel(this.#redis, options);
  }

  /** Both databases answer. */
  async ping(): Promise<void> {
    await Promise.all([this.#redis.send(['PING']), this.postgres.ping()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#redis.close(), this.postgres.close()]);
  }
}
