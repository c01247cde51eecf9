import { createClient, ErrorReply, type RedisClientType } from '@redis/client';
import { SeshatError, isSeshatError } from '../../core/errors.ts';
import type { Script } from './scripts.ts';
import { DEFAULT_REDIS_TIER, type RedisTierOptions } from './options.ts';

/** A Redis reply as `@redis/client` gives it with RESP3: strings, numbers, null, arrays, maps as plain objects. */
export type Reply = string | number | null | Reply[] | { [field: string]: Reply };

/**
 * One Redis connection of the session tier (`@redis/client`, RESP3): every command has a deadline, and every failure
 * to reach Redis becomes `unavailable` (HTTP 503) in this one place, never "not signed in". Commands are not queued
 * while the connection is down (they fail at once); it reconnects with backoff in the background.
 */
export class RedisConnection {
  /** Where Redis is (`redis://…`). */
  readonly url: string;
  /** The tier's options in force (over `DEFAULT_REDIS_TIER`). */
  readonly options: Required<RedisTierOptions>;
  readonly #client: RedisClientType;
  #ready: Promise<void> | null = null;
  #connectedOnce = false;
  #closed = false;

  constructor(url: string, options: RedisTierOptions = {}) {
    this.url = url;
    this.options = { ...DEFAULT_REDIS_TIER, ...options };
    this.#client = this.duplicate('seshat');
  }

  /**
   * A new client on the same server with the same limits (the invalidation channel subscribes on its own one).
   * `reconnect` false: a dropped connection stays closed, for owners that replace it themselves.
   */
  duplicate(name: string, reconnect = true): RedisClientType {
    const client: RedisClientType = createClient({
      url: this.url,
      RESP: 3,
      name,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.options.connectTimeoutMs,
        keepAlive: true,
        // Once it has worked, a dropped connection comes back with backoff; a first connection that fails is reported
        // (the next call tries again) rather than retried forever behind a hung start-up.
        reconnectStrategy: (retries, cause) => (reconnect && this.#connectedOnce && !this.#closed ? Math.min(50 * 2 ** retries, 2000) : cause),
      },
    }) as RedisClientType;
    // Without a listener an 'error' event would crash the process; failures reach the callers of commands.
    client.on('error', () => {});
    return client;
  }

  /** Connects once (again after a failed first attempt); later calls share the same attempt. */
  async connect(): Promise<void> {
    if (this.#closed) throw new SeshatError('unavailable', 'The Redis connection is closed.');
    this.#ready ??= this.#client.connect().then(
      () => {
        this.#connectedOnce = true;
      },
      (error: unknown) => {
        this.#ready = null;
        throw translate(error, this.url);
      },
    );
    return this.#ready;
  }

  /** Runs one command under the command deadline. */
  async send<T extends Reply = Reply>(args: string[]): Promise<T> {
    await this.connect();
    try {
      return (await this.#client.sendCommand(args, { timeout: this.options.commandTimeoutMs })) as T;
    } catch (error) {
      throw translate(error, this.url);
    }
  }

  /** Runs a script: by its SHA-1, and by its source once if the server has not seen it (a restart, a new server). */
  async run<T extends Reply = Reply>(script: Script, args: string[]): Promise<T> {
    const argv = [this.options.prefix, ...args];
    try {
      return await this.send<T>(['EVALSHA', script.sha, '0', ...argv]);
    } catch (error) {
      if (!(error instanceof ErrorReply && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.send<T>(['EVAL', script.source, '0', ...argv]);
    }
  }

  /** A key under the prefix. */
  key(name: string): string {
    return this.options.prefix + name;
  }

  /** Closes the connection (waiting for commands in flight); the connection is unusable afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#client.isOpen) await this.#client.close().catch(() => this.#client.destroy());
  }
}

/**
 * Failures to reach Redis become `unavailable`; an error answer from Redis itself (a bad script) and a programming
 * error (a bad argument) stay what they are: bugs, not outages.
 */
export function translate(error: unknown, url: string): unknown {
  if (isSeshatError(error) || error instanceof ErrorReply || error instanceof TypeError || error instanceof RangeError) return error;
  return new SeshatError('unavailable', `Redis (${describeRedis(url)}) is not reachable or did not answer in time.`, { cause: error });
}

/** Where a Redis URL points, with any password hidden. */
export function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
