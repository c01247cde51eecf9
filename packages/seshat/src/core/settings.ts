import { z } from 'zod';
import { DAY } from './clock.ts';
import type { SessionRecord } from './session.ts';

const seconds = z.number().int().positive().max(10 * 365 * 86400);

/** Runtime session policy, changed by an admin and stored in the database. One schema: runtime check and type. */
export const sessionSettingsSchema = z.object({
  /** Sign out a browser session after this long without activity; null = never (discouraged). */
  idleTimeoutSeconds: seconds.nullable(),
  rememberMe: z.object({
    enabled: z.boolean(),
    /** A remembered session lasts this long from sign-in ("Keep me signed in for 30 days"). */
    durationSeconds: seconds,
  }),
  /** Hard cap on any session's life, remembered or not. */
  absoluteLifetimeSeconds: seconds,
  /** Concurrent sessions per user; null = unlimited. */
  maxSessionsPerUser: z.number().int().min(1).max(10_000).nullable(),
  /** At the limit: revoke the least recently active session, or refuse the new sign-in. */
  sessionLimitAction: z.enum(['evict-oldest', 'deny']),
  /** Store IPv4 /24 and IPv6 /48 prefixes instead of full addresses. */
  anonymizeIp: z.boolean(),
  /**
   * What team managers may do with other people's sessions (read by the server's permission policy):
   * `full` view and revoke; `view-only` view but not revoke one by one; `off` neither (settings and
   * force sign-out only: no devices, addresses or places of others).
   */
  teamSessionAccess: z.enum(['full', 'view-only', 'off']),
  /** People with more live sessions than this get the "Many sessions" mark in the team view. */
  manySessionsThreshold: z.number().int().min(1).max(10_000),
  /** Audit events older than this many days are deleted by the background GC, in batches. */
  auditRetentionDays: z.number().int().min(1).max(100 * 365),
  /** Tell a person an administrator signed out the administrator's reason too (in the `…/session-ended` answer). */
  showAdminReasonToUser: z.boolean(),
  /** Step-up: how recent the last password entry must be for dangerous actions (1 minute to 1 day; default 10 minutes). */
  reauthenticationWindowSeconds: z.number().int().min(60).max(86400),
  /** Device Bound Session Credentials (see `DeviceBinding`). */
  deviceBinding: z.object({
    /**
     * off: never offer; offer: offer every browser after sign-in (those without DBSC ignore it);
     * require-for-admins: offer, and team-wide actions need a bound session.
     */
    policy: z.enum(['off', 'offer', 'require-for-admins']),
    /** Lifetime of the short-lived bound cookie: how long a stolen copy of it keeps working (default 600 s). */
    boundCookieSeconds: z.number().int().min(60).max(86_400),
  }),
});
/** The session settings (timeouts, remember-me, limits, IP anonymisation): `sessionSettingsSchema`'s type. */
export type SessionSettings = z.infer<typeof sessionSettingsSchema>;

/** A partial change. Unknown fields (at any level) are refused, so a typo never passes silently. */
export const sessionSettingsPatchSchema = sessionSettingsSchema
  .extend({
    rememberMe: sessionSettingsSchema.shape.rememberMe.partial().strict(),
    deviceBinding: sessionSettingsSchema.shape.deviceBinding.partial().strict(),
  })
  .partial()
  .strict();
/** A partial change of the settings, as `PATCH /api/admin/settings` takes it. */
export type SessionSettingsPatch = z.infer<typeof sessionSettingsPatchSchema>;

/** Settings used until an admin saves others: 7-day idle timeout (or `idleTimeoutDays`), 30-day remember-me, 90-day cap. */
export function defaultSettings({ idleTimeoutDays = 7 }: { idleTimeoutDays?: number } = {}): SessionSettings {
  return {
    idleTimeoutSeconds: Math.round(idleTimeoutDays * 86400),
    rememberMe: { enabled: true, durationSeconds: 30 * 86400 },
    absoluteLifetimeSeconds: 90 * 86400,
    maxSessionsPerUser: null,
    sessionLimitAction: 'evict-oldest',
    anonymizeIp: false,
    teamSessionAccess: 'full',
    manySessionsThreshold: 5,
    auditRetentionDays: 400,
    showAdminReasonToUser: false,
    reauthenticationWindowSeconds: 600,
    // Offering is harmless: a browser without DBSC ignores the header and its session works as before.
    deviceBinding: { policy: 'offer', boundCookieSeconds: 600 },
  };
}

/**
 * The shortest idle timeout a deployment can honour: activity reaches the database (and so the other nodes) once per
 * touch interval, so a shorter timeout could end a session that is in use elsewhere. Ten touch intervals keep that
 * uncertainty under a tenth of the timeout; never below 10 s.
 */
export function minIdleTimeoutSeconds(touchIntervalMs: number): number {
  return Math.max(10, Math.ceil((10 * touchIntervalMs) / 1000));
}

