import { z } from 'zod';
import { SeshatError } from 'seshat';
import type { App, ServerContext } from '../context.ts';

export async function healthRoutes(app: App, { store }: ServerContext): Promise<void> {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: z.object({ status: z.literal('ok'), store: z.string() }) } } }, async () => {
    try {
      await store.ping();
    } catch (error) {
      throw new SeshatError('unavailable', 'The session store does not answer.', { cause: error });
    }
    return { status: 'ok' as const, store: store.dialect };
  });
}
