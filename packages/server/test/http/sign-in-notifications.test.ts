import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP server in-process on loopback; keeps every message it is given. */
async function smtpReceiver() {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The decoded text of a quoted-printable MIME part (nodemailer's encoding for these texts). */
const unQuote = (s: string) =>
  Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

describe.each(STORE_KINDS)('"new sign-in" e-mails (%s)', (kind) => {
  let t: TestServer;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>> | undefined;
  afterEach(async () => {
    await t?.close();
    await smtp?.close();
  });

  it("e-mails a sign-in from a new device, in the browser's language; its link signs everything out once, signed out", async () => {
    smtp = await smtpReceiver();
    t = await startTestServer({ store: kind, env: { SESHAT_SMTP_URL: smtp.url, SESHAT_SMTP_FROM: 'Seshat <security@example.com>', SESHAT_NOTIFY_PER_HOUR: '2' } });
    await t.addUser('alice@example.com');
    const laptop = new Client(t.url, { 'user-agent': WINDOWS });
    await laptop.login('alice@example.com');
    expect(smtp.messages).toHaveLength(0); // the first device is not "new"

    const phone = new Client(t.url, { 'user-agent': IPHONE, 'accept-language': 'de-DE,de;q=0.9' });
    await phone.login('alice@example.com');
    await expect.poll(() => smtp!.messages.length).toBe(1);
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(['alice@example.com']);
    const text = unQuote(mail.raw);
    expect(text).toMatch(/Subject: =\?UTF-8\?Q\?Neue_Anmeldung|Subject: Neue Anmeldung/);
    expect(text).toContain('From: Seshat <security@example.com>');
    expect(text).toContain('Content-Type: text/plain');
    expect(text).toContain('Content-Type: text/html');
    expect(text).toContain('Safari on iPhone');
    expect(text).toContain('Das war ich nicht');
    expect(text).toContain('Ungefährer Ort');
    const token = /\/not-me\?token=([\w.-]+)/.exec(text)![1]!;

    // The link opens the UI's confirmation page (a GET changes nothing).
    expect((await fetch(`${t.url}/not-me?token=${token}`)).headers.get('content-type')).toContain('text/html');
    expect((await laptop.get('/api/sessions')).status).toBe(200);
    const { key } = (await (await laptop.post('/api/api-keys', { name: 'made with a stolen cookie?' })).json()) as { key: string };
    const withKey = () => fetch(`${t.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).status).toBe(200);
    // Signed out, from anywhere: every session ends, a new password is required, and it is in the audit trail.
    const stranger = new Client(t.url);
    const used = await stranger.post('/api/auth/not-me', { token });
    expect(used.status).toBe(200);
    expect(await used.json()).toEqual({ revoked: 2 });
    expect((await laptop.get('/api/sessions')).status).toBe(401);
    expect((await phone.get('/api/sessions')).status).toBe(401);
    expect((await withKey()).status).toBe(401); // what "This wasn't me" does in a session: API keys end too
    expect((await stranger.post('/api/auth/not-me', { token })).status).toBe(409); // once only
    expect((await stranger.post('/api/auth/not-me', { token: token.slice(0, -2) + 'xx' })).status).toBe(404);
    const events = (await t.store.listAudit({ action: 'session.reported' })).items;
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ via: 'e-mail link', reportedFrom: null, revokedSessions: 2, revokedCredentials: 1, device: 'Safari on iPhone' });
  });

  it('sends at most the per-user rate; without SMTP nothing is sent and the admin API says so', async () => {
    smtp = await smtpReceiver();
    t = await startTestServer({ store: kind, env: { SESHAT_SMTP_URL: smtp.url, SESHAT_NOTIFY_PER_HOUR: '1' } });
    await t.addUser('alice@example.com');
    await t.addUser('admin@example.com', 'admin');
    await new Client(t.url, { 'user-agent': WINDOWS }).login('alice@example.com');
    await new Client(t.url, { 'user-agent': IPHONE }).login('alice@example.com');
    await new Client(t.url, { 'user-agent': ANDROID }).login('alice@example.com');
    await expect.poll(() => smtp!.messages.length).toBe(1);
    const admin = new Client(t.url);
    await admin.login('admin@example.com');
    expect(await (await admin.get('/api/admin/notifications')).json()).toMatchObject({ smtpConfigured: true });
    await t.close();

    t = await startTestServer({ store: kind });
    await t.addUser('admin@example.com', 'admin');
    const other = new Client(t.url);
    await other.login('admin@example.com');
    expect(await (await other.get('/api/admin/notifications')).json()).toMatchObject({ smtpConfigured: false });
  });
});
