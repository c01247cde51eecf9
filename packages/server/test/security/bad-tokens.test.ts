import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';
import { getWithCookie } from '../helpers/raw-http.ts';

let t: TestServer;
let valid: string;

beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('ann@example.com');
  const ann = new Client(t.url);
  await ann.login('ann@example.com');
  valid = ann.token!;
});
afterAll(() => t.close());

describe('unknown, tampered and malformed tokens', () => {
  it('are anonymous: 401 problem+json on a protected route, never a 5xx', async () => {
    const [id, secret] = valid.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const cases: [string, Buffer | string][] = [
      ['unknown id, well-formed', `ses_${'x'.repeat(24)}.${'y'.repeat(43)}`],
      ['tampered secret', `${id}.${flip(secret, 10)}`],
      ['tampered id', `${flip(id, 8)}.${secret}`],
      ['secret of another length', `${id}.${secret}AA`],
      ['id only', id],
      ['empty', ''],
      ['10 KB', 'A'.repeat(10 * 1024)],
      ['10 KB well-prefixed', `${id}.${secret}${'A'.repeat(10 * 1024)}`],
      ['bad percent-encoding', `${id}.%E0%A4%A${secret.slice(8)}`],
      ['SQL metacharacters', `ses_' OR '1'='1' --.${secret}`],
      ['SQL in secret', `${id}.' OR 1=1; DROP TABLE sessions; --`],
      ['NUL byte', Buffer.concat([Buffer.from(id), Buffer.from([0]), Buffer.from('.' + secret)])],
      ['NUL inside secret', Buffer.concat([Buffer.from(`${id}.${secret.slice(0, 20)}`), Buffer.from([0]), Buffer.from(secret.slice(21))])],
      ['unicode', `ses_ÄÖÜ😀${'x'.repeat(18)}.${secret}`],
      ['raw UTF-8 bytes', Buffer.from(`ses_${'é'.repeat(12)}.${secret}`, 'utf8')],
      ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('ses_'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('.' + secret)])],
      // RFC 6265 lets a cookie value be wrapped in DQUOTEs (a quoted valid token is that token); a quoted tampered one is not.
      ['quoted, tampered', `"${id}.${flip(secret, 10)}"`],
      ['two dots', `${id}..${secret}`],
      ['base64 padding', `${id}.${secret.slice(0, 42)}=`],
      ['JSON', '{"id":"x"}'],
      ['proto pollution-ish', '__proto__'],
    ];
    for (const [name, value] of cases) {
      const cookieValue = Buffer.concat([Buffer.from('session_token='), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8')]);
      const res = await getWithCookie(t.url, '/api/auth/session', cookieValue);
      // A NUL byte is not allowed in an HTTP field value: the parser refuses the request (400) before any
      // route runs. Everything else reaches the session layer and must come out anonymous.
      expect.soft(res.status, name).toBe(name.startsWith('NUL') ? 400 : 401);
      expect.soft(res.headers['content-type'], name).toMatch(/^application\/problem\+json/);
    }
    // Duplicate cookies and a cookie header of only separators: still anonymous, still no 5xx.
    for (const header of [`session_token=x; session_token=y`, ';;;;', '=', 'session_token']) {
      const res = await getWithCookie(t.url, '/api/auth/session', header);
      expect.soft(res.status, header).toBe(401);
    }
    // The genuine token still works afterwards (nothing above broke or poisoned it).
    expect((await getWithCookie(t.url, '/api/auth/session', `session_token=${valid}`)).status).toBe(200);
  });
});
