import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isSeshatError, problem, problemType } from 'seshat';
import { sendProblem } from 'seshat/fastify';

/** Fastify error handler: every error leaves as problem+json; unexpected ones are logged and told apart from client errors. */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isSeshatError(error)) {
    if (error.code === 'unavailable') request.log.error({ err: error.cause ?? error }, 'store unavailable');
    return sendProblem(reply, problem(error.code, error.detail));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' }));
    const where = error.validationContext ?? 'request';
    return sendProblem(reply, problem('invalid_input', `The ${where} is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors }));
  }
  const status = error.statusCode ?? 500;
  if (status === 429) return sendProblem(reply, problem('rate_limited', error.message));
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: bad JSON, wrong content type, body too large, …
    return sendProblem(reply, { type: problemType(error.code ?? 'bad_request'), title: 'Bad request', status, detail: error.message });
  }
  if (isUnavailable(error)) {
    request.log.error({ err: error }, 'store unavailable');
    return sendProblem(reply, problem('unavailable', 'The session store is not reachable. Try again shortly.'));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side.' });
}

/** Connection-level database failures: answered 503 so clients retry, and never read as "not signed in". */
function isUnavailable(error: { code?: string }): boolean {
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003', 'ERR_SQLITE_ERROR'].includes(error.code ?? '');
}

/**
 * Requests the HTTP parser refuses before any route runs (a NUL byte in a header, a broken request line,
 * oversized headers) still get problem+json. Fastify's default handler answers plain JSON and logs the
 * parser error, whose `rawPacket` holds the request bytes — cookie included — so we log only the code.
 */
export function clientErrorHandler(this: { log: { debug(o: object, m: string): void } }, error: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const title = status === 408 ? 'Request timeout' : status === 431 ? 'Request headers too large' : 'Bad request';
  const body = JSON.stringify({ type: problemType(error.code?.toLowerCase() ?? 'bad_request'), title, status, detail: 'The HTTP request could not be parsed.' });
  this.log.debug({ code: error.code }, 'client error');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
