import type { ExpiryCutoffs } from '../core/settings.ts';
import type { SessionMatch } from '../core/session-filter.ts';
import { failureActions } from '../core/audit.ts';
import type { AuditQuery, SessionBreakdownKey } from '../core/ports.ts';

/**
 * SQL shared by the dialects. `param(value)` appends a bound value and returns its placeholder
 * (`?` for SQLite, `$n` for PostgreSQL), so one builder serves both.
 */
export type Param = (value: unknown) => string;

/**
 * The SQL form of `isExpired` (src/core/settings.ts), negated: a session is live when it is unrevoked and no
 * cutoff that applies to it has been reached. The store contract suite checks the two agree.
 */
export function liveSessionCondition(c: ExpiryCutoffs, param: Param, persistentTrue: string): string {
  const exceptions = (c.exceptions ?? []).filter((e) => e.userIds.length > 0);
  if (exceptions.length === 0) return `revoked_at IS NULL AND ${unexpired(c, param, persistentTrue)}`;
  // People under a session policy are judged by their group's cutoffs, everyone else by the common ones. The
  // string is built in placeholder order (SQLite's `?` are positional).
  const branches = exceptions.map((e) => `(user_id IN (${e.userIds.map(param).join(', ')}) AND ${unexpired(e, param, persistentTrue)})`);
  const listed = exceptions.flatMap((e) => e.userIds).map(param).join(', ');
  branches.push(`(user_id NOT IN (${listed}) AND ${unexpired(c, param, persistentTrue)})`);
  return `revoked_at IS NULL AND (${branches.join(' OR ')})`;
}

/** One set of cutoffs as SQL: no cutoff that applies to the session has been reached. */
function unexpired(c: Omit<ExpiryCutoffs, 'exceptions'>, param: Param, persistentTrue: string): string {
  const parts = [`created_at > ${param(c.createdBefore)}`];
  const remembered = c.rememberedCreatedBefore !== null;
  if (remembered) parts.push(`NOT (persistent = ${persistentTrue} AND created_at <= ${param(c.rememberedCreatedBefore)})`);
  if (c.idleBefore !== null) {
    const idle = `last_active_at > ${param(c.idleBefore)}`;
    // While remember-me is on, remembered sessions are exempt from the idle rule.
    parts.push(remembered ? `(persistent = ${persistentTrue} OR ${idle})` : idle);
  }
  return parts.join(' AND ');
}

/**
 * The team list's sort key (with id as the tie-break), the value its keyset cursor carries. Everyone's sessions are
 * ordered by the minute of last activity: an index on it (migration 11) serves every page, and on PostgreSQL a
 * touch within the same minute leaves it unchanged, so the touch stays a HOT update (docs/scaling.md). One user's
 * sessions are few and ordered exactly (the session limit ends the least recently active ones).
 */
export function sessionOrderKey(s: { lastActiveAt: number }, userId: string | undefined): number {
  return userId !== undefined ? s.lastActiveAt : activityMinute(s.lastActiveAt);
}

/** The minute of last activity (`last_active_minute`): what SQL's integer `last_active_at / 60000` gives. */
export function activityMinute(lastActiveAt: number): number {
  return Math.floor(lastActiveAt / ACTIVITY_ORDER_MS);
}

/** The resolution of the team list's order; the indexes of migration 11 divide by the same 60000. */
export const ACTIVITY_ORDER_MS = 60_000;

/** How a dialect reads one text field of a JSON column (SQLite `json_extract`, PostgreSQL `->>`). */
export type JsonText = (column: string, field: string) => string;

/** The grouping expression of `liveSessionBreakdown`: a place, a device type (from the JSON columns) or the holder. */
export function breakdownKey(by: SessionBreakdownKey, jsonText: JsonText): string {
  switch (by) {
    case 'country':
      return jsonText('location', 'countryCode');
    case 'deviceType':
      return jsonText('device', 'deviceType');
    case 'user':
      return 'user_id';
  }
}

/**
 * The SQL-side criteria of a session filter (`SessionMatch`), ANDed. An empty `userIds` list matches nothing.
 * Suspicious reads `risk.suspicious` as text ('true'/'1' depending on the dialect), so `truthy` names both forms.
 */
export function sessionMatchCondition(m: SessionMatch, param: Param, dialect: { jsonText: JsonText; persistentTrue: string; truthy: string }): string {
  const parts: string[] = [];
  const list = (values: readonly unknown[]) => values.map(param).join(', ');
  if (m.userIds !== undefined) parts.push(m.userIds.length === 0 ? '1 = 0' : `user_id IN (${list(m.userIds)})`);
  if (m.countryCodes) parts.push(`${dialect.jsonText('location', 'countryCode')} IN (${list(m.countryCodes)})`);
  if (m.deviceTypes) parts.push(`${dialect.jsonText('device', 'deviceType')} IN (${list(m.deviceTypes)})`);
  if (m.deviceLabel !== undefined) parts.push(`${dialect.jsonText('device', 'label')} = ${param(m.deviceLabel)}`);
  if (m.suspicious !== undefined) {
    const flagged = `coalesce(${dialect.jsonText('risk', 'suspicious')}, '') IN (${dialect.truthy})`;
    parts.push(m.suspicious ? flagged : `NOT ${flagged}`);
  }
  if (m.persistent !== undefined) parts.push(m.persistent ? `persistent = ${dialect.persistentTrue}` : `persistent <> ${dialect.persistentTrue}`);
  if (m.createdBefore !== undefined) parts.push(`created_at < ${param(m.createdBefore)}`);
  if (m.createdAfter !== undefined) parts.push(`created_at > ${param(m.createdAfter)}`);
  if (m.lastActiveBefore !== undefined) parts.push(`last_active_at < ${param(m.lastActiveBefore)}`);
  if (m.lastActiveAfter !== undefined) parts.push(`last_active_at > ${param(m.lastActiveAfter)}`);
  return parts.length ? parts.join(' AND ') : '1 = 1';
}

/**
 * The WHERE conditions of an audit query (ANDed; empty = everything), shared by the dialects. `contains` is the
 * dialect's case-insensitive substring test.
 */
export function auditConditions(q: AuditQuery, param: Param, contains: (column: string, text: string) => string): string[] {
  const where: string[] = [];
  if (q.userId !== undefined) where.push(`(actor_id = ${param(q.userId)} OR target_user_id = ${param(q.userId)})`);
  if (q.targetUserId !== undefined) where.push(`target_user_id = ${param(q.targetUserId)}`);
  if (q.action !== undefined) where.push(`action = ${param(q.action)}`);
  if (q.actions !== undefined) where.push(q.actions.length === 0 ? '1 = 0' : `action IN (${q.actions.map(param).join(', ')})`);
  if (q.outcome !== undefined) where.push(`action ${q.outcome === 'failure' ? '' : 'NOT '}IN (${failureActions.map(param).join(', ')})`);
  if (q.from !== undefined) where.push(`at >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`at < ${param(q.to)}`);
  if (q.search !== undefined) {
    const text = q.search.text;
    const found = ['reason', 'ip', 'action', 'actor_id', 'target_user_id', 'session_id'].map((column) => contains(column, text));
    const ids = q.search.userIds ?? [];
    // Each placeholder is bound once (SQLite's `?` are positional).
    if (ids.length > 0) found.push(`actor_id IN (${ids.map(param).join(', ')})`, `target_user_id IN (${ids.map(param).join(', ')})`);
    where.push(`(${found.join(' OR ')})`);
  }
  return where;
}
