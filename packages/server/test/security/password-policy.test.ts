import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { weakness } from '../../src/password-policy.ts';
import { DEFAULT_COST, hashPassword, needsRehash, verifyPassword } from '../../src/passwords.ts';
import { Client, PASSWORD, STORE_KINDS, TEST_PASSWORD_COST, startTestServer, type TestServer } from '../helpers/server.ts';

describe('password rules (NIST SP 800-63B-4, single factor)', () => {
  it('wants at least 15 characters, counted as code points, and allows long passphrases', () => {
    expect(weakness('fourteen chars')).toMatch(/at least 15/);
    expect(weakness('fifteen chars!!')).toBeNull();
    expect(weakness('ääääääääääääääb'.replace('b', 'öü'))).toBeNull(); // 16 code points, more bytes
    expect(weakness('🐈'.repeat(14))).toMatch(/at least 15/);
    expect(weakness('a long passphrase '.repeat(4).slice(0, 64))).toBeNull();
    expect(weakness('correct horse battery staple '.repeat(30))).toBeNull(); // 870 characters
    expect(weakness('x'.repeat(1025))).toMatch(/at most 1024/);
  });

  it('refuses commonly used passwords from the maintained list, case and spaces aside, and runs of one or two characters', () => {
    for (const common of ['qwertyuiop12345', 'QwertyUiop12345', 'password password', '1qaz2wsx3edc4rfv']) expect(weakness(common), common).toMatch(/commonly used/);
    expect(weakness('aaaaaaaaaaaaaaaa')).toMatch(/two different/);
    expect(weakness('abababababababab')).toMatch(/two different/);
    expect(weakness('seshat seshat  ')).not.toBeNull();
  });

  it('scrypt runs at N=2^17, r=8, p=1 by default, and weaker hashes are due for an upgrade', async () => {
    expect(DEFAULT_COST).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const hash = await hashPassword(PASSWORD);
    expect(hash.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash('scrypt$32768$8$1$c2FsdA$aGFzaA')).toBe(true);
    expect(needsRehash('scrypt$131072$4$1$c2FsdA$aGFzaA')).toBe(true);
    expect(needsRehash('md5$whatever')).toBe(true);
  });
});

describe.each(STORE_KINDS)('password rules over HTTP (%s)', (kind) => {
  let t: TestServer;
  let aliceId: string;
  let alice: Client;
  beforeEach(async () => {
    t = await startTestServer({ store: kind });
    aliceId = (await t.addUser('alice@example.com')).id;
    alice = new Client(t.url);
    await alice.login('alice@example.com');
  });
  afterEach(() => t.close());

  it('a weak, common, own-e-mail or unchanged new password is a 400 naming the rule, and changes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['short but ok?', /at least 15/],
      ['qwertyuiop12345', /commonly used/],
      ['alice@example.com', /e-mail address or name/],
      [PASSWORD, /differ from the current/],
    ];
    for (const [newPassword, rule] of cases) {
      const res = await alice.post('/api/auth/password', { currentPassword: PASSWORD, newPassword });
      expect(res.status, newPassword).toBe(400);
      expect(JSON.stringify(await res.json()), newPassword).toMatch(rule);
    }
    await new Client(t.url).login('alice@example.com'); // the password is still the old one
  });

  it('a successful sign-in upgrades a hash made with weaker parameters, once', async () => {
    const weak = await hashPassword(PASSWORD, { ...TEST_PASSWORD_COST, N: TEST_PASSWORD_COST.N / 2 });
    await t.store.updatePasswordHash(aliceId, weak);
    expect((await new Client(t.url).post('/api/auth/login', { email: 'alice@example.com', password: 'wrong password here' })).status).toBe(401);
    expect((await t.store.findUserById(aliceId))!.passwordHash).toBe(weak); // never on a failed attempt
    await new Client(t.url).login('alice@example.com');
    const upgraded = (await t.store.findUserById(aliceId))!.passwordHash;
    expect(upgraded.startsWith(`scrypt$${TEST_PASSWORD_COST.N}$8$1$`)).toBe(true);
    await new Client(t.url).login('alice@example.com');
    expect((await t.store.findUserById(aliceId))!.passwordHash).toBe(upgraded);
  });
});
