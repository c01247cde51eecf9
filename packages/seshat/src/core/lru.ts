/**
 * A map bounded in size and in age: the least recently used entry goes first when it is full, and an entry
 * older than `ttlMs` (counted from when it was set, not from its last read) is never returned; with `jitter`, each
 * entry's own lifetime is a random share of `ttlMs`.
 *
 * Why not the `lru-cache` package: this is all the validation cache needs from it, in a JavaScript `Map`
 * (which keeps insertion order, so re-inserting on a hit is the recency list), while the package is 3.4 MB
 * installed, a quarter of a library user's install. Ages use `performance.now()`, a monotonic clock, as
 * lru-cache did: a wall-clock jump must not keep stale sessions alive.
 *
 * Recency is tracked by position in the Map, and a read moves an entry to the end only when it has drifted
 * out of the newest half (more than `max / 2` moves since its own): an entry in the newest half is at least
 * `max / 2` insertions away from eviction, so leaving it in place never evicts it early by more than that,
 * and the common read — a busy session read again soon — is one Map lookup instead of a delete and a set.
 */
export class LruTtlMap<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number; movedAt: number }>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #half: number;
  readonly #jitter: number;
  /** Insertions and moves to the end so far: an entry's `movedAt` says how far back its position is. */
  #moves = 0;

  /**
   * `jitter` (0 to 1, default 0): each entry lives a random share of the TTL between `(1 - jitter) × ttlMs` and
   * `ttlMs`, never longer. Entries filled together (after a restart or a flush) then no longer expire together,
   * every TTL, forever: their lifetimes drift apart, and the refills spread out.
   */
  constructor({ max, ttlMs, jitter = 0 }: { max: number; ttlMs: number; jitter?: number }) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('max must be a positive integer.');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive.');
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('jitter must be between 0 and 1.');
    this.#max = max;
    this.#ttlMs = ttlMs;
    this.#jitter = jitter;
    this.#half = max >>> 1;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (performance.now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#moves - entry.movedAt >= this.#half) {
      this.#entries.delete(key);
      entry.movedAt = ++this.#moves;
      this.#entries.set(key, entry); // now the most recently used
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    const ttl = this.#jitter === 0 ? this.#ttlMs : this.#ttlMs * (1 - this.#jitter * Math.random());
    this.#entries.set(key, { value, expiresAt: performance.now() + ttl, movedAt: ++this.#moves });
    // The first key in a Map is the one inserted (or re-inserted by a hit) longest ago.
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Milliseconds until the entry expires (≤ 0: expired), or undefined if absent; recency is left alone. */
  expiresIn(key: K): number | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : entry.expiresAt - performance.now();
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size;
  }
}
