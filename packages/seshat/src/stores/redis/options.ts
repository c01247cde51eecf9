// Options of the Redis session tier, apart from the store itself: `openStore` names them, and its declarations must
// not pull in `@redis/client`'s types for apps that never use Redis.

/** How the Redis session tier talks to Redis; every option has a safe default. */
export interface RedisTierOptions {
  /**
   * Prefix of every key the tier writes (default `seshat:`), so several deployments (or test runs) can share one
   * Redis database. Invalidation channels are named under it too.
   */
  prefix?: string;
  /**
   * Client-side deadline for one Redis command (default 2 s, like PostgreSQL's query timeout): past it the call
   * fails as unavailable (HTTP 503). Scans of every session (revoke-all, counts) are split into batches, each under it.
   */
  commandTimeoutMs?: number;
  /** How long establishing a connection may take (default 2 s). */
  connectTimeoutMs?: number;
  /**
   * Sessions per script or round trip when a call walks many of them (counts, filters, listings, revoke-all; default
   * 1000): each script holds Redis for its batch only (a few milliseconds per 1,000 sessions).
   */
  batchSize?: number;
}

/** Defaults of `RedisTierOptions`. */
export const DEFAULT_REDIS_TIER: Required<RedisTierOptions> = { prefix: 'seshat:', commandTimeoutMs: 2000, connectTimeoutMs: 2000, batchSize: 1000 };
