import helmet, { type HelmetOptions } from 'helmet';

/**
 * The response headers helmet would set, computed once at start-up.
 *
 * Why not @fastify/helmet: it calls `helmet(options)` inside its onRequest hook, so every request re-parses
 * the options and re-serializes the Content-Security-Policy (about 12% of the server's CPU on the smallest
 * route). Our headers do not vary per request (no CSP nonces), so helmet runs once here against a recording
 * response and the result is copied onto each reply. helmet stays the source of truth for what the headers
 * are; only when they are computed changes.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  // helmet's middleware is synchronous: `next` has been called (or not) when it returns.
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}
