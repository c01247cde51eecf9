import { LruTtlMap } from './lru.ts';
import { sameSecret, type SessionRecord } from './session.ts';
import type { PendingActivity } from './touch-batch.ts';

/** Bounds of the per-process validation cache. */
export interface CacheOptions {
  /** Most sessions kept (default 10,000). */
  max?: number;
  /**
   * Longest an entry is trusted without re-reading the store (default: `defaultCacheTtlMs`, 60 s with an
   * invalidation channel, 10 s without). On a multi-node deployment this bounds how stale a node can be if it
   * misses an invalidation message.
   */
  ttlMs?: number;
}

/**
 * The validation cache's TTL when none is given. With an invalidation channel every revocation made elsewhere
 * reaches this node's cache before it is used again (PostgreSQL and Redis: confirmed delivery, and no cache at all
 * while a node may be missing messages; SQLite: `data_version` checked before each use), so the TTL only bounds a
 * notification lost while the channel stays up, and it can be long enough for busy sessions to stay cached
 * between touches (each miss is a store read and a SHA-256). Without a channel (a custom store) the TTL is the
 * only bound on a revocation made by another process: keep it short.
 */
export function defaultCacheTtlMs(hasInvalidationChannel: boolean): number {
  return hasInvalidationChannel ? 60_000 : 10_000;
}

/**
 * A cached session. Request counts are not kept here (an entry may be evicted at any moment): they wait in the
 * node's touch batch (`touch-batch.ts`).
 */
export interface CachedSession {
  record: SessionRecord;
  /**
   * The secret already checked against `record.secretHash` for this entry (memory only, never stored): a
   * later request presenting the same secret is compared with it in constant time instead of hashing again.
   */
  verifiedSecret?: string;
  /** The client address this node last saw for the session, as sent (the record may hold its anonymised form). */
  seenIp?: string;
  /** The session's activity in the node's touch batch as of its last request (`TouchBatch.seen`'s `known`). */
  activity?: PendingActivity;
}

/**
 * A bounded per-process cache of validated sessions.
 *
 * The revoke-vs-refill race: a request misses the cache and reads the row; before it stores the row in the
 * cache, a revocation arrives and invalidates the (still absent) entry; the request would then cache a row
 * that is already revoked. Every invalidation therefore bumps a generation and leaves a tombstone; a read
 * takes a ticket (the generation) before it starts, and `fill` refuses to cache a row whose id — or the
 * whole cache — was invalidated after that ticket.
 */
export class ValidationCache {
  readonly #entries: LruTtlMap<string, CachedSession>;
  readonly #tombstones: LruTtlMap<string, number>;
  readonly #trusted: () => boolean;
  #generation = 0;
  #flushedAt = 0;

  /**
   * `trusted` is the cache-trust gate (`InvalidationChannel.cacheTrusted`): while it answers false the cache
   * neither answers nor fills, so every request reads the store. A node that may be missing invalidations (its
   * channel is down or silent) must not serve what it cached, nor cache what it reads: whatever it cached could be
   * revoked elsewhere without it hearing. The channel flushes the cache before it answers true again.
   */
  constructor({ max = 10_000, ttlMs = defaultCacheTtlMs(false) }: CacheOptions = {}, trusted: () => boolean = always) {
    // Lifetimes between 3/4 of the TTL and the TTL: sessions cached together (at start, after a flush) would otherwise
    // all miss together again every TTL — a burst of store reads each minute that never spreads out.
    this.#entries = new LruTtlMap({ max, ttlMs, jitter: 0.25 });
    // Tombstones only need to outlive the slowest store read; a minute is generous.
    this.#tombstones = new LruTtlMap({ max, ttlMs: Math.max(ttlMs, 60_000) });
    this.#trusted = trusted;
  }

  /** The cached entry for a session id, if any, not older than the TTL, and only while the cache is trusted. */
  get(id: string): CachedSession | undefined {
    if (!this.#trusted()) return undefined;
    return this.#entries.get(id);
  }

  /** Taken before a store read; `fill` refuses the result if anything was invalidated since. */
  ticket(): number {
    return this.#generation;
  }

  /** Caches a row read from the store, unless it was invalidated after `ticket`. */
  fill(id: string, entry: CachedSession, ticket: number): void {
    // The gate first: it may flush (a change seen from elsewhere), which also refuses this ticket.
    if (!this.#trusted()) return;
    if (ticket < this.#flushedAt) return;
    const invalidatedAt = this.#tombstones.get(id);
    if (invalidatedAt !== undefined && invalidatedAt > ticket) return;
    this.#entries.set(id, entry);
  }

  /** Of these ids, the cached ones whose entries expire within `ms` (at most `limit`), for a refresh ahead. */
  expiringWithin(ids: Iterable<string>, ms: number, limit: number): string[] {
    const due: string[] = [];
    if (!this.#trusted()) return due;
    for (const id of ids) {
      const left = this.#entries.expiresIn(id);
      if (left !== undefined && left > 0 && left <= ms && due.push(id) >= limit) break;
    }
    return due;
  }

  /**
   * Caches a session read again ahead of its entry's expiry (unless it was invalidated after `ticket`): a new entry
   * with a full lifetime. What memory knows and the row cannot — the verified secret, the address last seen, activity
   * not written yet — carries over from the entry it replaces; a row that is now revoked drops the entry.
   */
  refresh(record: SessionRecord, ticket: number): void {
    if (record.revokedAt !== null) return this.invalidate(record.id);
    const current = this.#entries.get(record.id);
    const entry: CachedSession = { record };
    if (current && sameSecret(current.record, record)) {
      const old = current.record;
      if (old.lastActiveAt > record.lastActiveAt) {
        record.lastActiveAt = old.lastActiveAt;
        record.lastPath = old.lastPath;
      }
      record.requests = Math.max(record.requests, old.requests);
      if (current.verifiedSecret !== undefined) entry.verifiedSecret = current.verifiedSecret;
      if (current.seenIp !== undefined) entry.seenIp = current.seenIp;
    }
    this.fill(record.id, entry, ticket);
  }

  /** Drops one session and remembers that it was dropped (so an older read cannot refill it). */
  invalidate(id: string): void {
    this.#generation++;
    this.#tombstones.set(id, this.#generation);
    this.#entries.delete(id);
  }

  /** Drops every session (and refuses every read begun before). */
  flush(): void {
    this.#generation++;
    this.#flushedAt = this.#generation;
    this.#entries.clear();
  }

  /** Sessions held. */
  get size(): number {
    return this.#entries.size;
  }
}

const always = () => true;
