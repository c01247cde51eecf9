import { hostname } from 'node:os';

/**
 * The tuning both confirmed-delivery invalidation channels take (PostgreSQL LISTEN/NOTIFY, Redis pub/sub); each
 * channel's options add what is particular to its transport.
 */
export interface ChannelTuning {
  /** Names this process's listening connection on the server (default `<hostname>/<pid>`). */
  nodeId?: string;
  /** First reconnect delay after the listening connection drops (default 100 ms); doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  /** Longest reconnect delay (default 5 s). */
  maxBackoffMs?: number;
  /** How often the listening connection is checked (default a quarter of `leaseMs`); each answer renews the lease. */
  heartbeatMs?: number;
  /** A heartbeat unanswered this long counts as a lost connection: dropped and reconnected (default 5 s). */
  heartbeatTimeoutMs?: number;
  /**
   * How long a heartbeat answer lets the node trust its cache, counted from when the heartbeat was sent (default
   * `ackTimeoutMs`, 1 s; never longer). Past it, every request reads the store until the next answer (and the cache
   * is flushed then). Because a publisher waits up to `ackTimeoutMs` for confirmations, counted from before it sends,
   * a node that did not confirm has stopped trusting its cache by the time the publisher answers.
   */
  leaseMs?: number;
  /**
   * How long `publish` waits for every listening node to confirm it applied the invalidation (default 1 s). Past that
   * the revocation still stands (it is durable), and a node that did not confirm no longer trusts its cache (its
   * lease, at most this long, ran out without an answer).
   */
  ackTimeoutMs?: number;
  /** Reports connection problems and unconfirmed invalidations (the server logs them). */
  onError?: (error: unknown) => void;
}
export type ResolvedTuning = Required<Omit<ChannelTuning, 'onError'>> & Pick<ChannelTuning, 'onError'>;

/**
 * Fills in the defaults and checks the one rule that keeps confirmed delivery sound: a node's lease never outlasts
 * the publisher's wait, so a node that did not confirm has stopped trusting its cache by the time the publisher answers.
 */
export function resolveTuning(options: ChannelTuning): ResolvedTuning {
  const ackTimeoutMs = options.ackTimeoutMs ?? 1000;
  const leaseMs = options.leaseMs ?? ackTimeoutMs;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 4));
  if (leaseMs > ackTimeoutMs) throw new RangeError(`leaseMs (${leaseMs}) must not exceed ackTimeoutMs (${ackTimeoutMs}).`);
  if (heartbeatMs >= leaseMs) throw new RangeError(`heartbeatMs (${heartbeatMs}) must be shorter than leaseMs (${leaseMs}).`);
  return {
    nodeId: options.nodeId ?? `${hostname()}/${process.pid}`,
    minBackoffMs: options.minBackoffMs ?? 100,
    maxBackoffMs: options.maxBackoffMs ?? 5000,
    heartbeatMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5000,
    leaseMs,
    ackTimeoutMs,
    onError: options.onError,
  };
}

/**
 * Confirmed delivery of one invalidation, shared by the PostgreSQL (NOTIFY) and Redis (pub/sub) channels: the
 * publisher learns how many listeners received the message (`expect`), and each listener acknowledges it
 * (`acknowledged`), in either order. `wait` resolves once every receiver confirmed, or after `timeoutMs`, when the
 * shortfall is reported through `onTimeout` (the publish still succeeds: the caller has already committed).
 */
export class Confirmations {
  readonly #pending = new Map<string, { acks: number; expected: number | null; done: () => void }>();
  readonly #timeoutMs: number;
  readonly #onTimeout: (acks: number, expected: number | null) => void;

  constructor(timeoutMs: number, onTimeout: (acks: number, expected: number | null) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  /** Starts waiting for the confirmations of `nonce`; call before publishing, so no early ack is missed. */
  wait(nonce: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const entry = this.#pending.get(nonce);
        this.#pending.delete(nonce);
        this.#onTimeout(entry?.acks ?? 0, entry?.expected ?? null);
        resolve();
      }, this.#timeoutMs);
      this.#pending.set(nonce, {
        acks: 0,
        expected: null,
        done: () => {
          clearTimeout(timer);
          this.#pending.delete(nonce);
          resolve();
        },
      });
    });
  }

  /** How many listeners received `nonce` (0 when the publish failed: stop waiting). */
  expect(nonce: string, listeners: number): void {
    const entry = this.#pending.get(nonce);
    if (!entry) return;
    entry.expected = listeners;
    if (entry.acks >= listeners) entry.done();
  }

  /** One listener confirmed `nonce`. */
  acknowledged(nonce: string): void {
    const entry = this.#pending.get(nonce);
    if (!entry) return;
    entry.acks++;
    if (entry.expected !== null && entry.acks >= entry.expected) entry.done();
  }
}
