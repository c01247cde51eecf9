import type { BatchedTouch, SessionStore } from './ports.ts';
import type { Location } from './session.ts';

/** Activity a node has seen for one session and not yet written. */
export interface PendingActivity {
  requests: number;
  lastActiveAt: number;
  lastPath: string | null;
  /** The latest client address, when it differs from the one the node last knew; undefined = unchanged. */
  ip: string | undefined;
  /** The last activity before the first request of this batch (`BatchedTouch.previousActiveAt`). */
  previousActiveAt: number | undefined;
  /** Which batch holds it (`TouchBatch` counts its batches): a caller's copy from an earlier batch is spent. */
  batch: number;
}

/** Options of `TouchBatch`. */
export interface TouchBatchOptions {
  store: Pick<SessionStore, 'touchSessions'>;
  /** How often the batch is written (the touch interval). */
  intervalMs: number;
  /** Sessions the batch found revoked or deleted (their rows were not updated): drop them from the cache. */
  onGone: (ids: string[]) => void;
  /** After a write: the sessions it found live (and updated), for the cache's refresh ahead. */
  onLive?: (ids: readonly string[]) => void;
  /**
   * Turns a new client address into what is stored (anonymised or not) and its location (undefined = location
   * left as stored); none = the address stored as is.
   */
  describeAddress?: (ip: string) => Promise<{ ip: string | null; location?: Location | null }>;
  /** After a write: sessions whose new address (and location) it recorded, for risk checks. */
  onAddresses?: (changes: { id: string; ip: string | null; location: Location | null | undefined }[]) => void;
  /** A batch that could not be written (it is kept and retried with the next one). */
  onError: (error: unknown) => void;
}

/**
 * Last-active, request counts, last path and latest address of every session a node serves, written as ONE
 * statement per interval (default 1 s) instead of one write per session per touch.
 *
 * Counts live here, in a map of their own, not in validation-cache entries: an entry can be evicted or expire
 * at any moment, and counts kept on it were lost with it (issue #11: 786 of 7,500 requests recorded). They leave
 * this map only when the store has taken them; a failed write puts them back. So while the node runs no count
 * is lost, and a crash loses at most one interval. `stop()` writes what is left.
 *
 * Each row of the statement keeps the touch condition (`revoked_at IS NULL`): the store answers which ids it
 * updated, and an id missing from that answer was revoked (or collected) meanwhile, on any node: `onGone`.
 */
export class TouchBatch {
  readonly intervalMs: number;
  readonly #options: TouchBatchOptions;
  #pending = new Map<string, PendingActivity>();
  /** The batch being written, still counted by `pending()` (it is not in the database yet). */
  #writing = new Map<string, PendingActivity>();
  /** The number of the batch `#pending` holds (one more per write). */
  #batch = 0;
  #flushing: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: TouchBatchOptions) {
    this.#options = options;
    this.intervalMs = options.intervalMs;
  }

  /**
   * Counts one request of a session (the hot path: a few assignments). `previousActiveAt` is the session's last
   * activity before this request as the node knows it; the batch keeps the one of its first request.
   *
   * Returns the session's pending activity; passed back as `known` with the session's next request, it spares the
   * look-up in the map of every active session while it is still in the open batch (a busy session is seen several
   * times per batch). One from an earlier batch is ignored: that batch has been handed to the store.
   */
  seen(id: string, at: number, path: string | null | undefined, ip?: string, previousActiveAt?: number, known?: PendingActivity): PendingActivity {
    let p = known !== undefined && known.batch === this.#batch ? known : this.#pending.get(id);
    if (p === undefined) this.#pending.set(id, (p = { requests: 0, lastActiveAt: at, lastPath: null, ip: undefined, previousActiveAt, batch: this.#batch }));
    p.requests++;
    if (at > p.lastActiveAt) p.lastActiveAt = at;
    if (path != null) p.lastPath = path;
    if (ip !== undefined) p.ip = ip;
    return p;
  }

  /** Activity seen for a session and not yet in the database (for displays that must not lag), or undefined. */
  pending(id: string): PendingActivity | undefined {
    const waiting = this.#pending.get(id);
    const writing = this.#writing.get(id);
    if (!writing) return waiting;
    if (!waiting) return writing;
    return { ...waiting, requests: waiting.requests + writing.requests, lastActiveAt: Math.max(waiting.lastActiveAt, writing.lastActiveAt) };
  }

  /** Starts writing every `intervalMs` (an unref'd timer: it never keeps a process alive). */
  start(): this {
    if (this.#timer === null && this.intervalMs > 0) {
      this.#timer = setInterval(() => void this.flush(), this.intervalMs);
      this.#timer.unref();
    }
    return this;
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  /** Writes the activity seen so far as one statement; one flush at a time (a caller during one waits for it, then writes). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    this.#flushing = this.#write().finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  async #write(): Promise<void> {
    const batch = (this.#writing = this.#pending);
    this.#pending = new Map();
    this.#batch++;
    try {
      const touches: BatchedTouch[] = new Array(batch.size);
      let i = 0;
      let moves = false;
      for (const [id, p] of batch) {
        const touch: BatchedTouch = { id, lastActiveAt: p.lastActiveAt, requests: p.requests, lastPath: p.lastPath, previousActiveAt: p.previousActiveAt };
        if (p.ip !== undefined) {
          Object.assign(touch, await this.#address(p.ip));
          moves = true;
        }
        touches[i++] = touch;
      }
      const updated = await this.#options.store.touchSessions(touches);
      // The common answer under load: every row updated. Only otherwise is it worth a set to find the gone ones.
      const taken = updated.length === touches.length ? null : new Set(updated);
      if (taken) {
        const gone = touches.filter((t) => !taken.has(t.id)).map((t) => t.id);
        if (gone.length > 0) this.#options.onGone(gone);
      }
      this.#options.onLive?.(updated);
      if (moves) {
        const moved = touches.filter((t) => t.ip != null && (!taken || taken.has(t.id))).map((t) => ({ id: t.id, ip: t.ip ?? null, location: t.location }));
        if (moved.length > 0) this.#options.onAddresses?.(moved);
      }
    } catch (error) {
      this.#putBack(batch);
      this.#options.onError(error);
    } finally {
      this.#writing = new Map();
    }
  }

  async #address(ip: string): Promise<{ ip: string | null; location?: Location | null }> {
    if (!this.#options.describeAddress) return { ip };
    try {
      return await this.#options.describeAddress(ip);
    } catch (error) {
      // A failed lookup must not cost the counts: the address is written without its place.
      this.#options.onError(error);
      return { ip, location: null };
    }
  }

  /** A batch the store did not take goes back, merged with what arrived meanwhile. */
  #putBack(batch: Map<string, PendingActivity>): void {
    for (const [id, old] of batch) {
      const now = this.#pending.get(id);
      if (!now) {
        old.batch = this.#batch; // it is in the open batch again
        this.#pending.set(id, old);
      }
      else {
        now.requests += old.requests;
        now.lastActiveAt = Math.max(now.lastActiveAt, old.lastActiveAt);
        now.lastPath ??= old.lastPath;
        now.ip ??= old.ip;
        // The older batch's "before" is the one the store last saw; unknown stays unknown.
        now.previousActiveAt = old.previousActiveAt === undefined || now.previousActiveAt === undefined ? undefined : Math.min(old.previousActiveAt, now.previousActiveAt);
      }
    }
  }
}
