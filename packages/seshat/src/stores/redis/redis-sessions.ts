import { ErrorReply } from '@redis/client';
import { SeshatError } from '../../core/errors.ts';
import type {
  ActiveSessionQuery,
  AnonymizeResult,
  AnonymizeStep,
  BatchedTouch,
  CollectResult,
  CollectStep,
  MatchedSession,
  Page,
  Revocation,
  SessionAuthenticationUpdate,
  SessionBreakdownKey,
  SessionGroup,
  SessionTouch,
  StoreScope,
  UserSessionStats,
} from '../../core/ports.ts';
import type { SessionMatch } from '../../core/session-filter.ts';
import type { DeviceKey, RiskAssessment, SessionRecord } from '../../core/session.ts';
import type { ExpiryCutoffs } from '../../core/settings.ts';
import { decodeCursor, encodeCursor, pageLimit, pageOf, sessionCursorSchema } from '../cursor.ts';
import { anonymized, touchRow } from '../rows.ts';
import { sessionOrderKey } from '../sql.ts';
import type { RedisConnection } from './connection.ts';
import { fromHash, isLiveUnder, toHashFields, type SessionHash } from './fields.ts';
import * as scripts from './scripts.ts';

/** The store methods the Redis tier answers; every other one goes to PostgreSQL. */
export const SESSION_METHODS = [
  'insertSession', 'findSession', 'findSessions', 'touchSession', 'touchSessions', 'listActiveSessions', 'countActiveSessions',
  'activeSessionStats', 'revokeSession', 'revokeUserSessions', 'revokeAllSessions', 'findMatchingSessions',
  'revokeMatchingSessions', 'revokeSessions', 'updateSessionAuthentication', 'collectExpiredSessions', 'countSessions',
  'setSessionRisk', 'anonymizeSessionIps', 'bindSessionKey', 'countBoundSessions', 'liveSessionBreakdown',
] as const satisfies readonly (keyof StoreScope)[];

/** A store method the Redis tier answers. */
export type SessionMethod = (typeof SESSION_METHODS)[number];

/**
 * How to take back one write of a transaction whose PostgreSQL part did not commit: a row put back as it was (null:
 * removed), or revocations undone (only those this revocation made).
 */
export type Undo = { kind: 'restore'; id: string; before: SessionHash | null } | { kind: 'unrevoke'; ids: string[]; at: number; reason: string };

type Flat = (string | null)[];

/** What a walk over live sessions answers per session. */
interface LiveSession {
  id: string;
  userId: string;
  ip: string | null;
  lastActiveAt: number;
  bound: boolean;
}

/**
 * The session part of the store, in Redis. Outside a transaction each method is one atomic script (or a batched
 * scan); inside one (`undo` given) each write is applied at once — so the work's own reads see it, and the
 * PostgreSQL lock a session-limit check takes still covers it — and what would take it back is recorded.
 */
export class RedisSessions implements Pick<StoreScope, SessionMethod> {
  readonly #redis: RedisConnection;
  readonly #undo: Undo[] | null;

  constructor(redis: RedisConnection, undo: Undo[] | null = null) {
    this.#redis = redis;
    this.#undo = undo;
  }

