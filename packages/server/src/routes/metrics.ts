import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem } from 'seshat';
import { sendProblem } from 'seshat/fastify';
import type { ServerContext } from '../context.ts';
import { cachedActiveSessions, cachedGauge, PROMETHEUS_CONTENT_TYPE, renderMetrics } from '../metrics.ts';

/** Whether a request's `Authorization: Bearer …` is the metrics token (constant-time). */
function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `GET /metrics` for Prometheus: counts only, never ids, users or tokens. Two ways to keep it private
 * (docs/operations.md): `SESHAT_METRICS_TOKEN` (the scraper sends `Authorization: Bearer <token>`; anything else is
 * 401), and `SESHAT_METRICS_ADDRESS` (served on a listener of its own, e.g. 127.0.0.1:9464, and not on the public
 * port). The active-session and device-bound gauges are counted at most every 15 s however often it is scraped.
 */
export async function metricsRoutes(app: FastifyInstance, { manager, config, deviceBinding }: ServerContext): Promise<void> {
  const activeSessions = cachedActiveSessions(manager);
  const boundSessions = cachedGauge(manager, () => deviceBinding.countBoundSessions());
  const token = config.metrics.token;
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)' } }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (token !== undefined && !bearerMatches(request, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return sendProblem(reply, problem('unauthenticated', 'The metrics token is missing or wrong.'));
    }
    // Counts of this node, read fresh every scrape.
    reply.header('cache-control', 'no-store');
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(manager, activeSessions, boundSessions));
  });
}
