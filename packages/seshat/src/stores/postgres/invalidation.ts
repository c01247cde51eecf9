import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import type { Invalidation, InvalidationChannel, InvalidationListener } from '../../core/invalidation.ts';
import { Confirmations, resolveTuning, type ChannelTuning, type ResolvedTuning } from '../confirmed-delivery.ts';

/** Tuning of the LISTEN/NOTIFY channel; every option has a safe default. */
export interface PgInvalidationOptions extends ChannelTuning {
  /** Names this process in pg_stat_activity (`seshat-invalidation <nodeId>`); default `<hostname>/<pid>`. */
  nodeId?: string;
  /**
   * How often the listening connection is checked with a `SELECT 1` (default a quarter of `leaseMs`: 250 ms).
   * Each answer renews the lease under which the node trusts its cache (see `leaseMs`); a connection that died
   * silently (network partition, no FIN/RST) stops renewing it, so the node stops trusting its cache within the
   * lease, long before TCP keepalive would notice.
   */
  heartbeatMs?: number;
}

/** The NOTIFY channel revocations are sent on. */
export const INVALIDATION_CHANNEL = 'seshat_invalidation';
/**
 * Where nodes confirm an invalidation from a publisher that named no reply channel (an older version): the
 * payload is the message's ack nonce. Every listener hears every confirmation sent here.
 */
export const ACK_CHANNEL = 'seshat_invalidation_ack';
/** Prefix of each process's own reply channel: confirmations go only to the publisher that asked for them. */
const REPLY_CHANNEL_PREFIX = 'seshat_ack_';
/** application_name prefix of the listening connections: how a publisher counts the nodes to wait for. */
export const LISTENER_PREFIX = 'seshat-invalidation ';
/** NOTIFY payloads must stay under 8000 bytes: ~30-byte ids, 200 per message. */
const IDS_PER_MESSAGE = 200;
/** User ids may be up to 255 characters: 25 per message keeps it under the limit too. */
const USERS_PER_MESSAGE = 25;

const invalidationSchema: z.ZodType<Invalidation> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sessions'), ids: z.array(z.string().max(64)).max(IDS_PER_MESSAGE) }),
  z.object({ kind: z.literal('users'), ids: z.array(z.string().max(255)).max(USERS_PER_MESSAGE), origin: z.string().max(64).optional() }),
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('settings') }),
]);

/** `{ack, replyTo}` asks every listener to confirm on `replyTo` (ACK_CHANNEL when absent) once it has applied the message. */
const ackSchema = z.object({ ack: z.string().regex(/^[\w-]{1,64}$/).optional(), replyTo: z.string().regex(/^seshat_ack_[a-z0-9]{1,40}$/).optional() });

/** Runs one statement on the store's pool. */
export type Execute = (sql: string, values: unknown[]) => Promise<Record<string, unknown>[]>;
type ResolvedOptions = ResolvedTuning;

/**
 * Cross-node cache invalidation over PostgreSQL LISTEN/NOTIFY.
 *
 * Publishing goes through the store's pool (`pg_notify`), after the revocation has committed: a listener
 * that receives the message and re-reads the row sees it revoked. Listening uses one dedicated connection
 * (a pooled one would be handed to other queries and lose the LISTEN). Notifications are not queued for a
 * disconnected listener, so when that connection drops, `listener.reset()` makes the manager flush its
 * cache at once; the connection is re-established with exponential backoff and `reset()` is called again
 * once LISTEN is back, because messages sent while it was down are lost. Between the two the cache is not
 * trusted at all (`cacheTrusted()` is false): every request reads the store, so the gap serves nothing stale.
 *
 * Lease: the cache is trusted only while the listening connection answered a heartbeat sent within the last
 * `leaseMs`. A connection that dies silently stops answering, so the node stops trusting its cache within
 * `leaseMs` (1 s), whether or not the socket ever reports an error.
 *
 * Confirmed delivery: a publisher that is itself subscribed counts the listening connections in the same
 * statement that sends the NOTIFY, tags the message with a nonce and its own reply channel, and waits (up to `ackTimeoutMs`) until
 * that many nodes have confirmed on ACK_CHANNEL after applying it. Since the session manager publishes after
 * the durable write and before the API answers, a revocation answered on node A is already applied on every
 * healthy node B: the very next request there is refused, however loaded the machines are. A node that did not
 * confirm within `ackTimeoutMs` has, by then, no lease left (`leaseMs` ≤ `ackTimeoutMs`, both counted from
 * before the message is sent), so it reads the store too. Nodes not listening at all are not counted, and need
 * not be: they trust no cache.
 */
