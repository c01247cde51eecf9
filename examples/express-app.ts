/**
 * A tiny Express app that signs users in with Seshat. Run: `node examples/express-app.ts` (PORT, default 3001).
 * The app owns its users; Seshat owns the sessions.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { SessionManager, isSeshatError } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { seshatExpress } from 'seshat/express';

const demoUsers = new Map([['alice', 'wonderland'], ['bob', 'builder']]);

export async function createExpressExample(databasePath = ':memory:') {
  const store = new SqliteStore(databasePath);
  await store.migrate();
  const manager = await new SessionManager({ store }).start();
  const seshat = seshatExpress({ manager, trustedOrigins: ['http://localhost:3001'] });

  const app = express();
  app.use(express.json());
  app.use(seshat.middleware);

  const signedIn = (req: Request, res: Response, next: NextFunction) =>
    req.session ? next() : res.status(401).json({ error: 'sign in first' });
  const actor = (req: Request) => ({ userId: req.session!.userId, sessionId: req.session!.id });

  app.post('/login', async (req, res) => {
    const { username, password, remember } = req.body ?? {};
    if (typeof username !== 'string' || demoUsers.get(username) !== password) return res.status(401).json({ error: 'wrong username or password' });
    const created = await manager.createSession({ userId: username, remember: remember === true, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
    seshat.startSession(res, created);
    res.json({ sessionId: created.session.id });
  });

  app.get('/me', signedIn, (req, res) => {
    res.json({ user: req.session!.userId, sessionId: req.session!.id });
  });

  app.get('/sessions', signedIn, async (req, res) => {
    const sessions = await manager.listOwnSessions(actor(req));
    res.json(sessions.map((s) => ({ id: s.id, current: s.id === req.session!.id, lastActiveAt: new Date(s.lastActiveAt).toISOString() })));
  });

  app.delete('/sessions/:id', signedIn, async (req, res, next) => {
    try {
      await manager.revokeSession(actor(req), String(req.params.id));
      res.status(204).end();
    } catch (error) {
      if (isSeshatError(error) && error.code === 'not_found') return res.status(404).json({ error: 'no such session' });
      if (isSeshatError(error) && error.code === 'conflict') return res.status(409).json({ error: error.detail });
      next(error);
    }
  });

  app.post('/logout', signedIn, async (req, res) => {
    await manager.signOut(req.session!);
    seshat.endSession(res);
    res.status(204).end();
  });

  return { app, manager, close: () => store.close() };
}

if (import.meta.main) {
  const { app } = await createExpressExample(process.env.DATABASE_PATH ?? ':memory:');
  const port = Number(process.env.PORT ?? 3001);
  app.listen(port, () => console.log(`Express example on http://localhost:${port}`));
}
