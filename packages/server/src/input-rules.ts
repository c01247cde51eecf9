import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNSTORABLE_MESSAGE, isStorableText, problem, type Problem } from 'seshat';
import { sendProblem } from 'seshat/fastify';

/**
 * Rules every route's input obeys before its own schema runs, so a new route cannot forget them:
 * - a string no store can hold (NUL, an unpaired surrogate) anywhere in the query or the JSON body is a 400 that
 *   names the field — the same answer on SQLite and PostgreSQL, and nothing is written;
 * - a path parameter is an id: one that cannot exist is a 404, without asking the store.
 * Route schemas still say what each field is (ids by their exact format, also a 404: see errors.ts).
 */
export function checkStorableInput(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const params = request.params as Record<string, unknown> | undefined;
  if (params && firstUnstorable(params, '') !== null) {
    sendProblem(reply, problem('not_found', `No route or resource for ${request.method} ${request.url.split('?')[0]}.`));
    return;
  }
  for (const [where, value] of [['query', request.query], ['body', request.body]] as const) {
    const path = firstUnstorable(value, '');
    if (path !== null) {
      sendProblem(reply, unstorable(where, path));
      return;
    }
  }
  done();
}

function unstorable(where: 'query' | 'body', path: string): Problem {
  const field = path === '' ? where : path.slice(1);
  return problem('invalid_input', `The ${where} is not valid: ${field} ${UNSTORABLE_MESSAGE}.`, { errors: [{ path: path || '/', message: UNSTORABLE_MESSAGE }] });
}

/** The JSON-pointer path of the first string (key or value) a store cannot hold, or null. */
function firstUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isStorableText(key)) return at;
    const found = firstUnstorable(item, at);
    if (found !== null) return found;
  }
  return null;
}
