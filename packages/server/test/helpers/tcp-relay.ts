import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the server under test and PostgreSQL that the test controls. `silence()` is a network
 * partition as the server sees it: no FIN, no RST — established connections stop forwarding in both directions,
 * and new connections are accepted and then never answered. `heal()` closes the silenced connections (as a
 * partition that outlived TCP's patience would) and forwards again.
 */
export class TcpRelay {
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #pairs = new Set<{ inbound: Socket; outbound: Socket | null }>();
  #silent = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((inbound) => {
      inbound.on('error', () => {});
      const pair = { inbound, outbound: null as Socket | null };
      this.#pairs.add(pair);
      inbound.on('close', () => this.#pairs.delete(pair));
      if (this.#silent) return inbound.pause(); // a black hole: accepted, never answered
      const outbound = connect(this.#target.port, this.#target.host);
      outbound.on('error', () => {});
      pair.outbound = outbound;
      inbound.pipe(outbound).pipe(inbound);
      outbound.on('close', () => inbound.destroy());
      inbound.on('close', () => outbound.destroy());
    });
  }

  async open(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  /** The relay's address in place of the target's in a connection URL. */
  url(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  silence(): void {
    this.#silent = true;
    for (const { inbound, outbound } of this.#pairs) {
      if (outbound) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        outbound.pause();
      }
      inbound.pause();
    }
  }

  heal(): void {
    this.#silent = false;
    for (const { inbound, outbound } of this.#pairs) {
      inbound.destroy();
      outbound?.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.heal();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
