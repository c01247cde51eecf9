import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../core/audit.ts';
import { DAY, HOUR, MINUTE } from '../core/clock.ts';
import { isSeshatError } from '../core/errors.ts';
import { unknownDevice, type SessionRecord } from '../core/session.ts';
import { defaultSettings, expiryCutoffs, isExpired, type SessionSettings } from '../core/settings.ts';
import { EffectivePolicies, type SessionPolicy } from '../core/session-policy.ts';
import { newSessionId } from '../core/token.ts';
import type { Page, Store, StoreScope, UserRecord } from '../core/ports.ts';
import { apiKeyStoreContract } from './api-key-contract.ts';
import { webhookStoreContract } from './webhook-contract.ts';
import { deviceBindingStoreContract } from './device-binding-contract.ts';
import { overviewStoreContract } from './overview-contract.ts';

/** Opens an empty, migrated store for one test; the suite closes it afterwards. */
export type StoreFactory = () => Promise<Store>;

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

let counter = 0;
/** A session record for store tests: a fresh id and hash, an hour old, active a minute ago; `overrides` win. */
export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  counter++;
  return {
    id: newSessionId(),
    userId: 'usr_a',
    secretHash: randomBytes(32),
    tokenHint: randomBytes(6).toString('base64url'),
    persistent: false,
    createdAt: NOW - HOUR,
    lastActiveAt: NOW - MINUTE,
    revokedAt: null,
    revokedReason: null,
    revokedNote: null,
    ip: null,
    signInIp: null,
    userAgent: null,
    device: unknownDevice,
    location: null,
    signInLocation: null,
    risk: null,
    requests: counter,
    lastPath: null,
    reauthenticatedAt: null,
    passwordChangeRequired: false,
    deviceKey: null,
    boundSince: null,
    ...overrides,
  };
}

function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'aud_' + randomBytes(12).toString('base64url'),
    at: NOW,
    action: 'auth.sign-in',
    actorId: 'usr_a',
    targetUserId: 'usr_a',
    sessionId: null,
    reason: null,
    ip: null,
    details: null,
    ...overrides,
  };
}

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'usr_' + randomBytes(9).toString('base64url'),
    email: `${randomBytes(4).toString('hex')}@example.com`,
    name: 'Someone',
    role: 'user',
    passwordHash: 'scrypt$1$2$3$salt$hash',
    createdAt: NOW,
    disabledAt: null,
    passwordChangeRequired: false,
    ...overrides,
  };
}

const settingsWith = (patch: Partial<SessionSettings>): SessionSettings => ({ ...defaultSettings({}), ...patch });
const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id).sort();

/** Edits of different fields of one document (a policy, or the settings: both have these fields). */
const FIELD_EDITS: SessionPolicy[] = [
  { idleTimeoutSeconds: 600 },
  { absoluteLifetimeSeconds: 86_400 },
  { maxSessionsPerUser: 2 },
  { sessionLimitAction: 'deny' },
  { reauthenticationWindowSeconds: 300 },
  { rememberMe: { enabled: false } },
];

/** How a read-merge-save of one document (`updatePolicy`, `updateSettings`) locks, reads (null: none yet) and saves it. */
interface LockedDocument {
  lock(scope: StoreScope): Promise<void>;
  read(scope: StoreScope): Promise<SessionPolicy | null>;
  save(scope: StoreScope, document: SessionPolicy): Promise<void>;
}

/** Merges every edit into the document at once, each in a transaction of its own under the document's lock. */
async function mergeInParallel(store: Store, document: LockedDocument, edits: readonly SessionPolicy[]): Promise<void> {
  await Promise.all(
    edits.map((edit) =>
      store.transaction(async (scope) => {
        await document.lock(scope);
        await document.save(scope, { ...(await document.read(scope)), ...edit });
      }),
    ),
  );
}

async function expectInvalidInput(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(isSeshatError(error) && error.code === 'invalid_input').toBe(true);
}

/**
 * The store contract: every dialect must pass exactly these tests. Seshat runs it on its own stores
 * (packages/seshat/test/store/sqlite.test.ts and postgres.test.ts); a store of your own runs it the same way,
 * inside a vitest test file:
 *
 * ```ts
 * import { storeContract } from 'seshat/testing';
 * storeContract('sqlite', async () => { const store = new MyStore(); await store.migrate(); return store; });
 * ```
 *
 * @param dialect - the value the store's `dialect` property must have.
 * @param factory - opens an empty, migrated store; called before every test, closed after it.
 */
