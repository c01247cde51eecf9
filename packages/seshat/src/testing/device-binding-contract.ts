import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import type { DeviceKey, SessionRecord } from '../core/session.ts';
import { defaultSettings, expiryCutoffs } from '../core/settings.ts';
import { newSessionId } from '../core/token.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const KEY: DeviceKey = { alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' } };
const OTHER_KEY: DeviceKey = { alg: 'RS256', jwk: { kty: 'RSA', n: 'modulus', e: 'AQAB' } };

/**
 * The DeviceBindingStore part of the store contract (Device Bound Session Credentials). `current` returns the
 * store the enclosing suite opened; `session` makes a session record for it.
 */
export function deviceBindingStoreContract(current: () => Store, session: (overrides?: Partial<SessionRecord>) => SessionRecord): void {
  describe('device binding', () => {
    it('binds a key once: the first registration wins, a revoked or unknown session cannot be bound', async () => {
      const store = current();
      const live = session();
      const revoked = session({ revokedAt: NOW - 1, revokedReason: 'revoked' });
      await store.insertSession(live);
      await store.insertSession(revoked);
      expect(await store.findSession(live.id)).toMatchObject({ deviceKey: null, boundSince: null });

      expect(await store.bindSessionKey(live.id, { key: KEY, at: NOW })).toBe(true);
      expect(await store.bindSessionKey(live.id, { key: OTHER_KEY, at: NOW + 1 })).toBe(false);
      expect(await store.bindSessionKey(revoked.id, { key: KEY, at: NOW })).toBe(false);
      expect(await store.bindSessionKey(newSessionId(), { key: KEY, at: NOW })).toBe(false);
      expect(await store.findSession(live.id)).toMatchObject({ deviceKey: KEY, boundSince: NOW });
      expect(await store.findSession(revoked.id)).toMatchObject({ deviceKey: null, boundSince: null });
    });

    it('counts bound sessions among the live ones only', async () => {
      const store = current();
      const bound = session();
      const unbound = session();
      const boundButOld = session({ createdAt: NOW - 400 * DAY, lastActiveAt: NOW - HOUR });
      for (const s of [bound, unbound, boundButOld]) await store.insertSession(s);
      await store.bindSessionKey(bound.id, { key: KEY, at: NOW });
      await store.bindSessionKey(boundButOld.id, { key: KEY, at: NOW });
      expect(await store.countBoundSessions(expiryCutoffs(defaultSettings(), NOW))).toBe(1);
    });

    it('keeps signing secrets newest first and retires old ones when a new one is added', async () => {
      const store = current();
      expect(await store.listBindingSecrets()).toEqual([]);
      const secret = (createdAt: number) => ({ id: randomBytes(6).toString('base64url'), secret: new Uint8Array(randomBytes(32)), createdAt });
      const old = secret(NOW - 3 * DAY);
      const previous = secret(NOW - DAY);
      const fresh = secret(NOW);
      await store.insertBindingSecret(old, 0);
      await store.insertBindingSecret(previous, 0);
      await store.insertBindingSecret(fresh, NOW - 2 * DAY);
      const listed = await store.listBindingSecrets();
      expect(listed.map((s) => ({ ...s, secret: Buffer.from(s.secret) }))).toEqual([fresh, previous].map((s) => ({ ...s, secret: Buffer.from(s.secret) })));
    });
  });
}
