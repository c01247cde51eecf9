import { get, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as received. */
export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/**
 * A Server-Sent-Events client (what EventSource does, minus reconnection): collects events, tells when the server
 * ended the stream. Over node:http with a connection of its own (fetch's pool may open spare connections that
 * hold a server's shutdown until its header timeout).
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const incoming = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = get(url, { agent: false, headers: { accept: 'text/event-stream', 'sec-fetch-site': 'same-origin', ...headers } }, resolve);
    request.on('error', reject);
  });
  const response = {
    status: incoming.statusCode ?? 0,
    headers: { get: (name: string) => (incoming.headers[name.toLowerCase()] as string | undefined) ?? null },
    body: incoming.statusCode === 200 ? incoming : null,
    json: async () => {
      const chunks: Buffer[] = [];
      for await (const c of incoming) chunks.push(c as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    },
  };
  const events: StreamEvent[] = [];
  let ended = false;
  let wake: (() => void)[] = [];
  const notify = () => {
    for (const w of wake) w();
    wake = [];
  };
  if (response.status === 200 && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
            if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? '{}') as Record<string, unknown> });
            notify();
          }
        }
      } catch {
        // aborted
      }
      ended = true;
      notify();
    })();
  }
  return {
    response,
    events,
    get ended() {
      return ended;
    },
    /** Resolves once `predicate` holds (checked on every event and at the end). */
    async until(predicate: () => boolean, what = 'the expected events'): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; got ${events.map((e) => e.event).join(', ')}${ended ? ' (ended)' : ''}`);
        await new Promise<void>((resolve) => {
          wake.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
    },
    close: () => incoming.destroy(),
  };
}