/** Applies a partial change; with `touchIntervalMs`, an idle timeout it cannot honour is refused (see `minIdleTimeoutSeconds`). */
export function applySettingsPatch(current: SessionSettings, patch: SessionSettingsPatch, limits: { touchIntervalMs?: number } = {}): SessionSettings {
  const schema = limits.touchIntervalMs === undefined ? sessionSettingsSchema : settingsSchemaFor(limits.touchIntervalMs);
  return schema.parse({
    ...current,
    ...patch,
    rememberMe: { ...current.rememberMe, ...patch.rememberMe },
    deviceBinding: { ...current.deviceBinding, ...patch.deviceBinding },
  });
}

/** `sessionSettingsSchema` plus the idle-timeout minimum of a touch interval. */
export function settingsSchemaFor(touchIntervalMs: number) {
  const min = minIdleTimeoutSeconds(touchIntervalMs);
  return sessionSettingsSchema.extend({
    idleTimeoutSeconds: seconds
      .min(min, `must be at least ${min} seconds: activity is written once every ${touchIntervalMs / 1000} s, so a shorter idle timeout cannot be honoured`)
      .nullable(),
  });
}

/** Why a session that `isExpired` ended: past its lifetime (absolute cap or remember-me duration) or idle. */
export function expiryReason(s: Pick<SessionRecord, 'createdAt' | 'persistent'>, settings: SessionSettings, now: number): 'lifetime' | 'idle-timeout' {
  if (now >= s.createdAt + settings.absoluteLifetimeSeconds * 1000) return 'lifetime';
  if (s.persistent && settings.rememberMe.enabled && now >= s.createdAt + settings.rememberMe.durationSeconds * 1000) return 'lifetime';
  return 'idle-timeout';
}

/**
 * Expiry is computed from the record and the *current* settings on every check, so a settings change
 * applies to existing sessions at once:
 * - a remembered session ends `rememberMe.durationSeconds` after sign-in;
 * - any other session (including a remembered one after remember-me is switched off) ends after
 *   `idleTimeoutSeconds` without activity;
 * - no session outlives `absoluteLifetimeSeconds`.
 */
export function expiresAt(
  s: Pick<SessionRecord, 'createdAt' | 'lastActiveAt' | 'persistent'>,
  settings: SessionSettings,
): number {
  const absolute = s.createdAt + settings.absoluteLifetimeSeconds * 1000;
  let policy: number;
  if (s.persistent && settings.rememberMe.enabled) policy = s.createdAt + settings.rememberMe.durationSeconds * 1000;
  else if (settings.idleTimeoutSeconds === null) policy = Infinity;
  else policy = s.lastActiveAt + settings.idleTimeoutSeconds * 1000;
  return Math.min(absolute, policy);
}

/** Whether a session has ended under the current settings at `now` (see `expiresAt`). */
export function isExpired(s: Pick<SessionRecord, 'createdAt' | 'lastActiveAt' | 'persistent'>, settings: SessionSettings, now: number): boolean {
  return now >= expiresAt(s, settings);
}

/**
 * The same rule as `expiresAt`, as cutoffs a store turns into SQL (`created_at <= createdBefore`, …).
 * A session is expired when any applicable cutoff is reached. Stores must agree with `isExpired`;
 * the store contract suite checks that they do.
 */
export interface ExpiryCutoffs {
  /** Sessions created at or before this are past the absolute lifetime. */
  createdBefore: number;
  /** Remembered sessions created at or before this are over; null when remember-me is off. */
  rememberedCreatedBefore: number | null;
  /** Other sessions last active at or before this are idle; null when the idle timeout is "never". */
  idleBefore: number | null;
  /**
   * People under another rule (a session policy; see `EffectivePolicies`): their sessions are judged by these
   * cutoffs instead of the ones above. Absent or empty = everyone alike.
   */
  exceptions?: readonly ExpiryException[];
}

/** The cutoffs of some people whose session policy differs from everyone else's. */
export interface ExpiryException {
  userIds: readonly string[];
  createdBefore: number;
  rememberedCreatedBefore: number | null;
  idleBefore: number | null;
}

/** The expiry rule as timestamps, for stores to filter live sessions in SQL. */
export function expiryCutoffs(settings: SessionSettings, now: number): ExpiryCutoffs {
  return {
    createdBefore: now - settings.absoluteLifetimeSeconds * 1000,
    rememberedCreatedBefore: settings.rememberMe.enabled ? now - settings.rememberMe.durationSeconds * 1000 : null,
    idleBefore: settings.idleTimeoutSeconds === null ? null : now - settings.idleTimeoutSeconds * 1000,
  };
}

/** Cookie Max-Age for a new session: only remembered sessions get a persistent cookie. */
export function cookieMaxAgeSeconds(persistent: boolean, settings: SessionSettings): number | undefined {
  if (!persistent) return undefined;
  return Math.min(settings.rememberMe.durationSeconds, settings.absoluteLifetimeSeconds);
}

/** A session active within this window (5 minutes) shows as "active" rather than "idle". */
export const ACTIVE_WINDOW_MS = 5 * 60 * 1000;
/**
 * How often a node writes the activity it has seen (one batched statement; see `touch-batch.ts`): the most a
 * crash loses, and how far the database's last-active may trail a request (default 1 s).
 */
export const DEFAULT_TOUCH_INTERVAL_MS = 1000;
