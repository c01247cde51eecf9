import { hostname } from 'node:os';

/** The tuning both invalidation channels take (each documents the fields for its transport). */
interface ChannelTuning {
  nodeId?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  leaseMs?: number;
  ackTimeoutMs?: number;
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
