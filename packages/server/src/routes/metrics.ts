import type { App, ServerContext } from '../context.ts';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from '../metrics.ts';

/**
 * `GET /metrics` for Prometheus. Unauthenticated, like most scrape targets: it shows counts only, never ids,
 * users or tokens. Keep it off the public internet at the proxy if the counts themselves are sensitive.
 */
export async function metricsRoutes(app: App, { manager, deviceBinding }: ServerContext): Promise<void> {
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)' } }, async (_request, reply) => {
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(manager, deviceBinding));
  });
}
