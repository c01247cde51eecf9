
/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a handful of counters and one gauge
 * do not need a metrics library. Counters come from the in-process `SessionMetrics` (so they are per node and
 * restart from zero, as Prometheus expects of counters); the active-session gauge is one count query.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
import type { SessionManager } from 'seshat';

type Sample = { labels?: Record<string, string>; value: number };

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const { labels, value } of samples) {
    const labelText = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
    lines.push(`${name}${labelText} ${Number.isFinite(value) ? value : 0}`);
  }
  return lines.join('\n');
}

/** How long the active-session gauge is reused: scrapes every few seconds must not each run a `count(*)`. */
export const GAUGE_TTL_MS = 15_000;

/**
 * The active-session gauge, counted at most once per `ttlMs` (concurrent scrapes share one count). A failed count
 * is not kept, so the next scrape tries again.
 */
export function cachedActiveSessions(manager: SessionManager, ttlMs = GAUGE_TTL_MS): () => Promise<number> {
  return cachedGauge(manager, () => manager.countActiveSessions(), ttlMs);
}

/** Any counting gauge under the same rule as `cachedActiveSessions` (the device-bound share uses it too). */
export function cachedGauge(manager: Pick<SessionManager, 'clock'>, count: () => Promise<number>, ttlMs = GAUGE_TTL_MS): () => Promise<number> {
  let cached: { at: number; value: Promise<number> } | null = null;
  return () => {
    const now = manager.clock.now();
    if (!cached || now - cached.at >= ttlMs) {
      const value = count();
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = null;
      });
    }
    return cached.value;
  };
}

export async function renderMetrics(
  manager: SessionManager,
  activeSessions: () => Promise<number> = () => manager.countActiveSessions(),
  boundSessions: () => Promise<number> = async () => 0,
): Promise<string> {
  const m = manager.metrics;
  const [active, bound] = await Promise.all([activeSessions(), boundSessions()]);
  return [
    family('seshat_sessions_created_total', 'counter', 'Sessions created (successful sign-ins).', [{ value: m.created }]),
    family('seshat_sessions_revoked_total', 'counter', 'Sessions revoked, by reason.',
      [...m.revoked].sort(([a], [b]) => a.localeCompare(b)).map(([reason, value]) => ({ labels: { reason }, value }))),
    family('seshat_sessions_expired_total', 'counter', 'Sessions found past their expiry by a check (each is then ended for good, counted once per check that found it).', [{ value: m.expired }]),
    family('seshat_sessions_collected_total', 'counter', 'Expired or revoked sessions deleted by garbage collection.', [{ value: m.collected }]),
    family('seshat_session_validations_total', 'counter', 'Session validations: cache hit, cache miss (store read), rejected.',
      (['hit', 'miss', 'rejected'] as const).map((result) => ({ labels: { result }, value: m.validations[result] }))),
    family('seshat_sessions_active', 'gauge', 'Unrevoked, unexpired sessions in the store.', [{ value: active }]),
    family('seshat_sessions_device_bound', 'gauge', 'Active sessions bound to their device (DBSC); divide by seshat_sessions_active for the share.', [{ value: bound }]),
  ].join('\n') + '\n';
}
