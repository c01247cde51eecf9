// Seshat in a Fastify app: sign-in, request.session, list / revoke one / revoke others, sign-out, API keys,
// graceful shutdown, SQLite or PostgreSQL. Environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL
// (sqlite:./data/example.db; postgres://user@host/db needs `npm install pg`).
import Fastify, { type FastifyRequest } from 'fastify';
import { ApiKeys, SessionManager, openStore, problemFromError, type Actor } from 'seshat';
import { seshatFastify } from 'seshat/fastify';

const store = await openStore(process.env.DATABASE_URL ?? 'sqlite:./data/example.db');
await store.migrate();
// Device parsing is on by default. Location and risk signals: add `enrich: sessionEnricher({ store })`.
// With PostgreSQL and several processes, the channel drops revoked sessions from every process's cache.
const manager = await new SessionManager({ store, channel: store.createInvalidationChannel?.() }).start();
const apiKeys = new ApiKeys({ store }).start(); // counts key usage in memory, writes it every 5 s

// Your app owns its users and passwords: this map stands in for your user table and password hashing.
const users = new Map([['alice@example.com', { id: 'usr_alice', password: 'correct horse' }]]);
const checkPassword = (email: unknown, password: unknown) => {
  const user = typeof email === 'string' ? users.get(email) : undefined;
  return user !== undefined && user.password === password ? user.id : null;
};

const app = Fastify();
await app.register(seshatFastify, { manager, apiKeys }); // request.session, request.apiKey, reply.startSession()

// Seshat's refusals (403 cross-site sign-in, 404, 409, 503 store down, …) as RFC 9457 problem+json.
app.setErrorHandler((error, _request, reply) => {
  const problem = problemFromError(error);
  if (problem === null) throw error;
  return reply.code(problem.status).type('application/problem+json').send(problem);
});

/** Who is asking: a browser session or an API key (null: nobody). */
const actor = (request: FastifyRequest): Actor | null =>
  request.session ? { userId: request.session.userId, sessionId: request.session.id, ip: request.ip }
  : request.apiKey ? { userId: request.apiKey.userId, ip: request.ip }
  : null;
const signedIn = { preHandler: async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
  if (actor(request) === null) return reply.code(401).send({ error: 'sign in first' });
} };
type Body = { email?: string; password?: string; remember?: boolean; name?: string } | undefined;

app.post<{ Body: Body }>('/login', { preHandler: app.requireSameSite() }, async (request, reply) => {
  const userId = checkPassword(request.body?.email, request.body?.password);
  if (userId === null) return reply.code(401).send({ error: 'wrong e-mail or password' });
  const created = await manager.createSession({
    userId, remember: request.body?.remember === true, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, headers: request.headers,
  });
  reply.startSession(created); // HttpOnly, SameSite=Lax cookie; Max-Age only for "keep me signed in"
  return { session: created.session };
});

app.get('/me', signedIn, async (request) => ({ session: request.session, apiKey: request.apiKey })); // no secret hashes
app.get('/sessions', signedIn, async (request) => ({ sessions: await manager.listOwnSessions(actor(request)!) }));
app.delete<{ Params: { id: string } }>('/sessions/:id', signedIn, async (request, reply) => {
  await manager.revokeSession(actor(request)!, request.params.id); // 404 for someone else's, 409 for this one
  return reply.code(204).send();
});
app.post('/sessions/revoke-others', signedIn, async (request) => ({ revoked: await manager.revokeOtherSessions(actor(request)!) }));
app.post('/logout', async (request, reply) => {
  if (request.session) await manager.signOut(request.session, request.ip);
  return reply.endSession().code(204).send();
});

// API keys: made from a browser session and shown once; `Authorization: Bearer <key>` then acts as the owner.
app.post<{ Body: Body }>('/api-keys', signedIn, async (request, reply) => {
  const { apiKey, key } = await apiKeys.create(actor(request)!, String(request.body?.name ?? 'script'));
  return reply.code(201).send({ id: apiKey.id, key });
});
app.get('/api-keys', signedIn, async (request) => ({ apiKeys: await apiKeys.list(actor(request)!) }));
app.delete<{ Params: { id: string } }>('/api-keys/:id', signedIn, async (request, reply) => {
  await apiKeys.revoke(actor(request)!, request.params.id);
  return reply.code(204).send();
});

// Graceful shutdown: app.close() finishes requests in flight, then this hook writes pending key usage,
// leaves the channel and closes the store.
app.addHook('onClose', async () => {
  await apiKeys.stop();
  await manager.stop();
  await store.close();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
console.log(`Fastify example listening on ${address}`);
