// Seshat in a Hono app on Node: sign-in, c.var.session, list / revoke one / revoke others, sign-out, API keys,
// graceful shutdown, SQLite or PostgreSQL. Environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL
// (sqlite:./data/example.db; postgres://user@host/db needs `npm install pg`).
import { serve } from '@hono/node-server';
import { Hono, type Context, type Next } from 'hono';
import { ApiKeys, SessionManager, openStore, problemFromError, type Actor } from 'seshat';
import { seshatHono } from 'seshat/hono';

const store = await openStore(process.env.DATABASE_URL ?? 'sqlite:./data/example.db');
await store.migrate();
// Device parsing is on by default. Location and risk signals: add `enrich: sessionEnricher({ store })`.
// With PostgreSQL and several processes, the channel drops revoked sessions from every process's cache.
const manager = await new SessionManager({ store, channel: store.createInvalidationChannel?.() }).start();
const apiKeys = new ApiKeys({ store }).start(); // counts key usage in memory, writes it every 5 s
const seshat = seshatHono({ manager, apiKeys });

// Your app owns its users and passwords: this map stands in for your user table and password hashing.
const users = new Map([['alice@example.com', { id: 'usr_alice', password: 'correct horse' }]]);
const checkPassword = (email: unknown, password: unknown) => {
  const user = typeof email === 'string' ? users.get(email) : undefined;
  return user !== undefined && user.password === password ? user.id : null;
};

const app = new Hono();
app.use(seshat.middleware); // c.var.session: the session or null; c.var.apiKey for Bearer keys

// Seshat's refusals (403 cross-site sign-in, 404, 409, 503 store down, …) as RFC 9457 problem+json.
app.onError((error, c) => {
  const problem = problemFromError(error);
  if (problem === null) throw error;
  return c.body(JSON.stringify(problem), problem.status as 403, { 'content-type': 'application/problem+json' });
});

/** Who is asking: a browser session or an API key (null: nobody). */
const actor = (c: Context): Actor | null => {
  const { session, apiKey } = c.var;
  return session ? { userId: session.userId, sessionId: session.id } : apiKey ? { userId: apiKey.userId } : null;
};
const signedIn = async (c: Context, next: Next) => (actor(c) ? next() : c.json({ error: 'sign in first' }, 401));
type Body = { email?: string; password?: string; remember?: boolean; name?: string };
const body = (c: Context) => c.req.json<Body>().catch((): Body => ({}));

app.post('/login', seshat.requireSameSite(), async (c) => {
  const { email, password, remember } = await body(c);
  const userId = checkPassword(email, password);
  if (userId === null) return c.json({ error: 'wrong e-mail or password' }, 401);
  const created = await manager.createSession({
    userId, remember: remember === true, ip: null, userAgent: c.req.header('user-agent') ?? null, headers: c.req.header(),
  });
  seshat.startSession(c, created); // HttpOnly, SameSite=Lax cookie; Max-Age only for "keep me signed in"
  return c.json({ session: created.session });
});

app.get('/me', signedIn, (c) => c.json({ session: c.var.session, apiKey: c.var.apiKey })); // no secret hashes
app.get('/sessions', signedIn, async (c) => c.json({ sessions: await manager.listOwnSessions(actor(c)!) }));
app.delete('/sessions/:id', signedIn, async (c) => {
  await manager.revokeSession(actor(c)!, c.req.param('id') ?? ''); // 404 for someone else's, 409 for this one
  return c.body(null, 204);
});
app.post('/sessions/revoke-others', signedIn, async (c) => c.json({ revoked: await manager.revokeOtherSessions(actor(c)!) }));
app.post('/logout', async (c) => {
  const session = c.var.session;
  if (session) await manager.signOut(session);
  seshat.endSession(c);
  return c.body(null, 204);
});

// API keys: made from a browser session and shown once; `Authorization: Bearer <key>` then acts as the owner.
app.post('/api-keys', signedIn, async (c) => {
  const { apiKey, key } = await apiKeys.create(actor(c)!, String((await body(c)).name ?? 'script'));
  return c.json({ id: apiKey.id, key }, 201);
});
app.get('/api-keys', signedIn, async (c) => c.json({ apiKeys: await apiKeys.list(actor(c)!) }));
app.delete('/api-keys/:id', signedIn, async (c) => {
  await apiKeys.revoke(actor(c)!, c.req.param('id') ?? '');
  return c.body(null, 204);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST ?? '127.0.0.1' }, ({ address, port }) => {
  console.log(`Hono example listening on http://${address.includes(':') ? `[${address}]` : address}:${port}`);
});

// Graceful shutdown: finish requests in flight, write pending key usage, leave the channel, close the store.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(async () => {
    await apiKeys.stop();
    await manager.stop();
    await store.close();
  }));
}
