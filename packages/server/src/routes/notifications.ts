import { z } from 'zod';
import type { App, ServerContext } from '../context.ts';
import { recordedIp, requireAdmin } from '../context.ts';
import { problemSchema } from '../schemas.ts';

/**
 * "New sign-in" e-mails: the signed-out "This wasn't me" action their link leads to, and whether e-mail is set up
 * (for the admin settings page). See docs/live-sessions.md.
 */
export async function notificationRoutes(app: App, ctx: ServerContext): Promise<void> {
  app.post('/api/auth/not-me', {
    schema: {
      tags: ['auth'],
      summary: '"This wasn\'t me" from a new-sign-in e-mail (no session needed)',
      description: 'Ends every session of the account, requires a new password and records `session.reported`. 404 for a forged link, 409 for an expired or used one.',
      body: z.object({ token: z.string().min(10).max(1000) }),
      response: { 200: z.object({ revoked: z.number().int() }), 400: problemSchema, 404: problemSchema, 409: problemSchema },
    },
    // Unauthenticated and able to end sessions: limited like sign-in.
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
  }, async (request) => ctx.notifier.reportByLink(request.body.token, recordedIp(request)));

  app.get('/api/admin/notifications', {
    schema: {
      tags: ['admin'],
      summary: 'Whether "new sign-in" e-mails can be sent',
      response: { 200: z.object({ smtpConfigured: z.boolean(), from: z.string() }), 401: problemSchema, 403: problemSchema },
    },
  }, async (request) => {
    await requireAdmin(request, ctx);
    return { smtpConfigured: ctx.notifier.configured, from: ctx.notifier.from };
  });
}
