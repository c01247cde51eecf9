import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 14, defect 12: a client that stops sending — a body shorter than its Content-Length, headers that never
 * end — is answered 408 problem+json and disconnected once the request timeout passes, instead of holding a
 * connection (and its memory) for minutes. Timeouts are shortened here (1 s) so the test is quick.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { SESHAT_REQUEST_TIMEOUT_SECONDS: '1', SESHAT_HEADERS_TIMEOUT_SECONDS: '1' } });
});
afterAll(() => t?.close());

/** Writes `bytes`, then nothing more; resolves with what the server sent once it closes the connection. */
function stall(bytes: string): Promise<string> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.on('data', (c) => (received += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

describe('clients that stop sending', () => {
  it('a body shorter than its Content-Length: 408 problem+json, connection closed', async () => {
    const host = new URL(t.url).host;
    const answer = await stall(`POST /api/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":`);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('"status":408');
  });

  it('headers that never end: 408 problem+json, connection closed', async () => {
    const host = new URL(t.url).host;
    const answer = await stall(`GET /api/auth/session HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"status":408');
  });

  it('an idle keep-alive connection between two requests is not cut by these timeouts', async () => {
    const { hostname, port } = new URL(t.url);
    const host = new URL(t.url).host;
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.on('data', (c) => (received += c.toString('latin1')));
    const answers = () => received.split('HTTP/1.1 ').length - 1;
    const request = `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    socket.write(request);
    while (answers() < 1) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 2500)); // idle for longer than both timeouts
    expect(socket.destroyed).toBe(false);
    socket.write(request);
    while (answers() < 2 && !socket.destroyed) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    expect(received.match(/HTTP\/1\.1 (\d+)/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  });

  it('the defaults are 10 s for a request and 5 s for its headers (docs/operations.md)', () => {
    expect(loadConfig({}).http).toEqual({ requestTimeoutMs: 10_000, headersTimeoutMs: 5000 });
    expect(loadConfig({}).database).toEqual({ connectionTimeoutMs: 2000, queryTimeoutMs: 2000, statementTimeoutMs: 1500 });
  });
});
