import { randomUUID } from 'node:crypto';
import type { RedisClientType } from '@redis/client';
import { z } from 'zod';
import type { Invalidation, InvalidationChannel, InvalidationListener } from '../../core/invalidation.ts';
import { Confirmations, resolveTuning, type ChannelTuning, type ResolvedTuning } from '../confirmed-delivery.ts';
import type { RedisConnection } from './connection.ts';

/** Tuning of the Redis pub/sub channel: the same meanings and defaults as the PostgreSQL channel's (`PgInvalidationOptions`). */
export interface RedisInvalidationOptions extends ChannelTuning {
  /** Names this process's listening connection (`CLIENT LIST`: `seshat-invalidation <nodeId>`); default `<hostname>/<pid>`. */
  nodeId?: string;
  /**
   * How often the node sends itself a heartbeat through Redis pub/sub (default a quarter of `leaseMs`). Hearing it back
   * on the listening connection renews the lease under which the node trusts its cache: pub/sub delivers in order, so
   * every invalidation published before the heartbeat has been applied by then.
   */
  heartbeatMs?: number;
}

const invalidationSchema: z.ZodType<Invalidation> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sessions'), ids: z.array(z.string().max(64)) }),
  z.object({ kind: z.literal('users'), ids: z.array(z.string().max(255)), origin: z.string().max(64).optional() }),
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('settings') }),
]);
const ackSchema = z.object({ ack: z.string().regex(/^[\w-]{1,64}$/), replyTo: z.string().max(300) });

type Resolved = ResolvedTuning;

/**
 * Cross-node cache invalidation over Redis pub/sub, with the PostgreSQL channel's guarantees (see
 * `PgInvalidationChannel`):
 *
 * - Confirmed delivery: PUBLISH answers how many connections received the message, so a publisher that is itself
 *   listening tags the message with a nonce and its reply channel and waits (up to `ackTimeoutMs`) until that many
 *   nodes confirmed they applied it. A revocation answered on node A is applied on every healthy node B already.
 * - Trust only while listening: the cache is trusted only while the node's own heartbeat, sent through Redis, came
 *   back on its listening connection within `leaseMs` (≤ `ackTimeoutMs`). A dropped or silent connection stops the
 *   heartbeats, so a node that did not confirm has stopped trusting its cache by the time the publisher answers.
 * - Pub/sub keeps no messages for a disconnected listener: losing the connection flushes the cache at once, and again
 *   when the first heartbeat is heard on the new one (messages of the gap are lost).
 */
export class RedisInvalidationChannel implements InvalidationChannel {
  readonly #redis: RedisConnection;
  readonly #options: Resolved;
  readonly #channel: string;
  readonly #replyChannel: string;
  readonly #confirmations: Confirmations;
  #subscriptions: RedisSubscription[] = [];

