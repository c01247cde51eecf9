// The least an Express app needs: sign in, then know who is signed in. (The quick starts add list, revoke,
// sign-out, API keys, shutdown and PostgreSQL.)
import express from 'express';
import { SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { seshatExpress } from 'seshat/express';

const store = new SqliteStore('./data/sessions.db');
await store.migrate();
const manager = await new SessionManager({ store }).start();
const seshat = seshatExpress({ manager });

const app = express();
app.use(express.json(), seshat.middleware);
app.post('/login', seshat.requireSameSite(), async (req, res) => {
  const userId = req.body?.password === 'correct horse' ? 'usr_alice' : null; // your own password check
  if (!userId) return void res.status(401).end();
  const created = await manager.createSession({ userId, remember: false, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
  seshat.startSession(res, created);
  res.json({ session: created.session });
});
app.get('/me', (req, res) => void res.json({ userId: req.session?.userId ?? null }));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`));
