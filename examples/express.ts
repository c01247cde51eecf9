// Seshat in an Express app: sign-in, req.session, list / revoke one / revoke others, sign-out, API keys,
// graceful shutdown, SQLite or PostgreSQL. Environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL
// (sqlite:./data/example.db; postgres://user@host/db needs `npm install pg`).
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiKeys, SessionManager, openStore, problemFromError, type Actor } from 'seshat';
import { seshatExpress } from 'seshat/express';

const store = await openStore(process.env.DATABASE_URL ?? 'sqlite:./data/example.db');
await store.migrate();
// Device parsing is on by default. Location and risk signals: add `enrich: sessionEnricher({ store })`.
// With PostgreSQL and several processes, the channel drops revoked sessions from every process's cache.
const manager = await new SessionManager({ store, channel: store.createInvalidationChannel?.() }).start();
const apiKeys = new ApiKeys({ store }).start(); // counts key usage in memory, writes it every 5 s
const seshat = seshatExpress({ manager, apiKeys });

// Your app owns its users and passwords: this map stands in for your user table and password hashing.
const users = new Map([['alice@example.com', { id: 'usr_alice', password: 'correct horse' }]]);
const checkPassword = (email: unknown, password: unknown) => {
  const user = typeof email === 'string' ? users.get(email) : undefined;
  return user !== undefined && user.password === password ? user.id : null;
};

const app = express();
app.use(express.json(), seshat.middleware); // req.session: the session or null; req.apiKey for Bearer keys

/** Who is asking: a browser session or an API key (null: nobody). */
const actor = (req: Request): Actor | null =>
  req.session ? { userId: req.session.userId, sessionId: req.session.id, ip: req.ip ?? null }
  : req.apiKey ? { userId: req.apiKey.userId, ip: req.ip ?? null }
  : null;
const signedIn = (req: Request, res: Response, next: NextFunction) => (actor(req) ? next() : res.status(401).json({ error: 'sign in first' }));

app.post('/login', seshat.requireSameSite(), async (req, res) => {
  const userId = checkPassword(req.body?.email, req.body?.password);
  if (userId === null) return void res.status(401).json({ error: 'wrong e-mail or password' });
  const created = await manager.createSession({
    userId, remember: req.body?.remember === true, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, headers: req.headers,
  });
  seshat.startSession(res, created); // HttpOnly, SameSite=Lax cookie; Max-Age only for "keep me signed in"
  res.json({ session: created.session });
});

app.get('/me', signedIn, (req, res) => void res.json({ session: req.session, apiKey: req.apiKey })); // no secret hashes
app.get('/sessions', signedIn, async (req, res) => void res.json({ sessions: await manager.listOwnSessions(actor(req)!) }));
app.delete('/sessions/:id', signedIn, async (req, res) => {
  await manager.revokeSession(actor(req)!, String(req.params.id)); // 404 for someone else's, 409 for this one
  res.status(204).end();
});
app.post('/sessions/revoke-others', signedIn, async (req, res) => void res.json({ revoked: await manager.revokeOtherSessions(actor(req)!) }));
app.post('/logout', async (req, res) => {
  if (req.session) await manager.signOut(req.session, req.ip ?? null);
  seshat.endSession(res);
  res.status(204).end();
});

// API keys: made from a browser session and shown once; `Authorization: Bearer <key>` then acts as the owner.
app.post('/api-keys', signedIn, async (req, res) => {
  const { apiKey, key } = await apiKeys.create(actor(req)!, String(req.body?.name ?? 'script'));
  res.status(201).json({ id: apiKey.id, key });
});
app.get('/api-keys', signedIn, async (req, res) => void res.json({ apiKeys: await apiKeys.list(actor(req)!) }));
app.delete('/api-keys/:id', signedIn, async (req, res) => {
  await apiKeys.revoke(actor(req)!, String(req.params.id));
  res.status(204).end();
});

// Seshat's refusals (403 cross-site sign-in, 404, 409, 503 store down, …) as RFC 9457 problem+json.
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  const problem = problemFromError(error);
  if (problem === null) return next(error);
  res.status(problem.status).type('application/problem+json').json(problem);
});

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`Express example listening on http://${address.includes(':') ? `[${address}]` : address}:${port}`);
});

// Graceful shutdown: finish requests in flight, write pending key usage, leave the channel, close the store.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(async () => {
    await apiKeys.stop();
    await manager.stop();
    await store.close();
  }));
}
