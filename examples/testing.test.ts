// Testing an app that uses Seshat: sign in with supertest, send the CSRF header a browser would, and move a
// fake clock past the idle timeout. Runs with vitest; the same works with node:test or jest.
import express from 'express';
import request from 'supertest';
import { expect, it } from 'vitest';
import { DAY, ManualClock, SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { seshatExpress } from 'seshat/express';

async function appForTest() {
  const store = new SqliteStore(':memory:'); // a fresh database per test, nothing on disk
  await store.migrate();
  const clock = new ManualClock(); // time moves only when the test says so
  const manager = await new SessionManager({ store, clock }).start();
  const seshat = seshatExpress({ manager });
  const app = express().use(express.json(), seshat.middleware);
  app.post('/login', seshat.requireSameSite(), async (req, res) => {
    const created = await manager.createSession({ userId: req.body.userId, remember: false, ip: null, userAgent: null });
    seshat.startSession(res, created);
    res.json({ id: created.session.id });
  });
  app.get('/me', (req, res) => void res.status(req.session ? 200 : 401).json({ userId: req.session?.userId }));
  app.post('/logout', async (req, res) => {
    if (req.session) await manager.signOut(req.session);
    seshat.endSession(res);
    res.status(204).end();
  });
  return { app, clock, store };
}

it('signs in, stays signed in, and signs out', async () => {
  const { app, store } = await appForTest();
  const agent = request.agent(app); // keeps the session cookie between requests, like a browser
  await agent.post('/login').send({ userId: 'usr_1' }).expect(200); // no Origin, no Sec-Fetch-Site: not a browser, allowed
  await agent.get('/me').expect(200, { userId: 'usr_1' });
  // Cookie-authenticated writes need what a browser sends from your own pages:
  await agent.post('/logout').expect(403); // neither header: refused, and the problem says what to send
  await agent.post('/logout').set('Sec-Fetch-Site', 'same-origin').expect(204); // or .set('Origin', <the app's origin>)
  await agent.get('/me').expect(401);
  await store.close();
});

it('ends a session after the idle timeout (7 days by default), without waiting a week', async () => {
  const { app, clock, store } = await appForTest();
  const agent = request.agent(app);
  await agent.post('/login').send({ userId: 'usr_1' }).expect(200);
  clock.advance(7 * DAY - 1);
  await agent.get('/me').expect(200); // activity resets the idle clock
  clock.advance(7 * DAY);
  await agent.get('/me').expect(401);
  await store.close();
});
