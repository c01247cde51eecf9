import type { ExpiryCutoffs } from '../core/settings.ts';

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
  const parts = ['revoked_at IS NULL', `created_at > ${param(c.createdBefore)}`];
  const remembered = c.rememberedCreatedBefore !== null;
  if (remembered) parts.push(`NOT (persistent = ${persistentTrue} AND created_at <= ${param(c.rememberedCreatedBefore)})`);
  if (c.idleBefore !== null) {
    const idle = `last_active_at > ${param(c.idleBefore)}`;
    // While remember-me is on, remembered sessions are exempt from the idle rule.
    parts.push(remembered ? `(persistent = ${persistentTrue} OR ${idle})` : idle);
  }
  return parts.join(' AND ');
}
