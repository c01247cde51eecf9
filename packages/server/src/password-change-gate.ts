import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOnly, problem } from 'seshat';
import { sendProblem } from 'seshat/fastify';

/**
 * What a session that must change its password may still do: change it, find out who it is (the UI needs that
 * to show the form), and sign out. Everything else under /api answers 403 `…/password-change-required`.
 */
const ALLOWED = new Set(['POST /api/auth/password', 'GET /api/auth/session', 'POST /api/auth/logout', 'GET /api/auth/options']);

/**
 * An onRequest hook, registered after the session plugin: a generated first password, a password an
 * administrator set, or a reported session ("this wasn't me") must be replaced before anything else. The
 * flag travels on the session row, so this costs nothing per request beyond a property read.
 */
export function passwordChangeGate(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!request.session?.passwordChangeRequired) return done();
  const path = pathOnly(request.url);
  if (!path.startsWith('/api/') || ALLOWED.has(`${request.method} ${path}`)) return done();
  void sendProblem(reply, problem('password_change_required', 'Choose a new password before doing anything else (POST /api/auth/password).'));
}
