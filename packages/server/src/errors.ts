import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { isSeshatError, problem, problemType, type Problem } from 'seshat';
import { sendProblem } from 'seshat/fastify';

/** Statuses our own problem table already names: an HTTP-level refusal with one of them reads the same as ours. */
const OWN_PROBLEMS: Partial<Record<number, Parameters<typeof problem>[0]>> = { 403: 'forbidden', 404: 'not_found', 429: 'rate_limited', 503: 'unavailable' };

/**
 * A problem for an HTTP-level refusal: its type and title come from the status (`…/payload-too-large`), or from
 * our own table for the statuses it names, so a 404 from the router and one from a route look alike.
 */
export function httpProblem(status: number, detail: string): Problem {
  const own = OWN_PROBLEMS[status];
  if (own) return problem(own, detail);
  const title = STATUS_CODES[status] ?? 'Bad Request';
  return { type: problemType(title.toLowerCase().replace(/[^a-z0-9]+/g, '-')), title, status, detail };
}

/** Fastify error handler: every error leaves as problem+json; unexpected ones are logged and told apart from client errors. */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isSeshatError(error)) {
    if (error.code === 'unavailable') request.log.error({ err: error.cause ?? error }, 'store unavailable');
    // A throttled sign-in says when to come back (SignInThrottled).
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    return sendProblem(reply, problem(error.code, error.detail, error.extensions));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    // Path parameters are ids: one that is not even of the right form names nothing, so it is missing (404),
    // exactly like a well-formed id that does not exist, and the store is never asked.
    if (error.validationContext === 'params') return sendProblem(reply, problem('not_found', `Nothing at ${request.url.split('?')[0]}.`));
    const errors = error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' }));
    const where = error.validationContext ?? 'request';
    return sendProblem(reply, problem('invalid_input', `The ${where} is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors }));
  }
  const status = error.statusCode ?? 500;
  if (status === 429) return sendProblem(reply, problem('rate_limited', error.message));
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, wrong content type, body too large, …): typed by their HTTP status,
    // never by framework codes, which would make the framework part of the API.
    return sendProblem(reply, httpProblem(status, error.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side.' });
}

/**
 * Requests the HTTP parser refuses before any route runs (a NUL byte in a header, a broken request line,
 * oversized headers) still get problem+json. Fastify's default handler answers plain JSON and logs the
 * parser error, whose `rawPacket` holds the request bytes — cookie included — so we log only the code.
 */
export function clientErrorHandler(this: { log: { debug(o: object, m: string): void } }, error: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const p = httpProblem(status, status === 408 ? 'The request did not arrive in time.' : 'The HTTP request could not be parsed.');
  const { title } = p;
  const body = JSON.stringify(p);
  this.log.debug({ code: error.code }, 'client error');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
