/**
 * A tiny Fastify app that signs users in with Seshat. Run: `node examples/fastify-app.ts` (PORT, default 3002).
 * The app owns its users; Seshat owns the sessions.
 */
import Fastify from 'fastify';
import { SessionManager, isSeshatError } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { seshatFastify } from 'seshat/fastify';

const demoUsers = new Map([['alice', 'wonderland'], ['bob', 'builder']]);

export async function createFastifyExample(databasePath = ':memory:') {
  const store = new SqliteStore(databasePath);
  await store.migrate();
  const manager = await new SessionManager({ store }).start();

  const app = Fastify();
  await app.register(seshatFastify, { manager, trustedOrigins: ['http://localhost:3002'] });
  app.addHook('onClose', () => store.close());

  // Everything but /login needs a session.
  app.addHook('preHandler', async (request, reply) => {
    if (request.url !== '/login' && !request.session) return reply.code(401).send({ error: 'sign in first' });
  });
  const actor = (session: { userId: string; id: string }) => ({ userId: session.userId, sessionId: session.id });

  app.post<{ Body: { username?: string; password?: string; remember?: boolean } }>('/login', async (request, reply) => {
    const { username, password, remember } = request.body ?? {};
    if (typeof username !== 'string' || demoUsers.get(username) !== password) return reply.code(401).send({ error: 'wrong username or password' });
    const created = await manager.createSession({ userId: username, remember: remember === true, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    return reply.startSession(created).send({ sessionId: created.session.id });
  });

  app.get('/me', async (request) => ({ user: request.session!.userId, sessionId: request.session!.id }));

  app.get('/sessions', async (request) => {
    const sessions = await manager.listOwnSessions(actor(request.session!));
    return sessions.map((s) => ({ id: s.id, current: s.id === request.session!.id, lastActiveAt: new Date(s.lastActiveAt).toISOString() }));
  });

  app.delete<{ Params: { id: string } }>('/sessions/:id', async (request, reply) => {
    try {
      await manager.revokeSession(actor(request.session!), request.params.id);
      return reply.code(204).send();
    } catch (error) {
      if (isSeshatError(error) && error.code === 'not_found') return reply.code(404).send({ error: 'no such session' });
      if (isSeshatError(error) && error.code === 'conflict') return reply.code(409).send({ error: error.detail });
      throw error;
    }
  });

  app.post('/logout', async (request, reply) => {
    await manager.signOut(request.session!);
    return reply.endSession().code(204).send();
  });

  return { app, manager };
}

if (import.meta.main) {
  const { app } = await createFastifyExample(process.env.DATABASE_PATH ?? ':memory:');
  const address = await app.listen({ port: Number(process.env.PORT ?? 3002) });
  console.log(`Fastify example on ${address}`);
}