export function storeContract(dialect: Store['dialect'], factory: StoreFactory): void {
  describe(`${dialect} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    apiKeyStoreContract(() => store);
    webhookStoreContract(() => store);
    deviceBindingStoreContract(() => store, sessionRecord);
    overviewStoreContract(() => store, sessionRecord);

    it('is the dialect it claims, answers pings, and migrating again applies nothing', async () => {
      expect(store.dialect).toBe(dialect);
      await store.ping();
      expect(await store.migrate()).toEqual([]);
    });

    describe('sessions: insert and find', () => {
      it('round-trips every field', async () => {
        const full = sessionRecord({
          persistent: true,
          revokedAt: NOW - 5,
          revokedReason: 'revoked',
          ip: '203.0.113.7',
          userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120',
          device: { browser: 'Chrome', browserVersion: '120', os: 'macOS', osVersion: '14', deviceType: 'desktop', deviceModel: null, label: 'Chrome on macOS' },
          location: { city: 'Lyon', region: 'Auvergne-Rhône-Alpes', country: 'France', countryCode: 'FR' },
          risk: { suspicious: true, reasons: ['new country'] },
          requests: 42,
          lastPath: '/api/sessions?x=é',
        });
        const bare = sessionRecord();
        await store.insertSession(full);
        await store.insertSession(bare);
        for (const s of [full, bare]) {
          const found = await store.findSession(s.id);
          expect(found).not.toBeNull();
          expect({ ...found!, secretHash: Buffer.from(found!.secretHash) }).toEqual({ ...s, secretHash: Buffer.from(s.secretHash) });
        }
      });

      it('finds nothing for an unknown id', async () => {
        expect(await store.findSession(newSessionId())).toBeNull();
      });

      it('rejects a second session with the same id', async () => {
        const s = sessionRecord();
        await store.insertSession(s);
        await expect(store.insertSession({ ...s, userId: 'usr_other' })).rejects.toThrow();
        expect((await store.findSession(s.id))!.userId).toBe('usr_a');
      });
    });

    describe('sessions: read many at once', () => {
      it('finds many sessions by id in one call, revoked ones too, and leaves out ids it does not know', async () => {
        const a = sessionRecord();
        const b = sessionRecord({ userId: 'usr_b' });
        await store.insertSession(a);
        await store.insertSession(b);
        await store.revokeSession(b.id, { at: NOW, reason: 'revoked' });
        expect(store.findSessions, 'the built-in stores read many sessions in one statement').toBeTypeOf('function');
        const found = await store.findSessions!([a.id, newSessionId(), b.id]);
        expect(found.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
        expect(found.find((s) => s.id === a.id)).toEqual(await store.findSession(a.id));
        expect(found.find((s) => s.id === b.id)).toMatchObject({ revokedAt: NOW, userId: 'usr_b' });
        expect(await store.findSessions!([])).toEqual([]);
      });
    });

    describe('sessions: batched touch', () => {
      it('writes many sessions in one call and answers the ids it updated', async () => {
        const a = sessionRecord({ requests: 1, ip: '198.51.100.1', location: { city: 'Lyon', region: null, country: 'France', countryCode: 'FR' } });
        const b = sessionRecord({ requests: 2 });
        await store.insertSession(a);
        await store.insertSession(b);
        const place = { city: 'Berlin', region: 'Berlin', country: 'Germany', countryCode: 'DE' };
        const updated = await store.touchSessions([
          { id: a.id, lastActiveAt: NOW, requests: 5, lastPath: '/a', ip: '203.0.113.7', location: place },
          { id: b.id, lastActiveAt: NOW - 5, requests: 3, lastPath: null },
        ]);
        expect(updated.sort()).toEqual([a.id, b.id].sort());
        expect(await store.findSession(a.id)).toMatchObject({ lastActiveAt: NOW, requests: 6, lastPath: '/a', ip: '203.0.113.7', location: place });
        // No address in the touch: the stored one and its location stay.
        expect(await store.findSession(b.id)).toMatchObject({ lastActiveAt: NOW - 5, requests: 5, ip: null, location: null });
      });

      it('a new address with an unknown place clears the location; one whose place was not looked up keeps it; paths are stored as sent', async () => {
        const lyon = { city: 'Lyon', region: null, country: 'France', countryCode: 'FR' };
        const a = sessionRecord({ ip: '198.51.100.1', location: lyon });
        const b = sessionRecord({ ip: '198.51.100.2', location: lyon });
        await store.insertSession(a);
        await store.insertSession(b);
        const path = '/a "quoted" \\ path/ü/\u2028';
        await store.touchSessions([
          { id: a.id, lastActiveAt: NOW, requests: 1, lastPath: path, ip: '203.0.113.8', location: null },
          { id: b.id, lastActiveAt: NOW, requests: 1, lastPath: null, ip: '203.0.113.9' },
        ]);
        expect(await store.findSession(a.id)).toMatchObject({ ip: '203.0.113.8', location: null, lastPath: path });
        expect(await store.findSession(b.id)).toMatchObject({ ip: '203.0.113.9', location: lyon });
      });

      it('only raises last-active (nodes may write out of order) and keeps the last path when none is given', async () => {
        const s = sessionRecord({ lastPath: '/kept' });
        await store.insertSession(s);
        await store.touchSessions([{ id: s.id, lastActiveAt: NOW, requests: 1, lastPath: null }]);
        await store.touchSessions([{ id: s.id, lastActiveAt: NOW - 1000, requests: 1, lastPath: null }]);
        expect(await store.findSession(s.id)).toMatchObject({ lastActiveAt: NOW, lastPath: '/kept', requests: s.requests + 2 });
      });

      it('leaves out, per id, rows revoked or deleted meanwhile, and never resurrects them', async () => {
        const live = sessionRecord();
        const revoked = sessionRecord();
        await store.insertSession(live);
        await store.insertSession(revoked);
        await store.revokeSession(revoked.id, { at: NOW - 10, reason: 'revoked' });
        const unknown = newSessionId();
        const updated = await store.touchSessions([
          { id: live.id, lastActiveAt: NOW, requests: 1, lastPath: null },
          { id: revoked.id, lastActiveAt: NOW, requests: 1, lastPath: '/late' },
          { id: unknown, lastActiveAt: NOW, requests: 1, lastPath: null },
        ]);
        expect(updated).toEqual([live.id]);
        expect(await store.findSession(revoked.id)).toMatchObject({ revokedAt: NOW - 10, requests: revoked.requests, lastPath: null });
        expect(await store.findSession(unknown)).toBeNull();
        expect(await store.touchSessions([])).toEqual([]);
      });
    });

    describe('sessions: risk and stored addresses', () => {
      it('replaces the risk of a live session only', async () => {
        const live = sessionRecord();
        const ended = sessionRecord({ revokedAt: NOW, revokedReason: 'sign-out' });
        await store.insertSession(live);
        await store.insertSession(ended);
        const risk = { suspicious: true, reasons: ['Used from Japan after signing in from France'] };
        expect(await store.setSessionRisk(live.id, risk)).toBe(true);
        expect(await store.setSessionRisk(ended.id, risk)).toBe(false);
        expect((await store.findSession(live.id))!.risk).toEqual(risk);
        expect((await store.findSession(ended.id))!.risk).toBeNull();
      });

      it('anonymises stored session and audit addresses in keyset batches', async () => {
        const prefix = (ip: string) => ip.replace(/\.\d+$/, '.0');
        for (let i = 0; i < 5; i++) await store.insertSession(sessionRecord({ ip: `198.51.100.${i + 1}`, signInIp: `203.0.113.${i + 1}` }));
        await store.insertSession(sessionRecord({ ip: null, signInIp: null }));
        for (let i = 0; i < 3; i++) await store.appendAudit({ id: `aud_anon${i}`, at: NOW + i, action: 'auth.sign-in', actorId: 'usr_a', targetUserId: 'usr_a', sessionId: null, reason: null, ip: `192.0.2.${i + 7}`, details: null });
        let after: string | null = null;
        let changed = 0;
        let steps = 0;
        do {
          const step: { changed: number; last: string | null } = await store.anonymizeSessionIps({ after, limit: 2, anonymize: prefix });
          changed += step.changed;
          after = step.last;
          steps++;
        } while (after !== null);
        expect(changed).toBe(5);
        expect(steps).toBeGreaterThanOrEqual(3);
        const { items } = await store.listActiveSessions({ cutoffs: expiryCutoffs(defaultSettings({}), NOW) });
        for (const s of items) if (s.ip !== null) expect([s.ip, s.signInIp]).toEqual(['198.51.100.0', '203.0.113.0']);
        const audit = await store.anonymizeAuditIps({ after: null, limit: 10, anonymize: prefix });
        expect(audit).toMatchObject({ changed: 3, last: null });
        expect((await store.listAudit({})).items.map((e) => e.ip)).toEqual(['192.0.2.0', '192.0.2.0', '192.0.2.0']);
        // Again: nothing left to change.
        expect((await store.anonymizeSessionIps({ after: null, limit: 100, anonymize: prefix })).changed).toBe(0);
      });
    });

    describe('sessions: why they ended', () => {
      it("keeps the reason code and an administrator's note with the revocation", async () => {
        const one = sessionRecord();
        const user = sessionRecord({ userId: 'usr_note' });
        const all = sessionRecord({ userId: 'usr_all' });
        for (const s of [one, user, all]) await store.insertSession(s);
        await store.revokeSession(one.id, { at: NOW, reason: 'revoked-by-admin', note: 'Lost laptop' });
        await store.revokeUserSessions('usr_note', { at: NOW, reason: 'force-sign-out', note: 'Password leaked' });
        await store.revokeAllSessions({ at: NOW, reason: 'invalidate-all' });
        expect(await store.findSession(one.id)).toMatchObject({ revokedReason: 'revoked-by-admin', revokedNote: 'Lost laptop' });
        expect(await store.findSession(user.id)).toMatchObject({ revokedReason: 'force-sign-out', revokedNote: 'Password leaked' });
        expect(await store.findSession(all.id)).toMatchObject({ revokedReason: 'invalidate-all', revokedNote: null });
      });

      it('garbage collection keeps sessions ended after `endedBefore`', async () => {
        const recent = sessionRecord({ revokedAt: NOW - MINUTE, revokedReason: 'sign-out' });
        const old = sessionRecord({ revokedAt: NOW - 8 * DAY, revokedReason: 'sign-out' });
        await store.insertSession(recent);
        await store.insertSession(old);
        const cutoffs = expiryCutoffs(defaultSettings({}), NOW - 7 * DAY);
        await store.collectExpiredSessions({ cutoffs, endedBefore: NOW - 7 * DAY, afterId: null, limit: 10 });
        expect(await store.findSession(recent.id)).not.toBeNull();
        expect(await store.findSession(old.id)).toBeNull();
      });
    });

    describe('sessions: touch', () => {
      it('writes last-active, adds to the request count and sets the last path', async () => {
        const s = sessionRecord({ requests: 3 });
        await store.insertSession(s);
        expect(await store.touchSession(s.id, { lastActiveAt: NOW, requests: 4, lastPath: '/x' })).toBe(true);
        const after = await store.findSession(s.id);
        expect(after).toMatchObject({ lastActiveAt: NOW, requests: 7, lastPath: '/x', revokedAt: null });
      });

      it('after a revoke returns false and does not resurrect the session', async () => {
        const s = sessionRecord();
        await store.insertSession(s);
        await store.revokeSession(s.id, { at: NOW - 10, reason: 'revoked' });
        expect(await store.touchSession(s.id, { lastActiveAt: NOW, requests: 1, lastPath: '/late' })).toBe(false);
        const after = await store.findSession(s.id);
        expect(after).toMatchObject({ revokedAt: NOW - 10, revokedReason: 'revoked', lastActiveAt: s.lastActiveAt, requests: s.requests, lastPath: null });
      });

      it('on a deleted or unknown row does nothing (never an upsert)', async () => {
        const s = sessionRecord({ revokedAt: NOW - 1, revokedReason: 'revoked' });
        await store.insertSession(s);
        await store.collectExpiredSessions({ cutoffs: expiryCutoffs(defaultSettings({}), NOW), afterId: null, limit: 10 });
        expect(await store.findSession(s.id)).toBeNull();
        expect(await store.touchSession(s.id, { lastActiveAt: NOW, requests: 1, lastPath: null })).toBe(false);
        expect(await store.touchSession(newSessionId(), { lastActiveAt: NOW, requests: 1, lastPath: null })).toBe(false);
        expect(await store.findSession(s.id)).toBeNull();
        expect(await store.countSessions()).toBe(0);
      });
    });

    describe('sessions: revocation', () => {
      it('revokeSession is idempotent: the first revoke wins and a second changes nothing', async () => {
        const s = sessionRecord();
        await store.insertSession(s);
        expect(await store.revokeSession(s.id, { at: NOW, reason: 'sign-out' })).toBe(true);
        expect(await store.revokeSession(s.id, { at: NOW + 1000, reason: 'invalidate-all' })).toBe(false);
        expect(await store.findSession(s.id)).toMatchObject({ revokedAt: NOW, revokedReason: 'sign-out' });
        expect(await store.revokeSession(newSessionId(), { at: NOW, reason: 'revoked' })).toBe(false);
      });

      it("revokeUserSessions revokes one user's unrevoked sessions, except the one given", async () => {
        const keep = sessionRecord();
        const mine = [sessionRecord(), sessionRecord(), sessionRecord()];
        const already = sessionRecord({ revokedAt: NOW - 100, revokedReason: 'sign-out' });
        const theirs = sessionRecord({ userId: 'usr_b' });
        for (const s of [keep, ...mine, already, theirs]) await store.insertSession(s);

        const revoked = await store.revokeUserSessions('usr_a', { at: NOW, reason: 'signed-out-others', exceptSessionId: keep.id });
        expect(revoked.sort()).toEqual(ids(mine));
        expect((await store.findSession(keep.id))!.revokedAt).toBeNull();
        expect((await store.findSession(theirs.id))!.revokedAt).toBeNull();
        expect(await store.findSession(already.id)).toMatchObject({ revokedAt: NOW - 100, revokedReason: 'sign-out' });
        for (const s of mine) expect(await store.findSession(s.id)).toMatchObject({ revokedAt: NOW, revokedReason: 'signed-out-others' });

        expect(await store.revokeUserSessions('usr_a', { at: NOW + 1, reason: 'force-sign-out' })).toEqual([keep.id]);
        expect(await store.revokeUserSessions('usr_a', { at: NOW + 2, reason: 'force-sign-out' })).toEqual([]);
        expect(await store.revokeUserSessions('usr_nobody', { at: NOW, reason: 'force-sign-out' })).toEqual([]);
      });

      it('revokeAllSessions revokes every unrevoked session and counts only those', async () => {
        const live = [sessionRecord(), sessionRecord({ userId: 'usr_b' }), sessionRecord({ userId: 'usr_c', persistent: true })];
        const already = sessionRecord({ revokedAt: NOW - 100, revokedReason: 'sign-out' });
        for (const s of [...live, already]) await store.insertSession(s);
        expect(await store.revokeAllSessions({ at: NOW, reason: 'invalidate-all' })).toBe(3);
        for (const s of live) expect(await store.findSession(s.id)).toMatchObject({ revokedAt: NOW, revokedReason: 'invalidate-all' });
        expect(await store.findSession(already.id)).toMatchObject({ revokedAt: NOW - 100, revokedReason: 'sign-out' });
        expect(await store.revokeAllSessions({ at: NOW, reason: 'invalidate-all' })).toBe(0);
      });
    });

    describe('sessions: listing and counting', () => {
      const cutoffs = expiryCutoffs(defaultSettings({}), NOW);

      it('lists live sessions most recently active first (ties by id, descending) and leaves out ended ones', async () => {
        const a = sessionRecord({ lastActiveAt: NOW - 3 * MINUTE });
        const b = sessionRecord({ lastActiveAt: NOW - MINUTE, userId: 'usr_b' });
        const tie1 = sessionRecord({ lastActiveAt: NOW - 2 * MINUTE });
        const tie2 = sessionRecord({ lastActiveAt: NOW - 2 * MINUTE });
        const revoked = sessionRecord({ lastActiveAt: NOW, revokedAt: NOW, revokedReason: 'revoked' });
        const idle = sessionRecord({ lastActiveAt: NOW - 8 * DAY, createdAt: NOW - 9 * DAY });
        for (const s of [a, b, tie1, tie2, revoked, idle]) await store.insertSession(s);

        const ties = [tie1, tie2].sort((x, y) => (x.id < y.id ? 1 : -1));
        const page = await store.listActiveSessions({ cutoffs });
        expect(page.items.map((s) => s.id)).toEqual([b.id, ...ties.map((s) => s.id), a.id]);
        expect(page.nextCursor).toBeNull();

        const own = await store.listActiveSessions({ cutoffs, userId: 'usr_a' });
        expect(own.items.map((s) => s.id)).toEqual([...ties.map((s) => s.id), a.id]);
        expect((await store.listActiveSessions({ cutoffs, userId: 'usr_nobody' })).items).toEqual([]);
      });

      it('pages with an opaque cursor: every live session exactly once, in order', async () => {
        const all: SessionRecord[] = [];
        for (let i = 0; i < 11; i++) all.push(sessionRecord({ userId: i % 3 === 0 ? 'usr_b' : 'usr_a', lastActiveAt: NOW - (i % 4) * MINUTE }));
        for (const s of all) await store.insertSession(s);
        const expected = [...all].sort((x, y) => y.lastActiveAt - x.lastActiveAt || (x.id < y.id ? 1 : -1)).map((s) => s.id);

        for (const userId of [undefined, 'usr_a']) {
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const page = await store.listActiveSessions({ cutoffs, limit: 3, cursor, ...(userId ? { userId } : {}) });
            expect(page.items.length).toBeLessThanOrEqual(3);
            seen.push(...page.items.map((s) => s.id));
            cursor = page.nextCursor;
            pages++;
          } while (cursor !== null && pages < 20);
          const want = userId ? expected.filter((id) => all.find((s) => s.id === id)!.userId === userId) : expected;
          expect(seen).toEqual(want);
        }
      });

      it('orders everyone\'s sessions by the minute of last activity, then id (the team list\'s index); one user\'s exactly', async () => {
        const minute = NOW - 2 * MINUTE; // NOW is on a minute boundary
        const early = sessionRecord({ lastActiveAt: minute + 1_000 });
        const late = sessionRecord({ lastActiveAt: minute + 59_000 });
        const before = sessionRecord({ lastActiveAt: minute - 1 });
        for (const s of [before, early, late]) await store.insertSession(s);

        const sameMinute = [early, late].sort((x, y) => (x.id < y.id ? 1 : -1)).map((s) => s.id);
        expect((await store.listActiveSessions({ cutoffs })).items.map((s) => s.id)).toEqual([...sameMinute, before.id]);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<SessionRecord> = await store.listActiveSessions({ cutoffs, limit: 1, cursor });
          paged.push(...page.items.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor !== null && paged.length < 10);
        expect(paged).toEqual([...sameMinute, before.id]);
        expect((await store.listActiveSessions({ cutoffs, userId: 'usr_a' })).items.map((s) => s.id)).toEqual([late.id, early.id, before.id]);

        // A batched touch into a later minute moves the session to the top of everyone's list.
        await store.touchSessions([{ id: before.id, lastActiveAt: NOW, requests: 1, lastPath: null }]);
        expect((await store.listActiveSessions({ cutoffs })).items.map((s) => s.id)).toEqual([before.id, ...sameMinute]);
      });

      it('keeps the minute order right when touches say when the session was last active before (previousActiveAt)', async () => {
        const minute = NOW - 3 * MINUTE;
        const a = sessionRecord({ lastActiveAt: minute + 1_000 });
        const b = sessionRecord({ lastActiveAt: minute + 2_000 });
        for (const s of [a, b]) await store.insertSession(s);
        const order = async () => (await store.listActiveSessions({ cutoffs })).items.map((s) => s.id);
        const byId = [a, b].sort((x, y) => (x.id < y.id ? 1 : -1)).map((s) => s.id);
        expect(await order()).toEqual(byId);

        // Within the same minute the order stays; into the next minute the session moves up.
        await store.touchSessions([{ id: a.id, lastActiveAt: minute + 30_000, requests: 1, lastPath: null, previousActiveAt: a.lastActiveAt }]);
        expect(await order()).toEqual(byId);
        await store.touchSessions([{ id: b.id, lastActiveAt: minute + MINUTE + 5_000, requests: 1, lastPath: null, previousActiveAt: b.lastActiveAt }]);
        expect(await order()).toEqual([b.id, a.id]);

        // Another node, whose last write was earlier, touches b with an older time of that same new minute: b stays
        // where the later activity put it; then a node that never saw b's newer minute moves a beyond it.
        await store.touchSessions([{ id: b.id, lastActiveAt: minute + MINUTE + 1_000, requests: 1, lastPath: null, previousActiveAt: minute + MINUTE + 500 }]);
        expect(await order()).toEqual([b.id, a.id]);
        await store.touchSessions([{ id: a.id, lastActiveAt: minute + 2 * MINUTE, requests: 1, lastPath: null, previousActiveAt: minute + 30_000 }]);
        expect(await order()).toEqual([a.id, b.id]);
        expect((await store.findSession(a.id))!.requests).toBe(a.requests + 2);
      });

      it('refuses a malformed cursor as invalid input', async () => {
        await expectInvalidInput(store.listActiveSessions({ cutoffs, cursor: 'not-a-cursor', limit: 2 }));
        await expectInvalidInput(store.listActiveSessions({ cutoffs, cursor: Buffer.from('{"a":1}').toString('base64url'), limit: 2 }));
      });

      it('counts live sessions overall and per user, and gives per-user stats', async () => {
        const sessions = [
          sessionRecord({ userId: 'usr_a', lastActiveAt: NOW - 5 * MINUTE }),
          sessionRecord({ userId: 'usr_a', lastActiveAt: NOW - 2 * MINUTE }),
          sessionRecord({ userId: 'usr_b', lastActiveAt: NOW - MINUTE }),
          sessionRecord({ userId: 'usr_b', lastActiveAt: NOW, revokedAt: NOW, revokedReason: 'revoked' }),
          sessionRecord({ userId: 'usr_c', createdAt: NOW - 100 * DAY, lastActiveAt: NOW - MINUTE }), // past the absolute lifetime
        ];
        for (const s of sessions) await store.insertSession(s);
        expect(await store.countActiveSessions(cutoffs)).toBe(3);
        expect(await store.countActiveSessions(cutoffs, 'usr_a')).toBe(2);
        expect(await store.countActiveSessions(cutoffs, 'usr_c')).toBe(0);
        // Capped: counting stops at `atMost` (the team list's total), and a smaller count is exact.
        expect(await store.countActiveSessions(cutoffs, undefined, 2)).toBe(2);
        expect(await store.countActiveSessions(cutoffs, 'usr_a', 10)).toBe(2);
        expect(await store.countSessions()).toBe(5);
        expect(await store.activeSessionStats(cutoffs)).toEqual([
          { userId: 'usr_b', activeSessions: 1, lastActiveAt: NOW - MINUTE },
          { userId: 'usr_a', activeSessions: 2, lastActiveAt: NOW - 2 * MINUTE },
        ]);
      });
    });

    describe('sessions: matching a filter and revoking by ids', () => {
      const cutoffs = expiryCutoffs(defaultSettings({}), NOW);
      const where = (countryCode: string) => ({ city: null, region: null, country: null, countryCode });
      const mac = { ...unknownDevice, deviceType: 'desktop', label: 'Chrome on macOS' };
      const phone = { ...unknownDevice, deviceType: 'mobile', label: 'Safari on iOS' };

      it('matches every criterion given, only among live sessions, and nothing for an empty user list', async () => {
        const a = sessionRecord({ userId: 'usr_a', location: where('DE'), device: mac, ip: '203.0.113.7', createdAt: NOW - 2 * DAY });
        const b = sessionRecord({ userId: 'usr_b', location: where('FR'), device: phone, persistent: true, risk: { suspicious: true, reasons: ['x'] } });
        const c = sessionRecord({ userId: 'usr_b', location: null, device: mac, risk: { suspicious: false, reasons: [] }, lastActiveAt: NOW - 3 * HOUR });
        const revoked = sessionRecord({ userId: 'usr_a', location: where('DE'), revokedAt: NOW, revokedReason: 'revoked' });
        const expired = sessionRecord({ userId: 'usr_a', location: where('DE'), createdAt: NOW - 100 * DAY });
        for (const s of [a, b, c, revoked, expired]) await store.insertSession(s);
        const match = async (m: Parameters<Store['findMatchingSessions']>[0]) => ids(await store.findMatchingSessions(m, cutoffs));
        expect(await match({})).toEqual(ids([a, b, c]));
        expect(await match({ countryCodes: ['DE'] })).toEqual(ids([a]));
        expect(await match({ countryCodes: ['DE', 'FR'] })).toEqual(ids([a, b]));
        expect(await match({ deviceTypes: ['desktop'] })).toEqual(ids([a, c]));
        expect(await match({ deviceLabel: 'Safari on iOS' })).toEqual(ids([b]));
        expect(await match({ suspicious: true })).toEqual(ids([b]));
        expect(await match({ suspicious: false })).toEqual(ids([a, c]));
        expect(await match({ persistent: true })).toEqual(ids([b]));
        expect(await match({ persistent: false, userIds: ['usr_b'] })).toEqual(ids([c]));
        expect(await match({ createdBefore: NOW - DAY })).toEqual(ids([a]));
        expect(await match({ createdAfter: NOW - DAY })).toEqual(ids([b, c]));
        expect(await match({ lastActiveBefore: NOW - HOUR })).toEqual(ids([c]));
        expect(await match({ lastActiveAfter: NOW - HOUR })).toEqual(ids([a, b]));
        expect(await match({ userIds: [] })).toEqual([]);
        expect((await store.findMatchingSessions({ countryCodes: ['DE'] }, cutoffs))[0]).toEqual({ id: a.id, userId: 'usr_a', ip: '203.0.113.7' });
      });

      it('revokes the live matching sessions in one statement, except the one named, and returns them', async () => {
        const mine = sessionRecord({ userId: 'usr_a', location: where('DE') });
        const theirs = sessionRecord({ userId: 'usr_b', location: where('DE'), ip: '198.51.100.1' });
        const elsewhere = sessionRecord({ userId: 'usr_b', location: where('FR') });
        const ended = sessionRecord({ userId: 'usr_b', location: where('DE'), revokedAt: NOW - 1, revokedReason: 'revoked' });
        for (const s of [mine, theirs, elsewhere, ended]) await store.insertSession(s);
        const revoked = await store.revokeMatchingSessions({ countryCodes: ['DE'] }, cutoffs, { at: NOW, reason: 'revoked-by-admin', exceptSessionId: mine.id });
        expect(revoked).toEqual([{ id: theirs.id, userId: 'usr_b', ip: '198.51.100.1' }]);
        expect((await store.findSession(theirs.id))!).toMatchObject({ revokedAt: NOW, revokedReason: 'revoked-by-admin' });
        expect((await store.findSession(mine.id))!.revokedAt).toBeNull();
        expect((await store.findSession(elsewhere.id))!.revokedAt).toBeNull();
        expect((await store.findSession(ended.id))!.revokedReason).toBe('revoked');
        expect(await store.revokeMatchingSessions({ userIds: [] }, cutoffs, { at: NOW, reason: 'x' })).toEqual([]);
      });

      it('revokes only the live ones among the ids, in one statement, and says which', async () => {
        const live = [sessionRecord(), sessionRecord(), sessionRecord()];
        const gone = sessionRecord({ revokedAt: NOW - 1, revokedReason: 'revoked' });
        for (const s of [...live, gone]) await store.insertSession(s);
        const ended = await store.revokeSessions([live[0]!.id, live[1]!.id, gone.id, 'ses_missing'], { at: NOW, reason: 'revoked-by-admin' });
        expect(ended.sort()).toEqual(ids([live[0]!, live[1]!]));
        expect((await store.findSession(live[0]!.id))!.revokedReason).toBe('revoked-by-admin');
        expect((await store.findSession(gone.id))!.revokedReason).toBe('revoked');
        expect((await store.findSession(live[2]!.id))!.revokedAt).toBeNull();
        expect(await store.revokeSessions([], { at: NOW, reason: 'x' })).toEqual([]);
      });
    });

    describe('sessions: garbage collection', () => {
      it('a keyset pass in small batches deletes exactly the revoked and expired rows', async () => {
        const settings = settingsWith({ idleTimeoutSeconds: 3600, rememberMe: { enabled: true, durationSeconds: 7 * 86400 }, absoluteLifetimeSeconds: 30 * 86400 });
        const live: SessionRecord[] = [];
        const dead: SessionRecord[] = [];
        for (let i = 0; i < 6; i++) {
          live.push(sessionRecord({ lastActiveAt: NOW - 10 * MINUTE }));
          live.push(sessionRecord({ persistent: true, createdAt: NOW - 2 * DAY, lastActiveAt: NOW - DAY })); // remembered: idle rule exempt
          dead.push(sessionRecord({ revokedAt: NOW - 1, revokedReason: 'revoked' }));
          dead.push(sessionRecord({ lastActiveAt: NOW - 2 * HOUR })); // idle
          dead.push(sessionRecord({ persistent: true, createdAt: NOW - 8 * DAY, lastActiveAt: NOW - MINUTE })); // remember-me over
          dead.push(sessionRecord({ createdAt: NOW - 31 * DAY, lastActiveAt: NOW - MINUTE })); // absolute lifetime
        }
        for (const s of [...live, ...dead]) await store.insertSession(s);

        const cutoffs = expiryCutoffs(settings, NOW);
        let afterId: string | null = null;
        let scanned = 0;
        let deleted = 0;
        let expired = 0;
        let steps = 0;
        do {
          const step = await store.collectExpiredSessions({ cutoffs, afterId, limit: 4 });
          expect(step.scanned).toBeLessThanOrEqual(4);
          expect(step.deleted).toBeLessThanOrEqual(step.scanned);
          if (step.lastId !== null && afterId !== null) expect(step.lastId > afterId).toBe(true);
          scanned += step.scanned;
          deleted += step.deleted;
          expired += step.expired;
          afterId = step.lastId;
          steps++;
        } while (afterId !== null && steps < 100);

        expect(scanned).toBe(live.length + dead.length);
        expect(deleted).toBe(dead.length);
        // Of those, the ones no request had ended (all but the revoked): the overview's "expired" count.
        expect(expired).toBe(dead.filter((s) => s.revokedAt === null).length);
        expect(steps).toBeGreaterThanOrEqual(Math.ceil((live.length + dead.length) / 4));
        expect(await store.countSessions()).toBe(live.length);
        for (const s of live) expect(await store.findSession(s.id)).not.toBeNull();
        for (const s of dead) expect(await store.findSession(s.id)).toBeNull();
      });

      it('a pass over an empty table ends at once', async () => {
        const step = await store.collectExpiredSessions({ cutoffs: expiryCutoffs(defaultSettings({}), NOW), afterId: null, limit: 10 });
        expect(step).toEqual({ scanned: 0, deleted: 0, expired: 0, lastId: null });
      });
    });

    describe('the SQL live condition agrees with isExpired', () => {
      const H = 3600;
      const grid: [string, SessionSettings][] = [];
      for (const remember of [true, false])
        for (const idle of [null, 2 * H])
          for (const absolute of [10 * H, 100 * H])
            grid.push([
              `remember ${remember ? 'on' : 'off'}, idle ${idle === null ? 'never' : idle + 's'}, absolute ${absolute}s`,
              settingsWith({ idleTimeoutSeconds: idle, rememberMe: { enabled: remember, durationSeconds: 5 * H }, absoluteLifetimeSeconds: absolute }),
            ]);

      // Ages straddling every cutoff by a millisecond: 2 h idle, 5 h remember-me, 10 h / 100 h absolute.
      const ageMs = [0, 1, 2 * H * 1000 - 1, 2 * H * 1000, 2 * H * 1000 + 1, 5 * H * 1000 - 1, 5 * H * 1000, 5 * H * 1000 + 1,
        10 * H * 1000 - 1, 10 * H * 1000, 10 * H * 1000 + 1, 100 * H * 1000, 200 * H * 1000];

      it.each(grid)('%s', async (_name, settings) => {
        const sessions: SessionRecord[] = [];
        for (const persistent of [false, true])
          for (const created of ageMs)
            for (const idle of ageMs)
              if (idle <= created) sessions.push(sessionRecord({ persistent, createdAt: NOW - created, lastActiveAt: NOW - idle, userId: 'usr_grid' }));
        for (const s of sessions) await store.insertSession(s);
        const expected = sessions.filter((s) => !isExpired(s, settings, NOW)).map((s) => s.id).sort();
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(sessions.length);

        const cutoffs = expiryCutoffs(settings, NOW);
        expect(ids((await store.listActiveSessions({ cutoffs })).items)).toEqual(expected);
        expect(await store.countActiveSessions(cutoffs, 'usr_grid')).toBe(expected.length);
        let afterId: string | null = null;
        do afterId = (await store.collectExpiredSessions({ cutoffs, afterId, limit: 50 })).lastId;
        while (afterId !== null);
        expect(ids((await store.listActiveSessions({ cutoffs: expiryCutoffs(settingsWith({ idleTimeoutSeconds: null, absoluteLifetimeSeconds: 3650 * 86400, rememberMe: { enabled: false, durationSeconds: 1 } }), NOW) })).items)).toEqual(expected);
      });
    });

    describe('the SQL live condition agrees with isExpired under session policies', () => {
      it('judges each person by their own policy, everyone else by the common one', async () => {
        const H = 3600;
        // Three rules: everyone (2 h idle, remember-me 5 h), a strict group (1 h idle, no remember-me, 3 h cap) and
        // a lenient one (idle never, 100 h cap).
        const settings = settingsWith({ idleTimeoutSeconds: 2 * H, rememberMe: { enabled: true, durationSeconds: 5 * H }, absoluteLifetimeSeconds: 10 * H });
        const users = new Map([
          ['usr_strict1', { idleTimeoutSeconds: H, rememberMe: { enabled: false }, absoluteLifetimeSeconds: 3 * H }],
          ['usr_strict2', { idleTimeoutSeconds: H, rememberMe: { enabled: false }, absoluteLifetimeSeconds: 3 * H }],
          ['usr_lenient', { idleTimeoutSeconds: null, absoluteLifetimeSeconds: 100 * H }],
          ['usr_same', { maxSessionsPerUser: 2 }], // a policy that changes no expiry: no exception of its own
        ]);
        const policies = new EffectivePolicies(settings, { users });
        const ages = [0, H * 1000 - 1, H * 1000 + 1, 2 * H * 1000 + 1, 3 * H * 1000 + 1, 5 * H * 1000 + 1, 10 * H * 1000 + 1, 50 * H * 1000];
        const sessions: SessionRecord[] = [];
        for (const userId of ['usr_strict1', 'usr_strict2', 'usr_lenient', 'usr_same', 'usr_plain'])
          for (const persistent of [false, true])
            for (const created of ages)
              for (const idle of ages)
                if (idle <= created) sessions.push(sessionRecord({ userId, persistent, createdAt: NOW - created, lastActiveAt: NOW - idle }));
        for (const s of sessions) await store.insertSession(s);
        const expected = sessions.filter((s) => !isExpired(s, policies.for(s.userId), NOW)).map((s) => s.id).sort();
        const cutoffs = policies.cutoffs(NOW);
        expect(cutoffs.exceptions).toHaveLength(2);
        expect(ids((await store.listActiveSessions({ cutoffs, limit: 1000 })).items)).toEqual(expected);
        expect(await store.countActiveSessions(cutoffs)).toBe(expected.length);
        expect((await store.activeSessionStats(cutoffs)).reduce((n, s) => n + s.activeSessions, 0)).toBe(expected.length);
        let afterId: string | null = null;
        do afterId = (await store.collectExpiredSessions({ cutoffs, afterId, limit: 50 })).lastId;
        while (afterId !== null);
        expect(await store.countSessions()).toBe(expected.length);
      });
    });

    describe('session policies', () => {
      it('saves, replaces, lists by subject and deletes', async () => {
        expect(await store.listSessionPolicies()).toEqual([]);
        expect(await store.findSessionPolicy('role:admin')).toBeNull();
        const admin = { subject: 'role:admin', policy: { idleTimeoutSeconds: 3600, rememberMe: { enabled: false } }, updatedAt: NOW };
        await store.saveSessionPolicy(admin);
        await store.saveSessionPolicy({ subject: 'user:usr_a', policy: { idleTimeoutSeconds: null }, updatedAt: NOW + 1 });
        expect(await store.findSessionPolicy('role:admin')).toEqual(admin);
        const replaced = { ...admin, policy: { maxSessionsPerUser: 2, sessionLimitAction: 'deny' as const }, updatedAt: NOW + 2 };
        await store.saveSessionPolicy(replaced);
        expect(await store.listSessionPolicies()).toEqual([replaced, { subject: 'user:usr_a', policy: { idleTimeoutSeconds: null }, updatedAt: NOW + 1 }]);
        expect(await store.deleteSessionPolicy('role:admin')).toBe(true);
        expect(await store.deleteSessionPolicy('role:admin')).toBe(false);
        expect((await store.listSessionPolicies()).map((p) => p.subject)).toEqual(['user:usr_a']);
      });

      it('serialise read-merge-saves that lock the same subject, so parallel edits of different fields all survive', async () => {
        // The subject has no policy yet: there is no row to lock, the lock must hold all the same.
        await mergeInParallel(store, {
          lock: (scope) => scope.lockSessionPolicy('role:admin'),
          read: async (scope) => (await scope.findSessionPolicy('role:admin'))?.policy ?? null,
          save: (scope, policy) => scope.saveSessionPolicy({ subject: 'role:admin', policy, updatedAt: NOW }),
        }, FIELD_EDITS);
        expect((await store.findSessionPolicy('role:admin'))?.policy).toEqual(Object.assign({}, ...FIELD_EDITS));
      });

      it('lists the accounts holding some roles', async () => {
        const admin = user({ role: 'admin' });
        const owner = user({ role: 'owner' });
        await store.insertUser(admin);
        await store.insertUser(owner);
        await store.insertUser(user());
        const found = await store.listUsersWithRoles(['owner', 'admin', 'auditor']);
        expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual([admin, owner].map((u) => ({ id: u.id, role: u.role })).sort((a, b) => a.id.localeCompare(b.id)));
        expect(await store.listUsersWithRoles([])).toEqual([]);
      });
    });

    describe('settings', () => {
      it('loads null before anything is saved, then the last saved document', async () => {
        expect(await store.loadSettings()).toBeNull();
        const first = settingsWith({ idleTimeoutSeconds: null, maxSessionsPerUser: 3 });
        await store.saveSettings(first);
        expect(await store.loadSettings()).toEqual(first);
        const second = settingsWith({ anonymizeIp: true, rememberMe: { enabled: false, durationSeconds: 86400 } });
        await store.saveSettings(second);
        expect(await store.loadSettings()).toEqual(second);
      });

      it('serialise read-merge-saves that take the settings lock, so parallel edits of different fields all survive', async () => {
        // Nothing is stored yet: there is no row to lock, the lock must hold all the same.
        await mergeInParallel(store, {
          lock: (scope) => scope.lockSettings(),
          read: (scope) => scope.loadSettings() as Promise<SessionPolicy | null>,
          save: (scope, settings) => scope.saveSettings(settings),
        }, FIELD_EDITS);
        expect(await store.loadSettings()).toEqual(Object.assign({}, ...FIELD_EDITS));
      });
    });

    describe('audit', () => {
      it('filters by time range, actions, outcome and free text, and keeps its cursor stable while events arrive', async () => {
        const events = [
          auditEvent({ action: 'auth.sign-in', actorId: 'usr_a', targetUserId: 'usr_a', at: NOW, ip: '198.51.100.1' }),
          auditEvent({ action: 'auth.sign-in-failed', actorId: null, targetUserId: 'usr_a', at: NOW + 10, ip: '203.0.113.9' }),
          auditEvent({ action: 'user.force-signed-out', actorId: 'usr_admin', targetUserId: 'usr_b', at: NOW + 20, reason: 'Lost LAPTOP' }),
          auditEvent({ action: 'auth.sign-in', actorId: 'usr_b', targetUserId: 'usr_b', at: NOW + 30 }),
        ];
        for (const e of events) await store.appendAudit(e);
        const list = async (q: Parameters<Store['listAudit']>[0]) => (await store.listAudit(q)).items.map((e) => events.indexOf(events.find((x) => x.id === e.id)!));
        expect(await list({ from: NOW + 10, to: NOW + 30 })).toEqual([2, 1]);
        expect(await list({ actions: ['auth.sign-in-failed', 'user.force-signed-out'] })).toEqual([2, 1]);
        expect(await list({ actions: [] })).toEqual([]);
        expect(await list({ outcome: 'failure' })).toEqual([1]);
        expect(await list({ outcome: 'success' })).toEqual([3, 2, 0]);
        expect(await list({ search: { text: 'laptop' } })).toEqual([2]);
        expect(await list({ search: { text: '203.0.113' } })).toEqual([1]);
        expect(await list({ search: { text: 'usr_admin' } })).toEqual([2]);
        expect(await list({ search: { text: 'nothing-like-this', userIds: ['usr_b'] } })).toEqual([3, 2]);
        // A cursor names a place in the sequence: events appended after the first page do not shift the next one.
        const first = await store.listAudit({ limit: 2 });
        await store.appendAudit(auditEvent({ at: NOW + 40 }));
        const second = await store.listAudit({ limit: 2, cursor: first.nextCursor });
        expect([...first.items, ...second.items].map((e) => e.id)).toEqual([...events].reverse().map((e) => e.id));
      });

      it('deletes events older than a time in batches, oldest first', async () => {
        for (let i = 0; i < 5; i++) await store.appendAudit(auditEvent({ at: NOW + i }));
        expect(await store.deleteAuditBefore(NOW + 3, 2)).toBe(2);
        expect(await store.deleteAuditBefore(NOW + 3, 2)).toBe(1);
        expect(await store.deleteAuditBefore(NOW + 3, 2)).toBe(0);
        expect((await store.listAudit({})).items.map((e) => e.at)).toEqual([NOW + 4, NOW + 3]);
      });

      it('appends and lists newest first, filtered by user (actor or target) and action, with a cursor', async () => {
        const events = [
          auditEvent({ action: 'auth.sign-in', actorId: 'usr_a', targetUserId: 'usr_a', at: NOW, ip: '198.51.100.1', sessionId: 'ses_x' }),
          auditEvent({ action: 'user.force-signed-out', actorId: 'usr_admin', targetUserId: 'usr_a', at: NOW + 1, reason: 'lost laptop', details: { count: 2 } }),
          auditEvent({ action: 'auth.sign-in', actorId: 'usr_b', targetUserId: 'usr_b', at: NOW + 2 }),
          auditEvent({ action: 'sessions.invalidated-all', actorId: null, targetUserId: null, at: NOW + 3, details: { count: 9 } }),
          auditEvent({ action: 'auth.sign-in', actorId: 'usr_a', targetUserId: 'usr_a', at: NOW + 4 }),
        ];
        for (const e of events) await store.appendAudit(e);
        const newestFirst = [...events].reverse();

        expect((await store.listAudit({})).items).toEqual(newestFirst);
        expect((await store.listAudit({ userId: 'usr_a' })).items).toEqual([events[4], events[1], events[0]]);
        expect((await store.listAudit({ userId: 'usr_admin' })).items).toEqual([events[1]]);
        // By target only: what happened to an account, whoever acted (an admin's own actions on others are not theirs).
        expect((await store.listAudit({ targetUserId: 'usr_a' })).items).toEqual([events[4], events[1], events[0]]);
        expect((await store.listAudit({ targetUserId: 'usr_admin' })).items).toEqual([]);
        expect((await store.listAudit({ action: 'auth.sign-in' })).items).toEqual([events[4], events[2], events[0]]);
        expect((await store.listAudit({ action: 'auth.sign-in', userId: 'usr_b' })).items).toEqual([events[2]]);

        const seen: AuditEvent[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.listAudit({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 10);
        expect(seen).toEqual(newestFirst);
        expect(pages).toBe(3);

        const filtered = await store.listAudit({ userId: 'usr_a', limit: 2 });
        expect(filtered.items).toEqual([events[4], events[1]]);
        expect((await store.listAudit({ userId: 'usr_a', limit: 2, cursor: filtered.nextCursor })).items).toEqual([events[0]]);
        await expectInvalidInput(store.listAudit({ cursor: 'nope' }));
      });
    });

    describe('users', () => {
      it('inserts, finds by id and by e-mail (case-insensitively), lists by e-mail, counts and updates the password hash', async () => {
        expect(await store.countUsers()).toBe(0);
        const zed = user({ email: 'Zed@Example.COM', role: 'admin' });
        const amy = user({ email: 'amy@example.com' });
        await store.insertUser(zed);
        await store.insertUser(amy);
        const zedStored = { ...zed, email: 'zed@example.com' };
        expect(await store.findUserById(zed.id)).toEqual(zedStored);
        expect(await store.findUserByEmail('ZED@example.com')).toEqual(zedStored);
        expect(await store.findUserByEmail('nobody@example.com')).toBeNull();
        expect(await store.findUserById('usr_missing')).toBeNull();
        expect(await store.listUsers()).toEqual([amy, zedStored]);
        expect(await store.countUsers()).toBe(2);
        await store.updatePasswordHash(amy.id, 'scrypt$new');
        expect((await store.findUserById(amy.id))!.passwordHash).toBe('scrypt$new');
        expect((await store.findUserById(zed.id))!.passwordHash).toBe(zed.passwordHash);
      });

      it('holds every role, and disables and enables an account (true only when that changed something)', async () => {
        for (const role of ['owner', 'admin', 'auditor', 'user'] as const) {
          const u = user({ role });
          await store.insertUser(u);
          expect((await store.findUserById(u.id))!.role).toBe(role);
        }
        const u = user();
        await store.insertUser(u);
        expect(await store.setUserDisabled(u.id, NOW)).toBe(true);
        expect(await store.setUserDisabled(u.id, NOW + 1)).toBe(false);
        expect((await store.findUserById(u.id))!.disabledAt).toBe(NOW);
        expect(await store.setUserDisabled(u.id, null)).toBe(true);
        expect(await store.setUserDisabled(u.id, null)).toBe(false);
        expect((await store.findUserById(u.id))!.disabledAt).toBeNull();
        expect(await store.setUserDisabled('usr_missing', NOW)).toBe(false);
      });

      it('sets and clears "must change the password", and changes roles', async () => {
        const amy = user({ passwordChangeRequired: true });
        await store.insertUser(amy);
        expect((await store.findUserById(amy.id))!.passwordChangeRequired).toBe(true);
        await store.updatePasswordHash(amy.id, 'scrypt$mine');
        expect((await store.findUserById(amy.id))!.passwordChangeRequired).toBe(false);
        await store.updatePasswordHash(amy.id, 'scrypt$reset', true);
        expect(await store.findUserById(amy.id)).toMatchObject({ passwordHash: 'scrypt$reset', passwordChangeRequired: true });
        await store.updatePasswordHash(amy.id, 'scrypt$mine-again');
        await store.requirePasswordChange(amy.id);
        expect(await store.findUserById(amy.id)).toMatchObject({ passwordHash: 'scrypt$mine-again', passwordChangeRequired: true });
        expect(await store.updateUserRole(amy.id, 'admin')).toBe(true);
        expect((await store.findUserById(amy.id))!.role).toBe('admin');
        expect(await store.updateUserRole('usr_missing', 'admin')).toBe(false);
        // An upgrade replaces only the hash it was computed from, and keeps the flag.
        expect(await store.upgradePasswordHash(amy.id, 'scrypt$stale', 'scrypt$upgraded')).toBe(false);
        expect(await store.upgradePasswordHash(amy.id, 'scrypt$mine-again', 'scrypt$upgraded')).toBe(true);
        expect(await store.findUserById(amy.id)).toMatchObject({ passwordHash: 'scrypt$upgraded', passwordChangeRequired: true });
      });

      it('refuses a second account with the same e-mail, in any case', async () => {
        await store.insertUser(user({ email: 'dup@example.com' }));
        await expect(store.insertUser(user({ email: 'DUP@example.com' }))).rejects.toThrow();
        expect(await store.countUsers()).toBe(1);
      });
    });

    describe('sessions: step-up', () => {
      it('records a re-authentication and a required password change on live sessions only', async () => {
        const live = sessionRecord({ passwordChangeRequired: true });
        const revoked = sessionRecord({ revokedAt: NOW - 1, revokedReason: 'sign-out' });
        await store.insertSession(live);
        await store.insertSession(revoked);
        expect(await store.findSession(live.id)).toMatchObject({ reauthenticatedAt: null, passwordChangeRequired: true });
        expect(await store.updateSessionAuthentication(live.id, { reauthenticatedAt: NOW })).toBe(true);
        expect(await store.findSession(live.id)).toMatchObject({ reauthenticatedAt: NOW, passwordChangeRequired: true });
        expect(await store.updateSessionAuthentication(live.id, { reauthenticatedAt: null, passwordChangeRequired: false })).toBe(true);
        expect(await store.findSession(live.id)).toMatchObject({ reauthenticatedAt: null, passwordChangeRequired: false });
        // Like a touch: a revoked or missing session is never changed (so never revived).
        expect(await store.updateSessionAuthentication(revoked.id, { reauthenticatedAt: NOW })).toBe(false);
        expect((await store.findSession(revoked.id))!.reauthenticatedAt).toBeNull();
        expect(await store.updateSessionAuthentication('ses_missing', { reauthenticatedAt: NOW })).toBe(false);
      });
    });

    describe('sign-in limits', () => {
      it('counts attempts in a fixed window, starts a new one when it is over, clears and prunes', async () => {
        const minute = 60_000;
        expect(await store.readSignInCounter('account:a@example.com')).toBeNull();
        expect(await store.countSignInAttempt('account:a@example.com', NOW, minute)).toEqual({ count: 1, windowStart: NOW, lastAt: NOW });
        expect(await store.countSignInAttempt('account:a@example.com', NOW + 10, minute)).toEqual({ count: 2, windowStart: NOW, lastAt: NOW + 10 });
        expect(await store.countSignInAttempt('ip:192.0.2.1', NOW + 10, minute)).toMatchObject({ count: 1 });
        // The window is over: a new one starts at this hit.
        expect(await store.countSignInAttempt('account:a@example.com', NOW + minute, minute)).toEqual({ count: 1, windowStart: NOW + minute, lastAt: NOW + minute });
        expect(await store.readSignInCounter('account:a@example.com')).toEqual({ count: 1, windowStart: NOW + minute, lastAt: NOW + minute });
        await store.clearSignInCounter('account:a@example.com');
        expect(await store.readSignInCounter('account:a@example.com')).toBeNull();
        expect(await store.pruneSignInCounters(NOW + 11)).toBe(1);
        expect(await store.readSignInCounter('ip:192.0.2.1')).toBeNull();
      });

      it('loses no count under parallel hits', async () => {
        await Promise.all(Array.from({ length: 20 }, () => store.countSignInAttempt('account:busy@example.com', NOW, 60_000)));
        expect((await store.readSignInCounter('account:busy@example.com'))!.count).toBe(20);
      });
    });

    describe('transactions', () => {
      it('commit every write of the work together', async () => {
        const s = sessionRecord();
        const event = auditEvent({ sessionId: s.id });
        const result = await store.transaction(async (scope) => {
          await scope.insertSession(s);
          await scope.appendAudit(event);
          return 'done';
        });
        expect(result).toBe('done');
        expect((await store.findSession(s.id))?.id).toBe(s.id);
        expect((await store.listAudit({})).items.map((e) => e.id)).toContain(event.id);
      });

      it('write nothing when the work fails halfway, whatever it wrote before', async () => {
        const s = sessionRecord();
        await store.insertSession(s);
        const failure = new Error('the audit write failed');
        const outcome = store.transaction(async (scope) => {
          expect(await scope.revokeSession(s.id, { at: NOW, reason: 'force-sign-out' })).toBe(true);
          await scope.insertSession(sessionRecord({ userId: 'usr_b' }));
          throw failure;
        });
        await expect(outcome).rejects.toBe(failure);
        expect((await store.findSession(s.id))?.revokedAt).toBeNull();
        expect(await store.countSessions()).toBe(1);
      });

      it('let reads inside the work see its own writes', async () => {
        const s = sessionRecord({ userId: 'usr_t' });
        await store.transaction(async (scope) => {
          await scope.lockUserSessions('usr_t');
          await scope.insertSession(s);
          expect(await scope.countActiveSessions(expiryCutoffs(defaultSettings({}), NOW), 'usr_t')).toBe(1);
        });
      });

      it('serialise work that locks the same user, so a count-then-insert rule holds under parallel calls', async () => {
        const cutoffs = expiryCutoffs(defaultSettings({}), NOW);
        const limit = 3;
        const attempt = () =>
          store.transaction(async (scope) => {
            await scope.lockUserSessions('usr_limit');
            if ((await scope.countActiveSessions(cutoffs, 'usr_limit')) >= limit) return false;
            await scope.insertSession(sessionRecord({ userId: 'usr_limit' }));
            return true;
          });
        const results = await Promise.all(Array.from({ length: 12 }, attempt));
        expect(results.filter(Boolean)).toHaveLength(limit);
        expect(await store.countActiveSessions(cutoffs, 'usr_limit')).toBe(limit);
      });
    });
  });
}
