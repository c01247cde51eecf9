import type { ServerResponse } from 'node:http';
import { SeshatError, type SessionEvent, type SessionManager, type SessionRecord, type StoreScope } from 'seshat';

/** Limits of the live session streams (`GET /api/sessions/stream`). */
export interface StreamLimits {
  /** Open streams per user on this node; one more is refused with 429. */
  maxPerUser: number;
  /** A comment line this often keeps proxies from timing the stream out, and re-checks the session's expiry. */
  heartbeatMs: number;
  /** A stream is closed after this long (the browser reconnects, re-authenticating): no connection lives forever. */
  maxAgeMs: number;
}

/** Buffered bytes beyond which a client that does not read is dropped rather than buffered for. */
const MAX_BUFFERED = 64 * 1024;

interface OpenStream {
  sessionId: string;
  userId: string;
  close(): void;
}

/**
 * The open Server-Sent-Event streams of this node: at most one per session (a new one replaces the old: the UI
 * keeps one per browser, shared by its tabs), at most `maxPerUser` per user, each closed after `maxAgeMs`, all
 * closed on shutdown. Each costs one subscription, two timers and its socket.
 */
export class SessionStreams {
  readonly #manager: SessionManager<StoreScope>;
  readonly #limits: StreamLimits;
  readonly #bySession = new Map<string, OpenStream>();
  readonly #perUser = new Map<string, number>();
  #counter = 0;

  constructor(manager: SessionManager<StoreScope>, limits: StreamLimits) {
    this.#manager = manager;
    this.#limits = limits;
  }

  get size(): number {
    return this.#bySession.size;
  }

  /** Refuses a stream over the per-user cap (a replacement of the session's own stream does not count). */
  admit(session: SessionRecord): void {
    const open = this.#perUser.get(session.userId) ?? 0;
    if (open >= this.#limits.maxPerUser && !this.#bySession.has(session.id)) {
      throw new SeshatError('rate_limited', `At most ${this.#limits.maxPerUser} live session streams per user; close another tab or window first.`);
    }
  }

  /**
   * Streams the session's events into `response` (headers already sent) until the session ends, the client goes,
   * the stream reaches its age limit or the server shuts down. `resumed` (a Last-Event-ID came): events may have
   * been missed while disconnected, so the page is told to reload its list at once.
   */
  async open(session: SessionRecord, response: ServerResponse, resumed: boolean): Promise<void> {
    this.#bySession.get(session.id)?.close();
    this.#perUser.set(session.userId, (this.#perUser.get(session.userId) ?? 0) + 1);
    let closed = false;
    let unsubscribe: () => void = () => {};
    const send = (event: string, data: unknown) => {
      if (closed) return;
      response.write(`id: ${Date.now().toString(36)}-${++this.#counter}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (response.writableLength > MAX_BUFFERED) close();
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(maxAge);
      unsubscribe();
      if (this.#bySession.get(session.id) === stream) this.#bySession.delete(session.id);
      const left = (this.#perUser.get(session.userId) ?? 1) - 1;
      if (left > 0) this.#perUser.set(session.userId, left);
      else this.#perUser.delete(session.userId);
      response.end();
    };
    const stream: OpenStream = { sessionId: session.id, userId: session.userId, close };
    this.#bySession.set(session.id, stream);
    response.on('close', close);

    const heartbeat = setInterval(() => {
      if (closed) return;
      response.write(': heartbeat\n\n');
      // Nothing announces an expiry: when this node's copy says the session has expired, ask the store, which
      // ends the stream with the reason (another node's activity may have kept it alive).
      if (!this.#manager.isLive(session)) void this.#manager.checkSubscribed(session.id).catch(() => close());
    }, this.#limits.heartbeatMs);
    heartbeat.unref();
    const maxAge = setTimeout(close, this.#limits.maxAgeMs);
    maxAge.unref();

    // The browser waits 3 s before reconnecting after a drop.
    response.write('retry: 3000\n\n');
    try {
      unsubscribe = await this.#manager.subscribe(session.id, (event: SessionEvent) => {
        if (event.type === 'session.ended') {
          send('session.ended', { reason: event.reason, endedAt: event.endedAt });
          close();
        } else send('sessions.changed', {});
      });
    } catch {
      // Ended between authentication and subscription: tell the page, as if it had been there.
      send('session.ended', { reason: 'signed-out', endedAt: null });
      close();
      return;
    }
    if (closed) unsubscribe();
    send('ready', { sessionId: session.id });
    if (resumed) send('sessions.changed', {});
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const stream of [...this.#bySession.values()]) stream.close();
  }
}
