/**
 * How nodes tell each other to drop cached state. A single process needs none (local invalidation is
 * immediate); the PostgreSQL store provides one over LISTEN/NOTIFY.
 */
export type Invalidation =
  | { kind: 'sessions'; ids: string[] }
  /**
   * These users' sessions changed (one was created or ended): for live session pages, no cache effect. `origin`
   * names the sending process, which told its own pages already and ignores its echo.
   */
  | { kind: 'users'; ids: string[]; origin?: string }
  | { kind: 'all' }
  | { kind: 'settings' };

/** What a node does with invalidations from other nodes. */
export interface InvalidationListener {
  /** Applies one invalidation (drop sessions, drop all, reload settings). */
  message(invalidation: Invalidation): void;
  /** The channel dropped or reconnected: messages may have been missed, so all cached state must go. */
  reset(): void;
}

/** Tells other processes sharing the database which cached sessions (or settings) changed. PostgreSQL: LISTEN/NOTIFY. */
export interface InvalidationChannel {
  /** Sends an invalidation to every listening node (after the change is committed). */
  publish(invalidation: Invalidation): Promise<void>;
  /** Resolves once listening; returns a function that stops listening. */
  subscribe(listener: InvalidationListener): Promise<() => Promise<void>>;
  /**
   * Asked before every use of the validation cache (each read and each fill), so it must be synchronous and cheap.
   * False while this process may be missing invalidations — not listening (the connection dropped and is not back
   * yet), or not heard from the database within its lease — and the manager then reads the store on every request
   * instead. A channel may first apply changes it can see at once through the listener (SQLite: another process
   * committed, so the cache is flushed). Absent: the cache is trusted within its TTL, as before.
   */
  cacheTrusted?(): boolean;
}
