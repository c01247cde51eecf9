/**
 * A minimal HTTP/1.1 load generator over raw keep-alive sockets: the requests are prebuilt byte strings, each
 * with one of the given cookie headers picked at random, and each request's time is taken with
 * `performance.now()` (sub-microsecond), so p50/p99 come from per-request times rather than a histogram of
 * whole milliseconds.
 *
 * Two modes:
 * - closed loop (no `rate`): every connection sends its next request as soon as the answer arrives — flat out.
 * - fixed rate (`rate` req/s across all connections): requests are due at fixed times; a request's latency
 *   counts from when it was due, not from when a free connection sent it, so a stalled server shows up in
 *   p99 instead of silently lowering the rate (no coordinated omission).
 * Bounded in time and only ever aimed at the loopback server the benchmark started.
 */
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  port: number;
  path: string;
  /** Full `Cookie:` header values; one is picked at random per request. Empty = no cookie header. */
  cookies: readonly string[];
  connections: number;
  durationMs: number;
  rate?: number;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 2xx, plus socket errors. */
  failed: number;
  seconds: number;
  rps: number;
  /** Per-request latency quantiles in milliseconds. */
  p50: number;
  p99: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const requests = (options.cookies.length ? options.cookies : ['']).map((c) =>
    Buffer.from(`GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n${c ? `Cookie: ${c}\r\n` : ''}\r\n`, 'latin1'),
  );
  const pick = () => requests[(Math.random() * requests.length) | 0]!;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let failed = 0;
  const record = (ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };

  const started = performance.now();
  const deadline = started + options.durationMs;
  const paced = options.rate !== undefined;
  let due = 0; // fixed rate: requests due so far
  const backlog: number[] = []; // fixed rate: due times not yet sent
  const idle: Conn[] = [];

  interface Conn {
    socket: Socket;
    buffer: Buffer;
    sentAt: number;
    busy: boolean;
  }

  const send = (c: Conn, at: number) => {
    c.busy = true;
    c.sentAt = at;
    c.socket.write(pick());
  };
  const next = (c: Conn) => {
    const now = performance.now();
    if (now >= deadline) {
      c.busy = false;
      c.socket.end();
      return;
    }
    if (!paced) return send(c, now);
    const at = backlog.shift();
    if (at === undefined) {
      c.busy = false;
      idle.push(c);
    } else send(c, at);
  };

  const onData = (c: Conn, chunk: Buffer) => {
    c.buffer = c.buffer.length ? Buffer.concat([c.buffer, chunk]) : chunk;
    for (;;) {
      const head = c.buffer.indexOf(CRLFCRLF);
      if (head === -1) return;
      const headers = c.buffer.toString('latin1', 0, head);
      const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
      let end: number;
      if (lengthMatch) end = head + 4 + Number(lengthMatch[1]);
      else if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
        const last = c.buffer.indexOf('\r\n0\r\n\r\n', head);
        if (last === -1) return;
        end = last + 7;
      } else end = head + 4;
      if (c.buffer.length < end) return;
      const status = Number(headers.slice(9, 12));
      if (status < 200 || status > 299) failed++;
      record(performance.now() - c.sentAt);
      c.buffer = c.buffer.subarray(end);
      next(c);
    }
  };

  const conns: Conn[] = [];
  const closed: Promise<void>[] = [];
  for (let i = 0; i < options.connections; i++) {
    const socket = connect({ port: options.port, host: '127.0.0.1', noDelay: true });
    const c: Conn = { socket, buffer: Buffer.alloc(0), sentAt: 0, busy: false };
    conns.push(c);
    socket.on('data', (chunk) => onData(c, chunk));
    closed.push(new Promise((resolve) => {
      socket.on('error', () => {
        failed++;
        resolve();
      });
      socket.on('close', () => resolve());
    }));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  }

  // The generator never sleeps while it runs: a pending immediate keeps its event loop polling without blocking.
  // On loopback, an answer written to a socket whose reader sleeps in epoll_wait wakes that reader inside the
  // target's own write (the receive path and, on a VM, an interrupt to the other CPU): the target was charged
  // 2–6 µs of kernel time per request for waking the load generator, more the slower its route (the generator
  // sleeps more often while it waits), which no client across a network costs a server.
  const spin = () => {
    if (performance.now() < deadline) setImmediate(spin);
  };
  setImmediate(spin);
  if (!paced) for (const c of conns) send(c, performance.now());
  else {
    idle.push(...conns);
    const interval = 1000 / options.rate!;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (now >= deadline) return resolve();
        const target = Math.floor((now - started) / interval);
        for (; due < target; due++) {
          const at = started + due * interval;
          const c = idle.pop();
          if (c) send(c, at);
          else backlog.push(at);
        }
        setTimeout(tick, 1);
      };
      tick();
    });
    for (const c of idle) c.socket.end();
  }
  // Every connection ends itself after its first answer past the deadline; a hung one is cut off.
  const cutoff = setTimeout(() => conns.forEach((c) => c.socket.destroy()), 5000);
  await Promise.all(closed);
  clearTimeout(cutoff);

  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, count).sort();
  const q = (p: number) => (count ? sorted[Math.min(count - 1, Math.floor(p * count))]! : NaN);
  return { requests: count, failed, seconds, rps: count / ((Math.min(performance.now(), deadline) - started) / 1000), p50: q(0.5), p99: q(0.99) };
}
