import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressExample } from '../express-app.ts';
import { createFastifyExample } from '../fastify-app.ts';
import { Client } from '../../packages/server/test/helpers/server.ts';

interface Started {
  url: string;
  stop(): Promise<void>;
}

async function startExpress(): Promise<Started> {
  const example = await createExpressExample();
  const server: Server = await new Promise((resolve) => {
    const s = example.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await example.close();
    },
  };
}

async function startFastify(): Promise<Started> {
  const example = await createFastifyExample();
  const url = await example.app.listen({ port: 0, host: '127.0.0.1' });
  return { url, stop: () => example.app.close() };
}

describe.each([
  ['Express', startExpress],
  ['Fastify', startFastify],
])('%s example app', (_name, start) => {
  let app: Started;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app.stop());

  it('signs in, recognises the session on later requests, and signs out', async () => {
    const client = new Client(app.url);
    expect((await client.get('/me')).status).toBe(401);
    expect((await client.post('/login', { username: 'alice', password: 'nope' })).status).toBe(401);
    const login = await client.post('/login', { username: 'alice', password: 'wonderland' });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/session_token=ses_.*HttpOnly; SameSite=Lax/);
    const me = await client.get('/me');
    expect(await me.json()).toMatchObject({ user: 'alice' });
    expect((await client.post('/logout')).status).toBe(204);
    expect((await client.get('/me')).status).toBe(401);
  });

  it('lets a user sign out another of their devices, which is refused on its next request', async () => {
    const laptop = new Client(app.url);
    const phone = new Client(app.url);
    await laptop.post('/login', { username: 'bob', password: 'builder' });
    const { sessionId } = (await (await phone.post('/login', { username: 'bob', password: 'builder', remember: true })).json()) as { sessionId: string };
    const list = (await (await laptop.get('/sessions')).json()) as { id: string; current: boolean }[];
    expect(list.map((s) => s.current)).toEqual([true, false]);
    expect((await laptop.delete(`/sessions/${sessionId}`)).status).toBe(204);
    expect((await phone.get('/me')).status).toBe(401);
    expect((await laptop.delete(`/sessions/${list[0]!.id}`)).status).toBe(409);
  });

  it('refuses a cross-site write carrying the cookie', async () => {
    const client = new Client(app.url);
    await client.post('/login', { username: 'alice', password: 'wonderland' });
    const response = await client.post('/logout', {}, { 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    expect((await client.get('/me')).status).toBe(200);
  });
});
