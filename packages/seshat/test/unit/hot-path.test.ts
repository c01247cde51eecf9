import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/core/clock.ts';
import { secretsEqual as sameSecret } from '../../src/core/token.ts';
import { cookieValue } from '../../src/http/cookie.ts';
import { managerForTest, signIn } from '../helpers/manager.ts';

describe('hot path: a cache hit without SHA-256, promise or cookie object', () => {
  it('accepts the verified secret from memory and still refuses any other secret for the same id', async () => {
    const { manager } = await managerForTest();
    const { token } = await manager.createSession(signIn('u1'));
    expect(await manager.validate(token)).not.toBeNull(); // miss: hashed, then remembered
    expect(manager.validateCached(token)?.userId).toBe('u1'); // hit: compared with the remembered secret
    const [id, secret] = token.split('.') as [string, string];
    const wrong = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(manager.validateCached(wrong)).toBeNull();
    expect(await manager.validate(wrong)).toBeNull();
    // The right one still passes after a wrong one (the remembered secret is not replaced by a failure).
    expect(manager.validateCached(token)?.userId).toBe('u1');
    expect(manager.metrics.validations.rejected).toBe(2);
  });

  it('a token whose id is cached but whose shape is wrong is refused, however close to the verified one', async () => {
    const { manager } = await managerForTest();
    const { token } = await manager.createSession(signIn('u1'));
    expect(await manager.validate(token)).not.toBeNull();
    const id = token.slice(0, 28);
    const secret = token.slice(29);
    for (const junk of [`${id}!${secret}`, `${id}.${secret.slice(0, -1)}=`, `${id}.${secret.slice(0, -1)}\u0000`, `${id}.${secret}x`, `${id}.${secret.slice(1)}`]) {
      expect(manager.validateCached(junk)).toBeNull();
      expect(await manager.validate(junk)).toBeNull();
    }
    expect(manager.validateCached(token)?.userId).toBe('u1');
  });

  it('validateCached answers undefined (go to the store) on a miss and past expiry, null for junk', async () => {
    const { manager, clock } = await managerForTest();
    const { token } = await manager.createSession(signIn('u1'));
    expect(manager.validateCached(undefined)).toBeNull();
    expect(manager.validateCached('not-a-token')).toBeNull();
    expect(manager.validateCached(token)).toBeUndefined(); // not cached yet
    await manager.validate(token);
    expect(manager.validateCached(token)).not.toBeNull();
    clock.advance(MINUTE + 1);
    expect(manager.validateCached(token)).not.toBeNull(); // activity goes to the touch batch: still a hit
    clock.advance(8 * DAY);
    expect(manager.validateCached(token)).toBeUndefined(); // expiry is confirmed against the store
    expect(await manager.validate(token)).toBeNull();
  });

  it('refuses a cached session once it is revoked, with the remembered secret', async () => {
    const { manager } = await managerForTest();
    const { token, session } = await manager.createSession(signIn('u1'));
    await manager.validate(token);
    expect(manager.validateCached(token)).not.toBeNull();
    await manager.signOut(session);
    expect(await manager.validate(token)).toBeNull();
  });

  it('sameSecret compares whole strings of equal length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'xbc')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });

  it('cookieValue finds one cookie as the cookie package would, without parsing the rest', () => {
    expect(cookieValue('session_token=abc', 'session_token')).toBe('abc');
    expect(cookieValue('a=1; session_token=abc; b=2', 'session_token')).toBe('abc');
    expect(cookieValue('a=1;session_token=abc', 'session_token')).toBe('abc');
    expect(cookieValue('a=1;\tsession_token = abc', 'session_token')).toBeUndefined(); // no space before "="
    expect(cookieValue('x_session_token=evil; session_token=good', 'session_token')).toBe('good');
    expect(cookieValue('session_token_old=evil', 'session_token')).toBeUndefined();
    expect(cookieValue('a=session_token=evil', 'session_token')).toBeUndefined();
    expect(cookieValue('session_token=first; session_token=second', 'session_token')).toBe('first');
    expect(cookieValue('session_token="quoted"', 'session_token')).toBe('quoted');
    expect(cookieValue('session_token=', 'session_token')).toBe('');
    expect(cookieValue(undefined, 'session_token')).toBeUndefined();
    expect(cookieValue('__Host-session_token=v', '__Host-session_token')).toBe('v');
  });
});

describe('cookieValue agrees with the cookie package', () => {
  it('on generated headers (names and base64url values, any spacing, duplicates)', async () => {
    const fc = (await import('fast-check')).default;
    const { parseCookie } = await import('cookie');
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_.-]{0,40}$/);
    const pair = fc.tuple(name, value, fc.constantFrom('; ', ';', ';  '));
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 8 }), fc.nat(), (pairs, pick) => {
        const header = pairs.map(([n, v], i) => `${n}=${v}${i < pairs.length - 1 ? pairs[i]![2] : ''}`).join('');
        const wanted = pairs[pick % pairs.length]![0];
        expect(cookieValue(header, wanted)).toBe(parseCookie(header)[wanted]);
        expect(cookieValue(header, `${wanted}x`)).toBe(parseCookie(header)[`${wanted}x`]);
      }),
      { numRuns: 500 },
    );
  });
});
