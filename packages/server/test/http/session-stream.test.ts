import { afterEach, describe, expect, it } from 'vitest';
import { openEventStream } from '../helpers/event-stream.ts';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(STORE_KINDS)('GET /api/sessions/stream (%s)', (kind) => {
  let t: TestServer;
  const streams: { close(): void }[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await t?.close();
  });

  async function setup(env: Record<string, string> = {}) {
    t = await startTestServer({ store: kind, env });
    await t.addUser('alice@example.com');
    await t.addUser('admin@example.com', 'admin');
  }

  async function stream(client: Client, headers: Record<string, string> = {}) {
    const s = await openEventStream(`${t.url}/api/sessions/stream`, { cookie: client.cookie ?? '', ...headers });
    streams.push(s);
    return s;
  }

  it('tells an open page its session ended, with the reason, and the other session that the list changed', async () => {
    await setup();
    const laptop = new Client(t.url);
    const phone = new Client(t.url);
    const { session: laptopSession } = await laptop.login('alice@example.com');
    await phone.login('alice@example.com');
    const onLaptop = await stream(laptop);
    const onPhone = await stream(phone);
    expect(onLaptop.response.status).toBe(200);
    expect(onLaptop.response.headers.get('content-type')).toContain('text/event-stream');
    expect(onLaptop.response.headers.get('cache-control')).toContain('no-store');
    await onLaptop.until(() => onLaptop.events.some((e) => e.event === 'ready'));
    await onPhone.until(() => onPhone.events.some((e) => e.event === 'ready'));

    expect((await phone.delete(`/api/sessions/${laptopSession.id}`)).status).toBe(204);
    await onLaptop.until(() => onLaptop.ended, 'the laptop stream to end');
    expect(onLaptop.events.at(-1)).toMatchObject({ event: 'session.ended', data: { reason: 'signed-out-elsewhere', endedAt: expect.any(String) } });
    await onPhone.until(() => onPhone.events.some((e) => e.event === 'sessions.changed'));

    // A new sign-in elsewhere is a change too.
    const count = onPhone.events.length;
    await new Client(t.url).login('alice@example.com');
    await onPhone.until(() => onPhone.events.slice(count).some((e) => e.event === 'sessions.changed'));
    expect(onPhone.ended).toBe(false);
  });

  it('ends streams on sign-out and on an admin sign-out of everyone; refuses anonymous and ended sessions', async () => {
    await setup();
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    const onAlice = await stream(alice);
    await onAlice.until(() => onAlice.events.some((e) => e.event === 'ready'));
    expect((await admin.post('/api/admin/sessions/revoke-all', { reason: 'rotation' })).status).toBe(200);
    await onAlice.until(() => onAlice.ended);
    expect(onAlice.events.at(-1)).toMatchObject({ event: 'session.ended', data: { reason: 'invalidated-all' } });

    const anonymous = await stream(new Client(t.url));
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.response.headers.get('content-type')).toContain('application/problem+json');
    const again = await stream(alice); // the cookie of the ended session
    expect(again.response.status).toBe(401);
  });

  it('resumes with Last-Event-ID (a sessions.changed at once), keeps one stream per session and caps them per user', async () => {
    await setup({ SESHAT_STREAMS_PER_USER: '2' });
    const [a, b, c] = [new Client(t.url), new Client(t.url), new Client(t.url)];
    for (const client of [a, b, c]) await client.login('alice@example.com');
    const first = await stream(a);
    await first.until(() => first.events.some((e) => e.event === 'ready'));
    const lastId = first.events.at(-1)!.id!;
    const resumed = await stream(a, { 'last-event-id': lastId });
    await resumed.until(() => resumed.events.some((e) => e.event === 'sessions.changed'));
    await first.until(() => first.ended, 'the replaced stream to end'); // one per session: the new one replaced it
    const onB = await stream(b);
    expect(onB.response.status).toBe(200);
    const onC = await stream(c);
    expect(onC.response.status).toBe(429);
    expect(await onC.response.json()).toMatchObject({ status: 429 });
  });

  it('closes a stream at its age limit (the browser reconnects), and API keys get none', async () => {
    await setup({ SESHAT_STREAM_MAX_SECONDS: '1' });
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    const s = await stream(alice);
    await s.until(() => s.ended, 'the stream to reach its age limit');
    expect(s.events.map((e) => e.event)).toEqual(['ready']);
    const key = (await (await alice.post('/api/api-keys', { name: 'k' })).json()) as { key: string };
    const byKey = await openEventStream(`${t.url}/api/sessions/stream`, { authorization: `Bearer ${key.key}` });
    streams.push(byKey);
    expect(byKey.response.status).toBe(403);
  });
});