  constructor(redis: RedisConnection, options: RedisInvalidationOptions = {}) {
    this.#redis = redis;
    this.#options = resolveTuning(options);
    this.#confirmations = new Confirmations(this.#options.ackTimeoutMs, (acks, expected) =>
      this.#options.onError?.(new Error(`Invalidation confirmed by ${acks} of ${expected ?? '?'} nodes within ${this.#options.ackTimeoutMs} ms; the others no longer trust their caches (their lease has run out).`)),
    );
    this.#channel = redis.key('invalidation');
    this.#replyChannel = redis.key(`ack:${randomUUID()}`);
  }

  /** Whether this node may use its validation cache now: every subscription heard its heartbeat within the lease. */
  cacheTrusted(): boolean {
    const subscriptions = this.#subscriptions;
    if (subscriptions.length === 0) return false;
    for (let i = 0; i < subscriptions.length; i++) if (!subscriptions[i]!.current) return false;
    return true;
  }

  /** Sends an invalidation (after the change committed) and waits up to the ack timeout for every listening node to apply it. */
  async publish(invalidation: Invalidation): Promise<void> {
    const nonce = this.#subscriptions.length > 0 ? randomUUID() : null;
    const message = nonce ? { ...invalidation, ack: nonce, replyTo: this.#replyChannel } : invalidation;
    const confirmed = nonce ? this.#confirmations.wait(nonce) : null;
    try {
      // PUBLISH answers how many listening connections received it: the number of confirmations to wait for.
      const receivers = await this.#redis.send<number>(['PUBLISH', this.#channel, JSON.stringify(message)]);
      if (nonce) this.#confirmations.expect(nonce, receivers);
    } catch (error) {
      if (nonce) this.#confirmations.expect(nonce, 0);
      throw error;
    }
    await confirmed;
  }

  async subscribe(listener: InvalidationListener): Promise<() => Promise<void>> {
    await this.#redis.connect();
    const subscription = new RedisSubscription(this.#redis, this.#channel, this.#replyChannel, listener, this.#options, (nonce) => this.#confirmations.acknowledged(nonce));
    await subscription.connect(); // the first connection must work: fail start-up rather than run unsynchronised
    this.#subscriptions = [...this.#subscriptions, subscription];
    return async () => {
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
      await subscription.stop();
    };
  }


}

/** One listening connection: the invalidation channel, this process's reply channel, and its own heartbeat channel. */
class RedisSubscription {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #replyChannel: string;
  readonly #heartbeatChannel: string;
  readonly #listener: InvalidationListener;
  readonly #options: Resolved;
  readonly #onAck: (nonce: string) => void;
  #client: RedisClientType | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** The heartbeat in flight (its send time), or null: the next tick waits for it rather than piling up. */
  #beat: { sentAt: number; deadline: NodeJS.Timeout } | null = null;
  #leaseUntil = 0;
  /** Set while the connection was lost: the first heartbeat heard afterwards flushes the cache before trusting it. */
  #gap = false;
  #backoff: number;

  constructor(redis: RedisConnection, channel: string, replyChannel: string, listener: InvalidationListener, options: Resolved, onAck: (nonce: string) => void) {
    this.#redis = redis;
    this.#channel = channel;
    this.#replyChannel = replyChannel;
    this.#heartbeatChannel = redis.key(`heartbeat:${randomUUID()}`);
    this.#listener = listener;
    this.#options = options;
    this.#onAck = onAck;
    this.#backoff = options.minBackoffMs;
  }

  /** Listening, and its own heartbeat came back within the lease. */
  get current(): boolean {
    return this.#client !== null && performance.now() < this.#leaseUntil;
  }

  async connect(): Promise<void> {
    // Its own connection, never reconnected by the client library: a lost one is replaced here, so the flush and the
    // lease follow every gap.
    const client = this.#redis.duplicate(`seshat-invalidation ${this.#options.nodeId}`.slice(0, 63).replaceAll(' ', '_'), false);
    const onLost = (error?: unknown) => {
      if (this.#client !== client) return;
      this.#client = null;
      this.#leaseUntil = 0;
      this.#gap = true;
      this.#stopHeartbeat();
      if (error) this.#options.onError?.(error);
      client.destroy();
      if (this.#stopped) return;
      // Messages may be missed from now until the new connection listens: drop everything cached.
      this.#listener.reset();
      this.#scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    let listeningSince: number;
    try {
      await client.connect();
      listeningSince = performance.now();
      await client.subscribe([this.#channel, this.#replyChannel, this.#heartbeatChannel], (message, channel) => this.#heard(message, channel));
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => {});
      client.destroy();
      throw error;
    }
    if (this.#stopped) {
      client.destroy();
      return;
    }
    this.#client = client;
    if (this.#gap) {
      // Listening again: whatever was published meanwhile is lost. Flush before the lease makes the cache usable.
      this.#gap = false;
      this.#listener.reset();
    }
    // The first lease counts from before SUBSCRIBE was sent: nothing published after that can be missed.
    this.#leaseUntil = listeningSince + this.#options.leaseMs;
    this.#backoff = this.#options.minBackoffMs;
    this.#startHeartbeat(onLost);
  }

  #heard(message: string, channel: string): void {
    if (channel === this.#heartbeatChannel) return this.#heartbeatHeard(message);
    if (channel === this.#replyChannel) return this.#onAck(message);
    if (channel !== this.#channel) return;
    let json: unknown = null;
    try {
      json = JSON.parse(message);
    } catch {
      // unreadable: treated below as "may have missed something"
    }
    const parsed = invalidationSchema.safeParse(json);
    if (parsed.success) this.#listener.message(parsed.data);
    else this.#listener.reset();
    // Confirm only after applying it (the manager drops cached sessions synchronously in message()).
    const ack = ackSchema.safeParse(json);
    if (ack.success) this.#redis.send(['PUBLISH', ack.data.replyTo, ack.data.ack]).catch(() => {});
  }

  #startHeartbeat(onLost: (error: unknown) => void): void {
    this.#heartbeat = setInterval(() => {
      if (this.#beat) return;
      const sentAt = performance.now();
      const deadline = setTimeout(() => onLost(new Error('The invalidation connection did not hear its heartbeat.')), this.#options.heartbeatTimeoutMs);
      deadline.unref();
      this.#beat = { sentAt, deadline };
      // Sent on the command connection, heard on the listening one: a round trip through Redis pub/sub itself.
      this.#redis.send(['PUBLISH', this.#heartbeatChannel, String(sentAt)]).catch(() => {
        // Redis unreachable: no answer will come; the lease runs out and the deadline replaces the connection.
      });
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  #heartbeatHeard(message: string): void {
    const beat = this.#beat;
    if (!beat || String(beat.sentAt) !== message || this.#client === null) return;
    clearTimeout(beat.deadline);
    this.#beat = null;
    // Everything published before `sentAt` came before this on the same ordered stream and has been applied. If the
    // lease ran out meanwhile, flush anyway: what the cache held before the gap was trusted on older evidence.
    const lapsed = performance.now() >= this.#leaseUntil;
    this.#leaseUntil = Math.max(this.#leaseUntil, beat.sentAt + this.#options.leaseMs);
    if (lapsed) this.#listener.reset();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#beat) clearTimeout(this.#beat.deadline);
    this.#beat = null;
  }

  #scheduleReconnect(): void {
    if (this.#retry || this.#stopped) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#options.maxBackoffMs);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.connect().catch((error: unknown) => {
        this.#options.onError?.(error);
        this.#scheduleReconnect();
      });
    }, delay);
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopHeartbeat();
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.close().catch(() => client.destroy());
    }
  }
}
