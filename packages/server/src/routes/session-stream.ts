import { z } from 'zod';
import type { App, ServerContext } from '../context.ts';
import { requireSession } from '../context.ts';
import { problemSchema } from '../schemas.ts';
import { SessionStreams } from '../session-streams.ts';

/**
 * `GET /api/sessions/stream`: Server-Sent Events for the signed-in browser session. `session.ended {reason,
 * endedAt}` the moment the session is revoked on any node (then the stream ends), `sessions.changed {}` when the
 * user's sessions change, `ready` once subscribed, and a heartbeat comment. See docs/live-sessions.md.
 */
export async function sessionStreamRoutes(app: App, ctx: ServerContext): Promise<void> {
  const streams = new SessionStreams(ctx.manager, ctx.config.streams);
  ctx.streams = streams;
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });

  app.get('/api/sessions/stream', {
    schema: {
      tags: ['sessions'],
      summary: 'Live events of the current session (text/event-stream)',
      description:
        'Server-Sent Events. `event: session.ended` with `{reason, endedAt}` when this session ends (the stream then closes); ' +
        '`event: sessions.changed` with `{}` when any of your sessions is created or ended; `event: ready` once listening; ' +
        'a `: heartbeat` comment every 25 s. Send `Last-Event-ID` when reconnecting: a `sessions.changed` follows at once, since ' +
        'events may have been missed. One stream per session (a new one replaces the old), a capped number per user (429 beyond).',
      headers: z.object({ 'last-event-id': z.string().max(100).optional() }).passthrough(),
      response: { 200: z.string().describe('text/event-stream'), 401: problemSchema, 403: problemSchema, 429: problemSchema },
    },
  }, async (request, reply) => {
    const session = requireSession(request);
    streams.admit(session);
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Proxies (nginx) must pass events on as they come, not buffer them.
      'x-accel-buffering': 'no',
      vary: 'Cookie',
      // The connection is the stream's alone: when the stream ends, so does the socket (shutdown would otherwise
      // wait for a keep-alive connection that went idle too late to be closed with the idle ones).
      connection: 'close',
    });
    reply.raw.flushHeaders();
    await streams.open(session, reply.raw, request.headers['last-event-id'] !== undefined);
  });
}
