import type { Invalidation, InvalidationChannel, InvalidationListener } from '../../core/invalidation.ts';

/**
 * How a server on a SQLite file learns that another process (the CLI's `sessions invalidate-all`, `sessions
 * revoke`, a second tool) changed it: `PRAGMA data_version`, which SQLite changes on a connection whenever any
 * *other* connection commits to the file, and never for the connection's own commits. It is read before every
 * use of the cache (a statement that touches no page: about a microsecond); when it moved, the cache is flushed
 * and settings reloaded, so a revocation committed by another process is refused on the very next request.
 *
 * Nothing needs sending: the other process's commit is the message. `publish` is therefore a no-op, and a
 * process that changes the file needs no channel of its own.
 */
export class SqliteChangeChannel implements InvalidationChannel {
  readonly #dataVersion: () => number;
  readonly #listeners = new Set<InvalidationListener>();
  #seen = 0;

  /** `dataVersion` reads `PRAGMA data_version` on the store's own connection (another would see our commits too). */
  constructor(dataVersion: () => number) {
    this.#dataVersion = dataVersion;
  }

  /** Nothing to send: other processes see the commit itself. */
  async publish(_invalidation: Invalidation): Promise<void> {}

  /** Starts watching from the current `data_version`; returns a function that stops. */
  async subscribe(listener: InvalidationListener): Promise<() => Promise<void>> {
    this.#seen = this.#dataVersion();
    this.#listeners.add(listener);
    return async () => void this.#listeners.delete(listener);
  }

  /** Flushes the listeners when another connection committed since the last look; untrusted when unreadable. */
  cacheTrusted(): boolean {
    if (this.#listeners.size === 0) return false;
    let version: number;
    try {
      version = this.#dataVersion();
    } catch {
      return false; // a closed or broken file: read the store, which answers 503
    }
    if (version !== this.#seen) {
      this.#seen = version;
      for (const listener of this.#listeners) listener.reset();
    }
    return true;
  }
}
