import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, with whether its Standard Webhooks signature verified. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  verified: boolean;
}

/**
 * A real HTTP receiver on loopback. It verifies every request with the `standardwebhooks` package (an
 * implementation independent of ours) against `secret()`, and answers with `respond(n)` (default 204) for the
 * n-th request; `hold` keeps requests open until `release()` (for crash tests).
 */
export async function webhookReceiver(options: { secret?: () => string | undefined; respond?: (n: number, body: ReceivedWebhook) => number } = {}) {
  const received: ReceivedWebhook[] = [];
  let holding: (() => void)[] | null = null;
  let waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = options.secret?.();
      let verified = false;
      try {
        if (secret) new Webhook(secret).verify(body, request.headers as Record<string, string>);
        verified = secret !== undefined;
      } catch {
        verified = false;
      }
      const entry: ReceivedWebhook = {
        id: String(request.headers['webhook-id']),
        timestamp: String(request.headers['webhook-timestamp']),
        headers: request.headers,
        body,
        payload: JSON.parse(body) as ReceivedWebhook['payload'],
        verified,
      };
      received.push(entry);
      for (const w of waiters) w();
      waiters = [];
      const answer = () => {
        response.statusCode = options.respond?.(received.length, entry) ?? 204;
        response.end();
      };
      if (holding) holding.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    /** Keeps answers back until `release()`. */
    hold() {
      holding = [];
    },
    release() {
      const pending = holding ?? [];
      holding = null;
      for (const answer of pending) answer();
    },
    /** Resolves once `predicate` holds over what was received (checked on every arrival). */
    async until(predicate: (received: ReceivedWebhook[]) => boolean, what = 'the expected webhooks'): Promise<ReceivedWebhook[]> {
      const deadline = Date.now() + 20_000;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; received: ${received.map((r) => r.payload.type).join(', ')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
