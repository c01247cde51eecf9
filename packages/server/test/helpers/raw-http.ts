import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes exactly as given (fetch refuses NUL bytes, non-Latin-1 and other malformed header values,
 * which is precisely what some security tests need to send). One request per connection.
 */
export function rawRequest(baseUrl: string, head: Buffer | string, body: Buffer | string = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, split).split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
      resolve({ status, headers, body: Buffer.from(rest, 'latin1').toString('utf8') });
    });
    socket.write(Buffer.concat([Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)]));
  });
}

function dechunk(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', i);
    const size = parseInt(text.slice(i, eol), 16);
    if (!size) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

/** A GET with the given Cookie header value (bytes as they are), connection closed after the answer. */
export function getWithCookie(baseUrl: string, path: string, cookie: Buffer | string): Promise<RawResponse> {
  const host = new URL(baseUrl).host;
  const head = Buffer.concat([
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nCookie: `, 'latin1'),
    Buffer.isBuffer(cookie) ? cookie : Buffer.from(cookie, 'latin1'),
    Buffer.from('\r\n\r\n', 'latin1'),
  ]);
  return rawRequest(baseUrl, head);
}
