import type { AuditEvent, NewAuditEvent } from './audit.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { Clock } from './clock.ts';
import type { MatchedSession, SessionScope } from './ports.ts';
import type { SessionMatch } from './session-filter.ts';
import type { ExpiryCutoffs } from './settings.ts';
import type { SessionRecord } from './session.ts';

import { endedReasonOf, type RevocationReason } from './ended-reason.ts';
import { DailyTally, endedMetric, utcDay } from './daily-stats.ts';

/** Revocation reasons stored on the session row and counted in metrics (the table is in `ended-reason.ts`). */
export type { RevocationReason } from './ended-reason.ts';

/** Sessions one change ended, for what follows the commit. */
export interface Revoked {
  reason: RevocationReason;
  /** The ended sessions' ids, or 'all'. */
  ids: string[] | 'all';
  count: number;
  actorId: string | null;
  /** Whose sessions they were, when known (live session pages of that user hear `sessions.changed`). */
  userId?: string | null;
}

/**
 * One change to sessions inside one transaction: the revocations and their audit events (and whatever else the
 * caller writes through `store`, such as a new password hash) commit together or not at all. It only records what
 * it ended; the session manager announces that (drops cached copies, tells other nodes, emits events) after the
 * commit, so no node ever forgets a session whose revocation then rolled back.
 */
export class SessionChange<S extends SessionScope = SessionScope> {
  /** The transaction's scope: every write through it belongs to this change. */
  readonly store: S;
  readonly revoked: Revoked[] = [];
  /** Live sessions whose stored row this change altered (a device key bound): cached copies must be dropped. */
  readonly altered: string[] = [];
  /**
   * The overview's daily counters this change adds to (sessions ended by reason, sign-ins), written by `writeTally`
   * as the transaction's last statement: the counter row locks are then held only for the commit.
   */
  readonly tally = new DailyTally();
  readonly #audit: AuditTrail;
  readonly #clock: Clock;

  constructor(store: S, audit: AuditTrail, clock: Clock) {
    this.store = store;
    this.#audit = audit;
    this.#clock = clock;
  }

  /**
   * Ends one session; false if it had already ended (nothing changes then). `note` is an administrator's reason,
   * kept on the row so the signed-out person can be shown it (setting `showAdminReasonToUser`).
   */
  async revokeSession(session: Pick<SessionRecord, 'id'> & Partial<Pick<SessionRecord, 'userId'>>, reason: RevocationReason, actorId: string | null, note: string | null = null, at = this.#clock.now()): Promise<boolean> {
    const ended = await this.store.revokeSession(session.id, { at, reason, note });
    if (ended) {
      this.revoked.push({ reason, ids: [session.id], count: 1, actorId, userId: session.userId ?? null });
      this.tally.add(endedMetric(reason));
      await this.#ended({ sessionId: session.id, userId: session.userId ?? null, reason, actorId });
    }
    return ended;
  }

  /** Ends a user's live sessions, except `exceptSessionId`; returns their ids. */
  async revokeUserSessions(userId: string, reason: RevocationReason, actorId: string | null, exceptSessionId?: string, note: string | null = null): Promise<string[]> {
    const ids = await this.store.revokeUserSessions(userId, { at: this.#clock.now(), reason, note, ...(exceptSessionId ? { exceptSessionId } : {}) });
    if (ids.length > 0) this.revoked.push({ reason, ids, count: ids.length, actorId, userId });
    this.tally.add(endedMetric(reason), ids.length);
    for (const id of ids) await this.#ended({ sessionId: id, userId, reason, actorId });
    return ids;
  }

  /**
   * Ends the live sessions among `sessions` (ids, or ids with their owners for the webhook events) in one
   * statement; returns the ids it ended.
   */
  async revokeSessions(sessions: readonly (string | { id: string; userId?: string | null })[], reason: RevocationReason, actorId: string | null, note: string | null = null): Promise<string[]> {
    if (sessions.length === 0) return [];
    const owners = new Map(sessions.map((s) => (typeof s === 'string' ? [s, null] : [s.id, s.userId ?? null])));
    const ended = await this.store.revokeSessions([...owners.keys()], { at: this.#clock.now(), reason, note });
    if (ended.length > 0) this.revoked.push({ reason, ids: ended, count: ended.length, actorId });
    await this.#endedEach(ended.map((id) => ({ sessionId: id, userId: owners.get(id) ?? null })), reason, actorId);
    this.tally.add(endedMetric(reason), ended.length);
    return ended;
  }

  /** Ends the live sessions matching `match` (one statement), except `exceptSessionId`; returns them. */
  async revokeMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs, reason: RevocationReason, actorId: string | null, exceptSessionId?: string, note: string | null = null): Promise<MatchedSession[]> {
    const ended = await this.store.revokeMatchingSessions(match, cutoffs, { at: this.#clock.now(), reason, note, ...(exceptSessionId ? { exceptSessionId } : {}) });
    if (ended.length > 0) this.revoked.push({ reason, ids: ended.map((s) => s.id), count: ended.length, actorId });
    await this.#endedEach(ended.map((s) => ({ sessionId: s.id, userId: s.userId })), reason, actorId);
    this.tally.add(endedMetric(reason), ended.length);
    return ended;
  }

  /** Ends every live session; returns how many. */
  async revokeAllSessions(reason: RevocationReason, actorId: string | null, note: string | null = null): Promise<number> {
    const count = await this.store.revokeAllSessions({ at: this.#clock.now(), reason, note });
    this.revoked.push({ reason, ids: 'all', count, actorId });
    this.tally.add(endedMetric(reason), count);
    // One event for all of them: there may be millions, and receivers need "everyone", not a list.
    if (count > 0) await this.#ended({ sessionId: null, all: true, count, reason, actorId });
    return count;
  }

  /** `session.ended` in the webhook outbox, in this transaction: every path that ends a session comes through here. */
  async #ended(data: { reason: RevocationReason } & Record<string, unknown>): Promise<void> {
    // `reason` in the session-ended problem's vocabulary, `code` as stored (finer: revoked vs signed-out-others…).
    await this.#audit.outbox?.enqueue(this.store, 'session.ended', { ...data, reason: endedReasonOf(data.reason), code: data.reason, endedAt: new Date(this.#clock.now()).toISOString() });
  }

  /**
   * `session.ended` for each of many sessions ended by one statement (revoke-matching: up to 100,000), the same
   * message per session as `#ended` writes, in bulk: the endpoints read once, thousands of messages per insert.
   */
  async #endedEach(sessions: readonly { sessionId: string; userId: string | null }[], reason: RevocationReason, actorId: string | null): Promise<void> {
    const outbox = this.#audit.outbox;
    if (!outbox || sessions.length === 0) return;
    const common = { reason: endedReasonOf(reason), actorId, code: reason, endedAt: new Date(this.#clock.now()).toISOString() };
    await outbox.enqueueEach(this.store, 'session.ended', sessions.map((s) => ({ sessionId: s.sessionId, userId: s.userId, ...common })));
  }

  /** Notes that this change rewrote a live session's row, so every node drops its cached copy after the commit. */
  alteredSession(id: string): void {
    this.altered.push(id);
  }

  /** Adds the tallied counters to today's rollup (UTC), through this change's transaction. Called once, last. */
  async writeTally(): Promise<void> {
    const counts = this.tally.entries();
    if (counts.length > 0) await this.store.addDailyCounts(utcDay(this.#clock.now()), counts);
  }

  /** Appends an audit event to this change. */
  audit(event: NewAuditEvent): Promise<AuditEvent> {
    return this.#audit.record(event, this.store);
  }
}
