import { endedReasonOf, endedReasons, type EndedReason, type RevocationReason } from './ended-reason.ts';

/**
 * Daily rollups for the admin overview (issue 13 item 8): counters per UTC day, kept in the store so the overview
 * reads a few dozen rows instead of scanning the audit trail, and so the numbers outlive audit retention and the
 * garbage collection of ended sessions. Why counters and not a job over the audit trail: docs/design-notes.md.
 *
 * Two kinds of value share one table:
 * - counters (`signed-in`, `sign-in-failed`, `ended:<code>`), added in the same transaction as the change they count
 *   (`SessionChange.tally`), so a count commits with its change or not at all;
 * - snapshots (`active`, `bound`), set by the background job after each garbage-collection pass: the last one of a day
 *   stands for that day.
 */
export const dailyMetrics = {
  signedIn: 'signed-in',
  signInFailed: 'sign-in-failed',
  /** Sessions that ended: `ended:<stored revocation code>`, or `ended:expired` for expired rows the collector removed. */
  endedPrefix: 'ended:',
  /** Never ended by a request, found expired and deleted by garbage collection: the "expiry cleanup" of seed 004. */
  collectedExpired: 'ended:expired',
  active: 'active',
  bound: 'bound',
} as const;

/** One stored value: a metric of one UTC day (`YYYY-MM-DD`). */
export interface DailyStat {
  day: string;
  metric: string;
  value: number;
}

/** The UTC day (`YYYY-MM-DD`) of an instant: days are UTC everywhere, so nodes in different zones agree. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The `days` UTC days ending with today's, oldest first. */
export function lastDays(days: number, now: number): string[] {
  const today = Date.parse(utcDay(now));
  return Array.from({ length: days }, (_, i) => utcDay(today - (days - 1 - i) * 86_400_000));
}

/** The counter of sessions ended with this stored revocation code. */
export function endedMetric(reason: RevocationReason): string {
  return dailyMetrics.endedPrefix + reason;
}

/** Why sessions ended, in the overview's words: the public reasons (`endedReasonOf`) plus `expired` (collected). */
export type OverviewEndedReason = EndedReason | 'expired';

/** Every `OverviewEndedReason`, in the order the overview stacks them. */
export const overviewEndedReasons: readonly OverviewEndedReason[] = [...new Set(Object.values(endedReasons)), 'expired'];

/** One day of the overview: what happened that day, and the last active-session snapshot taken (null: none taken). */
export interface OverviewDay {
  day: string;
  signIns: number;
  failedSignIns: number;
  /** Sessions ended that day, by reason; reasons with none are left out. */
  ended: Partial<Record<OverviewEndedReason, number>>;
  activeSessions: number | null;
  boundSessions: number | null;
}

/**
 * Shapes stored values into one row per day (every day of `days`, zeros where nothing happened). Stored ended codes
 * map to their public reason, so several codes (admin, force sign-out, account disabled) add up under one name.
 */
export function overviewDays(days: readonly string[], stats: readonly DailyStat[]): OverviewDay[] {
  const byDay = new Map(days.map((day) => [day, { day, signIns: 0, failedSignIns: 0, ended: {}, activeSessions: null, boundSessions: null } as OverviewDay]));
  for (const s of stats) {
    const row = byDay.get(s.day);
    if (!row) continue;
    if (s.metric === dailyMetrics.signedIn) row.signIns += s.value;
    else if (s.metric === dailyMetrics.signInFailed) row.failedSignIns += s.value;
    else if (s.metric === dailyMetrics.active) row.activeSessions = s.value;
    else if (s.metric === dailyMetrics.bound) row.boundSessions = s.value;
    else if (s.metric.startsWith(dailyMetrics.endedPrefix)) {
      const code = s.metric.slice(dailyMetrics.endedPrefix.length);
      const reason: OverviewEndedReason = code === 'expired' ? 'expired' : endedReasonOf(code);
      row.ended[reason] = (row.ended[reason] ?? 0) + s.value;
    }
  }
  return [...byDay.values()];
}

/** Counters a change adds up before its transaction ends, written as one statement (see `SessionChange.tally`). */
export class DailyTally {
  readonly #counts = new Map<string, number>();

  /** Counts `n` more of `metric` (e.g. `ended:revoked`) for today; zero and negative amounts are ignored. */
  add(metric: string, n = 1): void {
    if (n > 0) this.#counts.set(metric, (this.#counts.get(metric) ?? 0) + n);
  }

  /** The counters in metric order: every transaction takes the row locks in the same order, so none deadlock. */
  entries(): [string, number][] {
    return [...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
