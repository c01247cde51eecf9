// Options of the PostgreSQL store, apart from the store itself: `openStore` names them, and its declarations must
// not pull in `pg`'s types for apps that never use PostgreSQL (they do not have `pg` installed).

/**
 * Pool settings and timeouts of a `PostgresStore`. The timeouts make a silent network (no FIN, no RST: a
 * partition, a dead load balancer) a quick 503 instead of a hung request: every statement has an answer deadline
 * on the client, a time limit on the server, and waiting for a connection is bounded too.
 */
export interface PostgresStoreOptions {
  /** Pool size per process (default 10). */
  maxConnections?: number;
  /**
   * How long a query waits for a free pooled connection, or for a new one to be established, before the store is
   * reported unavailable (default 2 s).
   */
  connectionTimeoutMs?: number;
  /**
   * Client-side deadline for the answer to one statement (default 2 s): past it the statement fails as
   * unavailable and its connection is discarded. This is what bounds a request when the link goes silent.
   */
  queryTimeoutMs?: number;
  /**
   * Server-side `statement_timeout` (default 1.5 s, under `queryTimeoutMs` so an overloaded server cancels the
   * statement itself and the connection stays usable). Statements whose work grows with the table
   * (revoke-all) get `bulkTimeoutMs` instead.
   */
  statementTimeoutMs?: number;
  /** Both limits for statements whose work grows with the table: revoking every session (default 60 s). */
  bulkTimeoutMs?: number;
  /**
   * `idle_in_transaction_session_timeout` (default 10 s): a node that vanishes mid-transaction must not hold its
   * row and advisory locks (a user's sign-in lock) until the server's TCP keepalive notices.
   */
  idleInTransactionTimeoutMs?: number;
  /** TCP keepalive on every connection, first probe after this much idle time (default 10 s). */
  keepAliveInitialDelayMs?: number;
  /** Shown in pg_stat_activity (default 'seshat'). */
  applicationName?: string;
}

/** The timeouts in force (see `PostgresStoreOptions`). */
export interface PostgresTimeouts {
  /** Longest wait for a pooled or new connection. */
  connectionTimeoutMs: number;
  /** Client-side deadline for one statement's answer. */
  queryTimeoutMs: number;
  /** Server-side `statement_timeout`. */
  statementTimeoutMs: number;
  /** Both limits for statements whose work grows with the table. */
  bulkTimeoutMs: number;
}

/** Defaults of the timeouts; the hot path (one lookup, one touch) is bounded by `queryTimeoutMs`. */
export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = { connectionTimeoutMs: 2000, queryTimeoutMs: 2000, statementTimeoutMs: 1500, bulkTimeoutMs: 60_000 };
