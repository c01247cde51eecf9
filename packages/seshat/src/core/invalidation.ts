/**
 * How nodes tell each other to drop cached state. A single process needs none (local invalidation is
 * immediate); the PostgreSQL store provides one over LISTEN/NOTIFY.
 */
export type Invalidation =
  | { kind: 'sessions'; ids: string[] }
  | { kind: 'all' }
  | { kind: 'settings' };

export interface InvalidationListener {
  message(invalidation: Invalidation): void;
  /** The channel dropped or reconnected: messages may have been missed, so all cached state must go. */
  reset(): void;
}

export interface InvalidationChannel {
  publish(invalidation: Invalidation): Promise<void>;
  /** Resolves once listening; returns a function that stops listening. */
  subscribe(listener: InvalidationListener): Promise<() => Promise<void>>;
}
