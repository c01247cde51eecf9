/**
 * Live session events for open pages: a page subscribes for its own session and hears, the moment it happens on
 * any node, that the session ended (and why), or that the user's other sessions changed. Fed by the same path as
 * cache invalidation (`SessionManager`: locally after each commit, from other nodes over the invalidation channel),
 * so it is exactly as immediate as a revocation's effect on the cache.
 */
export type SessionEvent =
  | { type: 'session.ended'; reason: string; endedAt: string | null }
  | { type: 'sessions.changed' };

/** Receives a subscribed session's events. Must not throw. After `session.ended` it hears nothing more. */
export type SessionListener = (event: SessionEvent) => void;

/** The listeners of one node, by session and by user. Plain maps: a few hundred bytes per subscription. */
export class SessionSubscriptions {
  readonly #bySession = new Map<string, { userId: string; listeners: Set<SessionListener> }>();
  readonly #byUser = new Map<string, Set<string>>();

  /** Adds a listener for `sessionId` (of `userId`); returns the function that removes it. */
  add(sessionId: string, userId: string, listener: SessionListener): () => void {
    let entry = this.#bySession.get(sessionId);
    if (!entry) {
      this.#bySession.set(sessionId, (entry = { userId, listeners: new Set() }));
      let sessions = this.#byUser.get(userId);
      if (!sessions) this.#byUser.set(userId, (sessions = new Set()));
      sessions.add(sessionId);
    }
    entry.listeners.add(listener);
    return () => this.#remove(sessionId, listener);
  }

  /** Whether anyone on this node listens for `sessionId`. */
  has(sessionId: string): boolean {
    return this.#bySession.has(sessionId);
  }

  /** The subscribed sessions' ids. */
  ids(): string[] {
    return [...this.#bySession.keys()];
  }

  /** The users with a subscribed session. */
  users(): string[] {
    return [...this.#byUser.keys()];
  }

  /** Subscribed sessions on this node. */
  get size(): number {
    return this.#bySession.size;
  }

  /** Tells a session's listeners it ended, then forgets them. */
  ended(sessionId: string, reason: string, endedAt: number | null): void {
    const entry = this.#bySession.get(sessionId);
    if (!entry) return;
    this.#drop(sessionId, entry.userId);
    const event: SessionEvent = { type: 'session.ended', reason, endedAt: endedAt === null ? null : new Date(endedAt).toISOString() };
    for (const listener of entry.listeners) listener(event);
  }

  /** Every subscribed session ended (invalidate-all). */
  allEnded(reason: string, endedAt: number): void {
    for (const id of [...this.#bySession.keys()]) this.ended(id, reason, endedAt);
  }

  /** `sessions.changed` to every subscribed session of these users. */
  changed(userIds: Iterable<string>): void {
    for (const userId of new Set(userIds)) {
      for (const sessionId of this.#byUser.get(userId) ?? []) {
        for (const listener of this.#bySession.get(sessionId)?.listeners ?? []) listener({ type: 'sessions.changed' });
      }
    }
  }

  #remove(sessionId: string, listener: SessionListener): void {
    const entry = this.#bySession.get(sessionId);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) this.#drop(sessionId, entry.userId);
  }

  #drop(sessionId: string, userId: string): void {
    this.#bySession.delete(sessionId);
    const sessions = this.#byUser.get(userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.#byUser.delete(userId);
  }
}