  async insertSession(s: SessionRecord): Promise<void> {
    try {
      await this.#redis.run(scripts.INSERT, [s.id, s.userId, String(s.lastActiveAt), s.revokedAt === null ? '0' : '1', ...toHashFields(s)]);
    } catch (error) {
      if (error instanceof ErrorReply && error.message.includes('SESHAT_DUPLICATE')) throw new SeshatError('conflict', 'A session with this id already exists.', { cause: error });
      throw error;
    }
    this.#undo?.push({ kind: 'restore', id: s.id, before: null });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    // The hot path: one HGETALL.
    return fromHash(await this.#hash(id));
  }

  async findSessions(ids: readonly string[]): Promise<SessionRecord[]> {
    // One HGETALL per id, sent together (the client pipelines commands issued in the same tick).
    const found = await Promise.all(ids.map((id) => this.findSession(id)));
    return found.filter((s): s is SessionRecord => s !== null);
  }

  async touchSession(id: string, t: SessionTouch): Promise<boolean> {
    const before = await this.#snapshot(id);
    const touched = await this.#redis.run(scripts.TOUCH, [id, String(t.lastActiveAt), String(t.requests), t.lastPath ?? '', t.lastPath === null ? '0' : '1']);
    return this.#changed(touched === 1, id, before);
  }

  async touchSessions(touches: BatchedTouch[]): Promise<string[]> {
    if (touches.length === 0) return [];
    if (this.#undo) for (const t of touches) this.#undo.push({ kind: 'restore', id: t.id, before: (await this.#snapshot(t.id)) ?? null });
    const rows = touches.map((t) => {
      const row = touchRow(t);
      return { ...row, at: String(row.at), n: String(row.n), loc: row.loc === null ? null : JSON.stringify(row.loc) };
    });
    const touched = await this.#redis.run<string[]>(scripts.TOUCH_BATCH, [JSON.stringify(rows)]);
    return touched ?? [];
  }

  async listActiveSessions(q: ActiveSessionQuery): Promise<Page<SessionRecord>> {
    const limit = q.limit === undefined ? undefined : pageLimit(q.limit);
    const cursor = q.cursor ? decodeCursor(q.cursor, sessionCursorSchema) : null;
    // The order of the port: one user's by last activity, everyone's by its minute; then id, descending.
    const key = (s: { lastActiveAt: number }) => sessionOrderKey(s, q.userId);
    const before = (s: SessionRecord) => !cursor || key(s) < cursor[0] || (key(s) === cursor[0] && s.id < cursor[1]);
    const order = (a: SessionRecord, b: SessionRecord) => key(b) - key(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    // Both indexes hold that order already (`live` scored by the minute, `u:<user>` by the millisecond; equal scores by
    // id), so the walk goes by rank from the cursor's place and stops once the page is full.
    const index = this.#redis.key(q.userId === undefined ? 'live' : `u:${q.userId}`);
    const start = cursor === null ? 0 : await this.#rankAfter(index, cursor);
    // Past the idle cutoff nothing is live when remember-me is off (and no one has a policy of their own): the walk
    // stops there instead of at the end.
    const c = q.cutoffs;
    const floor = c.rememberedCreatedBefore === null && c.idleBefore !== null && !(c.exceptions ?? []).some((e) => e.userIds.length > 0) ? c.idleBefore : -Infinity;
    // A page reads about twice its size per round trip, not a whole scan batch.
    const batch = limit === undefined ? this.#redis.options.batchSize : Math.min(this.#redis.options.batchSize, Math.max(2 * (limit + 1), 100));
    const found: SessionRecord[] = [];
    walk: for (let at = start; ; at += batch) {
      const ids = await this.#redis.send<string[]>(['ZRANGE', index, String(at), String(at + batch - 1), 'REV']);
      for (const s of await this.#records(ids)) {
        if (key(s) < key({ lastActiveAt: floor })) break walk;
        if (before(s) && isLiveUnder(c, s)) found.push(s);
        if (limit !== undefined && found.length > limit) break walk;
      }
      if (ids.length < batch) break;
    }
    // A touch may move a session while the walk runs: the page is sorted at the end, like a statement's ORDER BY.
    found.sort(order);
    return pageOf(found, limit, (s) => encodeCursor([key(s), s.id]));
  }

  /**
   * Where a page after `cursor` starts in `index`: just after the cursor's session, if it is still there with the same
   * score; otherwise (revoked, or touched into a newer minute) after every higher score, the rows of the cursor's own
   * score that sort before it being skipped by the caller.
   */
  async #rankAfter(index: string, cursor: readonly [number, string]): Promise<number> {
    const score = cursor[0];
    const [rank, stored] = await Promise.all([
      this.#redis.send<number | null>(['ZREVRANK', index, cursor[1]]),
      this.#redis.send<number | string | null>(['ZSCORE', index, cursor[1]]),
    ]);
    if (rank !== null && stored !== null && Number(stored) === score) return rank + 1;
    return this.#redis.send<number>(['ZCOUNT', index, `(${score}`, '+inf']);
  }

  async countActiveSessions(cutoffs: ExpiryCutoffs, userId?: string, atMost?: number): Promise<number> {
    return this.#countLive(cutoffs, userId, atMost);
  }

  async activeSessionStats(cutoffs: ExpiryCutoffs): Promise<UserSessionStats[]> {
    const byUser = new Map<string, UserSessionStats>();
    for (const s of (await this.#scanLive(cutoffs, undefined)).values()) {
      const stats = byUser.get(s.userId) ?? { userId: s.userId, activeSessions: 0, lastActiveAt: 0 };
      stats.activeSessions++;
      stats.lastActiveAt = Math.max(stats.lastActiveAt, s.lastActiveAt);
      byUser.set(s.userId, stats);
    }
    return [...byUser.values()].sort((a, b) => b.lastActiveAt - a.lastActiveAt || (a.userId < b.userId ? -1 : 1));
  }

  async revokeSession(id: string, r: Revocation): Promise<boolean> {
    return (await this.#revokeIds([id], r)).length === 1;
  }

  async revokeUserSessions(userId: string, r: Revocation & { exceptSessionId?: string }): Promise<string[]> {
    const flat = await this.#redis.run<Flat>(scripts.REVOKE_USER, [String(r.at), r.reason, JSON.stringify(r.note ?? null), userId, r.exceptSessionId ?? '']);
    return this.#revoked(flat, r).map((m) => m.id);
  }

  async revokeAllSessions(r: Revocation): Promise<number> {
    // In batches, each one atomic script: one script over a million sessions would stall Redis for everyone else.
    let total = 0;
    for (;;) {
      const [looked, flat] = await this.#redis.run<[number, Flat]>(scripts.REVOKE_LIVE_BATCH, [String(r.at), r.reason, JSON.stringify(r.note ?? null), String(this.#redis.options.batchSize)]);
      total += this.#revoked(flat, r).length;
      if (looked === 0) break;
    }
    return total;
  }

  async findMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs): Promise<MatchedSession[]> {
    return this.#matching(match, cutoffs);
  }

  async revokeMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs, r: Revocation & { exceptSessionId?: string }): Promise<MatchedSession[]> {
    // Found and ended in the same scripts (a batch each): a session is checked and revoked with nothing in between.
    const ended = await this.#matching(match, cutoffs, r);
    if (this.#undo && ended.length > 0) this.#undo.push({ kind: 'unrevoke', ids: ended.map((m) => m.id), at: r.at, reason: r.reason });
    return ended;
  }

  async #matching(match: SessionMatch, cutoffs: ExpiryCutoffs, revocation?: Revocation & { exceptSessionId?: string }): Promise<MatchedSession[]> {
    const found: MatchedSession[] = [];
    if (match.userIds !== undefined && match.userIds.length === 0) return found;
    // A user list walks those users' own indexes, not everyone's.
    const indexes = match.userIds ? [...new Set(match.userIds)] : [undefined];
    for (const user of indexes) for (const s of (await this.#scanLive(cutoffs, user, match, revocation)).values()) found.push({ id: s.id, userId: s.userId, ip: s.ip });
    return found;
  }

  async revokeSessions(ids: readonly string[], r: Revocation): Promise<string[]> {
    return (await this.#revokeIds(ids, r)).map((m) => m.id);
  }

  async updateSessionAuthentication(id: string, u: SessionAuthenticationUpdate): Promise<boolean> {
    const set: Record<string, string> = {};
    const del: string[] = [];
    if (u.reauthenticatedAt === null) del.push('reauthenticatedAt');
    else set.reauthenticatedAt = String(u.reauthenticatedAt);
    if (u.passwordChangeRequired !== undefined) set.passwordChangeRequired = u.passwordChangeRequired ? '1' : '0';
    return this.#updateLive(id, set, del);
  }

  async collectExpiredSessions(step: CollectStep): Promise<CollectResult> {
    const [scanned, deleted, last, expired] = await this.#redis.run<[number, number, string | null, number]>(scripts.COLLECT, [
      step.afterId ?? '', String(step.limit), cutoffsJson(step.cutoffs), step.endedBefore === undefined ? '' : String(step.endedBefore),
    ]);
    return { scanned, deleted, expired, lastId: scanned < step.limit ? null : last };
  }

  async countSessions(): Promise<number> {
    return this.#redis.send<number>(['ZCARD', this.#redis.key('ids')]);
  }

  async setSessionRisk(id: string, risk: RiskAssessment): Promise<boolean> {
    return this.#updateLive(id, { risk: JSON.stringify(risk) }, []);
  }

  async anonymizeSessionIps(step: AnonymizeStep): Promise<AnonymizeResult> {
    const from = step.after === null ? '-' : `(${step.after}`;
    const ids = await this.#redis.send<string[]>(['ZRANGE', this.#redis.key('ids'), from, '+', 'BYLEX', 'LIMIT', '0', String(step.limit)]);
    const changes = (await this.#records(ids))
      .map((s) => ({ id: s.id, old: s.ip, ip: anonymized(s.ip, step), oldSignIn: s.signInIp, signIn: anonymized(s.signInIp, step) }))
      .filter((c) => c.ip !== c.old || c.signIn !== c.oldSignIn);
    if (changes.length > 0) {
      if (this.#undo) for (const c of changes) this.#undo.push({ kind: 'restore', id: c.id, before: (await this.#snapshot(c.id)) ?? null });
      await this.#redis.run(scripts.REWRITE_IPS, [JSON.stringify(changes)]);
    }
    return { scanned: ids.length, changed: changes.length, last: ids.length < step.limit ? null : ids.at(-1)! };
  }

  async bindSessionKey(id: string, b: { key: DeviceKey; at: number }): Promise<boolean> {
    return this.#updateLive(id, { deviceKey: JSON.stringify(b.key), boundSince: String(b.at) }, [], 'deviceKey');
  }

  async liveSessionBreakdown(cutoffs: ExpiryCutoffs, by: SessionBreakdownKey, limit: number): Promise<SessionGroup[]> {
    // Grouped in Node from {id, key} pairs the scripts answer (keyed by id: a ZSCAN repeat is not counted twice).
    const keyOf = new Map<string, string | null>();
    for await (const flat of this.#walk(cutoffs, undefined, undefined, undefined, by)) for (let i = 0; i < flat.length; i += 2) keyOf.set(flat[i]!, flat[i + 1] ?? null);
    const counts = new Map<string | null, number>();
    for (const key of keyOf.values()) counts.set(key, (counts.get(key) ?? 0) + 1);
    // As the SQL: largest first, then the unknown group last among equals, then by key (code-unit order, like COLLATE "C").
    const order = (a: SessionGroup, b: SessionGroup) =>
      b.count - a.count || (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0);
    return [...counts].map(([key, count]) => ({ key, count })).sort(order).slice(0, limit);
  }

  async countBoundSessions(cutoffs: ExpiryCutoffs): Promise<number> {
    let count = 0;
    for (const s of (await this.#scanLive(cutoffs, undefined)).values()) if (s.bound) count++;
    return count;
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────────

  #hash(id: string): Promise<SessionHash> {
    return this.#redis.send<SessionHash>(['HGETALL', this.#redis.key(`s:${id}`)]);
  }

  /** The records of these ids, in this order (one pipelined round trip: the client sends same-tick commands together). */
  async #records(ids: readonly string[]): Promise<SessionRecord[]> {
    const hashes = await Promise.all(ids.map((id) => this.#hash(id)));
    return hashes.map(fromHash).filter((s): s is SessionRecord => s !== null);
  }

  /**
   * Every live session (everyone's, or one user's) matching `match`, by id, in batches of one script each: the live
   * rule and the filter run in Redis (SCAN_LIVE), so only the answer crosses the network. ZSCAN returns every member
   * present for the whole walk at least once; keying by id drops the repeats a concurrent rehash may cause.
   */
  async #scanLive(cutoffs: ExpiryCutoffs, userId: string | undefined, match?: SessionMatch, r?: Revocation & { exceptSessionId?: string }): Promise<Map<string, LiveSession>> {
    const found = new Map<string, LiveSession>();
    for await (const flat of this.#walk(cutoffs, userId, match, r, 'full')) {
      for (let i = 0; i < flat.length; i += 5) {
        found.set(flat[i]!, { id: flat[i]!, userId: flat[i + 1]!, ip: flat[i + 2] ?? null, lastActiveAt: Number(flat[i + 3]), bound: flat[i + 4] === '1' });
      }
    }
    return found;
  }

  /** How many live sessions there are (everyone's, or one user's), up to `atMost`: the same walk, answering ids only. */
  async #countLive(cutoffs: ExpiryCutoffs, userId: string | undefined, atMost = Infinity): Promise<number> {
    const ids = new Set<string>();
    for await (const flat of this.#walk(cutoffs, userId, undefined, undefined, 'ids')) {
      for (const id of flat) ids.add(id!);
      if (ids.size >= atMost) break;
    }
    return Math.min(ids.size, atMost);
  }

  async *#walk(cutoffs: ExpiryCutoffs, userId: string | undefined, match: SessionMatch | undefined, r: (Revocation & { exceptSessionId?: string }) | undefined, shape: 'ids' | 'full' | SessionBreakdownKey): AsyncGenerator<Flat> {
    const filter = match === undefined ? '' : JSON.stringify(match);
    const revoke = r === undefined ? '' : JSON.stringify({ at: String(r.at), reason: r.reason, note: r.note ?? null, except: r.exceptSessionId ?? null });
    let cursor = '0';
    do {
      const [next, flat] = await this.#redis.run<[string, Flat]>(scripts.SCAN_LIVE, [
        userId === undefined ? 'live' : `u:${userId}`, cursor, String(this.#redis.options.batchSize), cutoffsJson(cutoffs), filter, revoke, shape,
      ]);
      cursor = next;
      yield flat;
    } while (cursor !== '0');
  }

  async #revokeIds(ids: readonly string[], r: Revocation): Promise<MatchedSession[]> {
    const ended: MatchedSession[] = [];
    const batch = this.#redis.options.batchSize;
    for (let i = 0; i < ids.length; i += batch) {
      const flat = await this.#redis.run<Flat>(scripts.REVOKE_IDS, [String(r.at), r.reason, JSON.stringify(r.note ?? null), JSON.stringify(ids.slice(i, i + batch))]);
      ended.push(...this.#revoked(flat, r));
    }
    return ended;
  }

  /** Reads a revoke script's flat [id, userId, ip, …] answer, and records its undo in a transaction. */
  #revoked(flat: Flat, r: Revocation): MatchedSession[] {
    const out: MatchedSession[] = [];
    for (let i = 0; i < flat.length; i += 3) out.push({ id: flat[i]!, userId: flat[i + 1]!, ip: flat[i + 2] ?? null });
    if (this.#undo && out.length > 0) this.#undo.push({ kind: 'unrevoke', ids: out.map((m) => m.id), at: r.at, reason: r.reason });
    return out;
  }

  async #updateLive(id: string, set: Record<string, string>, del: string[], unset: string | null = null): Promise<boolean> {
    const before = await this.#snapshot(id);
    const changed = await this.#redis.run(scripts.UPDATE_LIVE, [id, JSON.stringify({ set, del, unset })]);
    return this.#changed(changed === 1, id, before);
  }

  /** In a transaction, the row as it is before a write (what its undo puts back); outside one, nothing to read. */
  async #snapshot(id: string): Promise<SessionHash | null | undefined> {
    if (!this.#undo) return undefined;
    const hash = await this.#hash(id);
    return Object.keys(hash).length === 0 ? null : hash;
  }

  #changed(changed: boolean, id: string, before: SessionHash | null | undefined): boolean {
    if (changed && this.#undo && before !== undefined) this.#undo.push({ kind: 'restore', id, before });
    return changed;
  }
}

/** Cutoffs as the scripts read them (`read_cutoffs`): numbers as strings, and the people under a policy of their own. */
function cutoffsJson(c: ExpiryCutoffs): string {
  const one = (x: Omit<ExpiryCutoffs, 'exceptions'>) => ({
    cb: String(x.createdBefore),
    rcb: x.rememberedCreatedBefore === null ? null : String(x.rememberedCreatedBefore),
    ib: x.idleBefore === null ? null : String(x.idleBefore),
  });
  const ex = (c.exceptions ?? []).filter((e) => e.userIds.length > 0).map((e) => ({ ...one(e), users: e.userIds }));
  // cjson encodes an empty Lua table as an object, and reads `[]` back as an empty table: `ex` is always an array here.
  return JSON.stringify({ ...one(c), ex });
}
