import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock.ts';
import type { WebhookStore } from './ports.ts';
import type { DueWebhookDelivery, WebhookAttempt } from './webhook.ts';
import { webhookHeaders } from './webhook-signature.ts';

/** Options of `WebhookDispatcher`: only `store` is required. */
export interface WebhookDispatcherOptions {
  store: WebhookStore;
  clock?: Clock;
  /** This node's name in the lease (default: random). */
  nodeId?: string;
  /** How often the deliverer looks for due deliveries, and others check whether the lease is free (default 1 s). */
  pollIntervalMs?: number;
  /**
   * How long the lease lasts without renewal (default 30 s): a node that dies hands over after at most this.
   * Must exceed `timeoutMs`, so a slow receiver cannot outlast the lease mid-request.
   */
  leaseMs?: number;
  /** Requests per pass, sent in parallel (default 10). */
  batchSize?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** First retry delay (default 5 s), doubled per attempt up to `maxBackoffMs` (default 1 h), with ±20 % jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Finished deliveries (and their messages) are kept this long for the delivery log (default 7 days). */
  retentionMs?: number;
  /** Background failures (the store not reachable…); deliveries stay pending and are retried. */
  onError?: (error: unknown) => void;
}

/** The delay before attempt `attempts + 1` after `attempts` failures: exponential, capped, jittered. */
export function webhookBackoff(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/**
 * Delivers the outbox. Only the node holding the lease delivers (`claimWebhookLease`: a row both stores update
 * atomically), so several nodes on one PostgreSQL database send each delivery once; on SQLite there is one process.
 *
 * Guarantee: at least once. A delivery is marked done only after the receiver answered 2xx; a crash (kill -9)
 * between the request and that write sends it again, with the same `webhook-id`, which receivers use to drop the
 * duplicate (Standard Webhooks). If a node stalls past its lease while sending, another may take over and send the
 * same delivery again: again a duplicate with the same id, never a loss.
 */
export class WebhookDispatcher {
  readonly nodeId: string;
  readonly #store: WebhookStore;
  readonly #clock: Clock;
  readonly #o: Required<Omit<WebhookDispatcherOptions, 'store' | 'clock' | 'nodeId' | 'onError'>>;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #stopped = true;
  #again = false;
  /** Whether this node held the lease at its last pass. */
  leader = false;
  /** Until when this node's lease runs, by its own last claim. */
  #leaseUntil = 0;
  #prunedAt = 0;

  constructor(options: WebhookDispatcherOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? 'node_' + randomBytes(6).toString('base64url');
    this.#o = {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      leaseMs: options.leaseMs ?? 30_000,
      batchSize: options.batchSize ?? 10,
      timeoutMs: options.timeoutMs ?? 10_000,
      baseBackoffMs: options.baseBackoffMs ?? 5000,
      maxBackoffMs: options.maxBackoffMs ?? 60 * 60 * 1000,
      retentionMs: options.retentionMs ?? 7 * 24 * 60 * 60 * 1000,
    };
    this.#onError = options.onError ?? (() => {});
  }

  /** Starts polling (an unref'd timer: it never keeps the process alive). */
  start(): this {
    if (!this.#stopped) return this;
    this.#stopped = false;
    this.#schedule(0);
    return this;
  }

  /** Looks for due deliveries now (after a local enqueue) rather than at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  /** Stops polling, waits for requests in flight, and gives the lease up so another node takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    if (this.leader) await this.#store.releaseWebhookLease(this.nodeId).catch(this.#onError);
    this.leader = false;
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delay);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#running || this.#stopped) return;
    let full = false;
    this.#running = this.runOnce()
      .then((sent) => void (full = sent >= this.#o.batchSize))
      .catch((error) => {
        this.leader = false;
        this.#onError(error);
      });
    await this.#running;
    this.#running = null;
    if (this.#stopped) return;
    const again = full || this.#again;
    this.#again = false;
    this.#schedule(again ? 0 : this.#o.pollIntervalMs);
  }

  /** One pass: take or renew the lease, then send what is due. Returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const now = this.#clock.now();
    // Renew at half-life rather than on every poll: a write every second on every node would cost more than it buys.
    if (!this.leader || now >= this.#leaseUntil - this.#o.leaseMs / 2) {
      this.leader = await this.#store.claimWebhookLease(this.nodeId, now, this.#o.leaseMs);
      if (this.leader) this.#leaseUntil = now + this.#o.leaseMs;
    }
    if (!this.leader) return 0;
    if (now - this.#prunedAt >= 60 * 60 * 1000) {
      this.#prunedAt = now;
      await this.#store.pruneWebhookDeliveries(now - this.#o.retentionMs);
    }
    const due = await this.#store.dueWebhookDeliveries(now, this.#o.batchSize);
    await Promise.all(due.map((d) => this.#deliver(d)));
    return due.length;
  }

  async #deliver(d: DueWebhookDelivery): Promise<void> {
    const sentAt = this.#clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Seshat-Webhooks/1', ...webhookHeaders(d.secret, d.messageId, Math.floor(sentAt / 1000), d.payload) },
        body: d.payload,
        // A redirect is an answer, not a place to send the event to (it could point anywhere).
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => {});
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (e) {
      error = describe(e);
    }
    const at = this.#clock.now();
    let attempt: WebhookAttempt;
    if (error === null) attempt = { at, status: 'succeeded', statusCode, error: null, nextAttemptAt: null };
    else {
      const next = at + webhookBackoff(d.attempts + 1, this.#o.baseBackoffMs, this.#o.maxBackoffMs);
      attempt = next > d.expiresAt
        ? { at, status: 'failed', statusCode, error, nextAttemptAt: null }
        : { at, status: 'pending', statusCode, error, nextAttemptAt: next };
    }
    await this.#store.recordWebhookAttempt(d.id, attempt);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'Timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return (cause?.code ?? cause?.message ?? error.message).slice(0, 500);
  }
  return String(error).slice(0, 500);
}
