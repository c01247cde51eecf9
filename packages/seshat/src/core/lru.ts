/**
 * A map bounded in size and in age: the least recently used entry goes first when it is full, and an entry
 * older than `ttlMs` (counted from when it was set, not from its last read) is never returned.
 *
 * Why not the `lru-cache` package: this is all the validation cache needs from it, in a JavaScript `Map`
 * (which keeps insertion order, so re-inserting on a hit is the recency list), while the package is 3.4 MB
 * installed, a quarter of a library user's install. Ages use `performance.now()`, a monotonic clock, as
 * lru-cache did: a wall-clock jump must not keep stale sessions alive.
 */
export class LruTtlMap<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  readonly #max: number;
  readonly #ttlMs: number;

  constructor({ max, ttlMs }: { max: number; ttlMs: number }) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('max must be a positive integer.');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive.');
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (performance.now() >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry); // now the most recently used
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: performance.now() + this.#ttlMs });
    // The first key in a Map is the one inserted (or re-inserted by a hit) longest ago.
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
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
