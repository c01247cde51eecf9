import type { Invalidation, InvalidationChannel, InvalidationListener } from '../../core/invalidation.ts';

/**
 * How a server on a SQLite file learns that another process (the CLI's `sessions invalidate-all`, `sessions
 * revoke`, a second tool) changed it: `PRAGMA data_version`, which SQLite changes on a connection whenever any
 * *other* connection commits to the file, and never for the connection's own commits. It is read before the cache
 * is used, at most once per `recheckMs` (default 1 ms); when it moved, the cache is flushed and settings reloaded.
 * So a revocation another process committed is refused by every request that arrives more than 1 ms after the
 * commit — the CLI's own exit takes longer than that, so in practice the very next request. The millisecond is
 * what keeps the check off the hot path under load: the statement costs about as much as a primary-key read,
 * and at thousands of requests per second most of them share one.
 *
 * Nothing needs sending: the other process's commit is the message. `publish` is therefore a no-op, and a
 * process that changes the file needs no channel of its own.
 */
export class SqliteChangeChannel implements InvalidationChannel {
  readonly #dataVersion: () => number;
  readonly #recheckMs: number;
  readonly #listeners = new Set<InvalidationListener>();
  #seen = 0;
  /** When (performance.now()) `data_version` was last read. */
  #checkedAt = -Infinity;

  /**
   * `dataVersion` reads `PRAGMA data_version` on the store's own connection (another would see our commits too);
   * `recheckMs` is how long one reading stands for (0: read before every cache use).
   */
  constructor(dataVersion: () => number, { recheckMs = 1 }: { recheckMs?: number } = {}) {
    this.#dataVersion = dataVersion;
    this.#recheckMs = recheckMs;
  }

  /** Nothing to send: other processes see the commit itself. */
  async publish(_invalidation: Invalidation): Promise<void> {}

  /** Starts watching from the current `data_version`; returns a function that stops. */
  async subscribe(listener: InvalidationListener): Promise<() => Promise<void>> {
    this.#seen = this.#dataVersion();
    this.#checkedAt = -Infinity;
    this.#listeners.add(listener);
    return async () => void this.#listeners.delete(listener);
  }

  /** Flushes the listeners when another connection committed since the last look; untrusted when unreadable. */
  cacheTrusted(): boolean {
    if (this.#listeners.size === 0) return false;
    const now = performance.now();
    if (now - this.#checkedAt < this.#recheckMs) return true;
    let version: number;
    try {
      version = this.#dataVersion();
    } catch {
      this.#checkedAt = -Infinity;
      return false; // a closed or broken file: read the store, which answers 503
    }
    this.#checkedAt = now;
    if (version !== this.#seen) {
      this.#seen = version;
      for (const listener of this.#listeners) listener.reset();
    }
    return true;
  }
}