export class PgInvalidationChannel implements InvalidationChannel {
  readonly #connectionString: string;
  readonly #execute: Execute;
  readonly #options: ResolvedOptions;
  /** Publishes waiting for confirmations, by nonce. */
  readonly #confirmations: Confirmations;
  /**
   * This process's reply channel. With one shared ack channel every node would hear every other node's
   * confirmation: N nodes, N confirmations per revocation, each delivered to N listeners, so the work per
   * revocation grew with N² and the publisher's wait with it (docs/benchmarks.md, many nodes). Replies to a
   * channel only the publisher listens on keep it at N deliveries.
   */
  readonly #replyChannel = `${REPLY_CHANNEL_PREFIX}${randomUUID().replaceAll('-', '')}`;
  #subscriptions: Subscription[] = [];

  constructor(connectionString: string, execute: Execute, options: PgInvalidationOptions = {}) {
    this.#connectionString = connectionString;
    this.#execute = execute;
    this.#options = resolveTuning(options);
    this.#confirmations = new Confirmations(this.#options.ackTimeoutMs, (acks, expected) =>
      this.#options.onError?.(new Error(`Invalidation confirmed by ${acks} of ${expected ?? '?'} nodes within ${this.#options.ackTimeoutMs} ms; the others no longer trust their caches (their lease has run out).`)),
    );
  }

  /**
   * Whether this node may use its validation cache now: every subscription is listening and heard from the
   * database within its lease. False before `subscribe`, while a dropped connection is being re-established, and
   * when heartbeats go unanswered; the session manager then reads the store on every request.
   */
  cacheTrusted(): boolean {
    // On the hot path (every cache use): an array walk, no iterator allocation; there is normally one subscription.
    const subscriptions = this.#subscriptions;
    if (subscriptions.length === 0) return false;
    for (let i = 0; i < subscriptions.length; i++) if (!subscriptions[i]!.current) return false;
    return true;
  }

  get applicationName(): string {
    return `${LISTENER_PREFIX}${this.#options.nodeId}`.slice(0, 63);
  }

  /** Sends an invalidation (after the change committed) and waits up to the ack timeout for every listening node to apply it. */
  async publish(invalidation: Invalidation): Promise<void> {
    const messages: (Invalidation & { ack?: string; replyTo?: string })[] =
      invalidation.kind === 'sessions'
        ? chunks(invalidation.ids, IDS_PER_MESSAGE).map((ids) => ({ kind: 'sessions', ids }))
        : invalidation.kind === 'users'
          ? chunks(invalidation.ids, USERS_PER_MESSAGE).map((ids) => ({ ...invalidation, ids }))
          : [invalidation];
    // Only a subscribed publisher hears confirmations; others just send (and rely on the TTL bound).
    const nonce = this.#subscriptions.length > 0 ? randomUUID() : null;
    // The last message carries the nonce: one statement sends all of them in order, so confirming the last
    // one confirms them all.
    if (nonce) Object.assign(messages[messages.length - 1]!, { ack: nonce, replyTo: this.#replyChannel });
    const confirmed = nonce ? this.#confirmations.wait(nonce) : null;
    try {
      const rows = await this.#execute(
        `SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $3) AS listeners,
                (SELECT count(pg_notify($1, m)) FROM unnest($2::text[]) AS m) AS sent`,
        [INVALIDATION_CHANNEL, messages.map((m) => JSON.stringify(m)), `${LISTENER_PREFIX}%`],
      );
      if (nonce) this.#confirmations.expect(nonce, Number(rows[0]?.listeners ?? 0));
    } catch (error) {
      if (nonce) this.#confirmations.expect(nonce, 0);
      throw error;
    }
    await confirmed;
  }



  async subscribe(listener: InvalidationListener): Promise<() => Promise<void>> {
    const subscription = new Subscription(this.#connectionString, this.applicationName, this.#replyChannel, listener, this.#options, (nonce) => this.#confirmations.acknowledged(nonce));
    await subscription.connect(); // the first connection must work: fail start-up rather than run unsynchronised
    this.#subscriptions = [...this.#subscriptions, subscription];
    return async () => {
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
      await subscription.stop();
    };
  }
}

class Subscription {
  readonly #connectionString: string;
  readonly #applicationName: string;
  readonly #replyChannel: string;
  readonly #listener: InvalidationListener;
  readonly #options: ResolvedOptions;
  #client: pg.Client | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** Runs statements on the current listening connection one after another. */
  #queue: <T>(statement: () => Promise<T>) => Promise<T> = (statement) => statement();
  /** A heartbeat sent and not answered yet: the next tick waits for it rather than piling up queries. */
  #beating = false;
  /** Until when (performance.now()) the cache may be trusted: renewed by each heartbeat answer, 0 when not listening. */
  #leaseUntil = 0;
  #backoff: number;
  readonly #onAck: (nonce: string) => void;

  constructor(connectionString: string, applicationName: string, replyChannel: string, listener: InvalidationListener, options: ResolvedOptions, onAck: (nonce: string) => void) {
    this.#onAck = onAck;
    this.#replyChannel = replyChannel;
    this.#connectionString = connectionString;
    this.#applicationName = applicationName;
    this.#listener = listener;
    this.#options = options;
    this.#backoff = options.minBackoffMs;
  }

  /** Listening, and the database answered within the lease. */
  get current(): boolean {
    return this.#client !== null && performance.now() < this.#leaseUntil;
  }

  /** Opens the listening connection; `reconnecting` flushes the listener's state before the cache is trusted again. */
  async connect(reconnecting = false): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#connectionString,
      application_name: this.#applicationName,
      keepAlive: true,
      // A connection attempt into a black hole must fail (and be retried), not hang the reconnect loop forever.
      connectionTimeoutMillis: this.#options.heartbeatTimeoutMs,
    });
    const onLost = (error?: unknown) => {
      // Only an established connection counts; a failed attempt is handled where connect() is awaited.
      if (this.#client !== client) return;
      this.#client = null;
      this.#leaseUntil = 0;
      this.#stopHeartbeat();
      if (error) this.#options.onError?.(error);
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      if (this.#stopped) return;
      // Messages may be missed from now until LISTEN is back: drop everything cached.
      this.#listener.reset();
      this.#scheduleReconnect();
    };
    // Confirmations and heartbeats share this connection: one statement at a time (pg queues overlapping calls, but
    // deprecates doing so).
    let tail: Promise<unknown> = Promise.resolve();
    const queue = <T>(statement: () => Promise<T>): Promise<T> => {
      const next = tail.then(statement, statement);
      tail = next.catch(() => {});
      return next;
    };
    this.#queue = queue;
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.payload === undefined) return;
      if (n.channel === ACK_CHANNEL || n.channel === this.#replyChannel) return this.#onAck(n.payload);
      if (n.channel !== INVALIDATION_CHANNEL) return;
      const json = safeJson(n.payload);
      const parsed = invalidationSchema.safeParse(json);
      // Anything unreadable (another version, a stray NOTIFY): treat as "may have missed something".
      if (parsed.success) this.#listener.message(parsed.data);
      else this.#listener.reset();
      // Confirm only after applying it (the manager drops cached sessions synchronously in message()).
      const ack = ackSchema.safeParse(json);
      if (ack.success && ack.data.ack) {
        const to = ack.data.replyTo ?? ACK_CHANNEL;
        const nonce = ack.data.ack;
        queue(() => client.query('SELECT pg_notify($1, $2)', [to, nonce])).catch(() => {});
      }
    });
    let listeningSince: number;
    try {
      await client.connect();
      listeningSince = performance.now();
      // ACK_CHANNEL too: nodes of an older version still confirm there during a rolling upgrade.
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}; LISTEN ${ACK_CHANNEL}; LISTEN ${this.#replyChannel}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => {});
      void client.end().catch(() => {});
      throw error;
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    // Listening again: whatever was published while we were away is lost, so flush once more — synchronously,
    // before the lease makes the cache usable, so no read from the deaf period can be cached after it. The first
    // lease counts from before LISTEN was sent: nothing published after that can be missed.
    if (reconnecting) this.#listener.reset();
    this.#leaseUntil = listeningSince + this.#options.leaseMs;
    this.#backoff = this.#options.minBackoffMs;
    this.#startHeartbeat(client, onLost);
  }

  #startHeartbeat(client: pg.Client, onLost: (error: unknown) => void): void {
    this.#beating = false;
    this.#heartbeat = setInterval(() => {
      if (this.#beating) return;
      this.#beating = true;
      const sentAt = performance.now();
      const deadline = setTimeout(() => onLost(new Error('The invalidation connection did not answer its heartbeat.')), this.#options.heartbeatTimeoutMs);
      deadline.unref();
      this.#queue(() => client.query('SELECT 1')).then(
        () => {
          clearTimeout(deadline);
          this.#beating = false;
          if (this.#client !== client) return;
          // The answer comes after every notification queued before it on this connection (one ordered stream), so
          // everything published before `sentAt` has been applied: trust holds until `sentAt + leaseMs`. If the
          // lease ran out meanwhile, requests read the store and nothing was cached; flush anyway, since what
          // the cache held before the gap was trusted on older evidence.
          const lapsed = performance.now() >= this.#leaseUntil;
          this.#leaseUntil = Math.max(this.#leaseUntil, sentAt + this.#options.leaseMs);
          if (lapsed) this.#listener.reset();
        },
        (error: unknown) => {
          clearTimeout(deadline);
          this.#beating = false;
          onLost(error);
        },
      );
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #scheduleReconnect(): void {
    if (this.#retry || this.#stopped) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#options.maxBackoffMs);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.connect(true).then(
        () => {},
        (error) => {
          this.#options.onError?.(error);
          this.#scheduleReconnect();
        },
      );
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
    if (client) await endWithin(client, 1000);
  }
}

/** Ends a connection, but does not wait forever for a peer that no longer answers (shutdown must finish). */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.end().catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
