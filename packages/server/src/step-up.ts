import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { problem } from 'seshat';
import { sendProblem } from 'seshat/fastify';
import type { App, ServerContext } from './context.ts';

/**
 * The server's step-up guard (issue 10.3): the library's `requireRecentAuth`, with the window read from the admin
 * setting `reauthenticationWindowSeconds` (or the person's session policy) on every request (default 10 minutes). API keys are refused with 403 first:
 * they have no password to re-enter, and none of these actions is in a key's scope.
 */
export function recentAuth(app: App, { manager }: ServerContext): preHandlerAsyncHookHandler {
  // Per person: a session policy may give some people (the admins) a shorter window.
  const guard = app.requireRecentAuth((session) => manager.settingsFor(session.userId).reauthenticationWindowSeconds);
  return async function (this: unknown, request: FastifyRequest, reply: FastifyReply) {
    if (!request.session && request.apiKey) return sendProblem(reply, problem('forbidden', 'API keys cannot be used here; sign in instead.'));
    return guard.call(app, request, reply);
  };
}
