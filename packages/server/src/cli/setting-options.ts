import { createInterface } from 'node:readline/promises';
import { isSeshatError, POLICY_FIELDS, type SessionSettings, type SessionSettingsPatch } from 'seshat';
import { UsageError, type OptionValues } from './command.ts';

/**
 * The session settings as CLI options, shared by `settings set` (every setting) and `policies set` (the ones a
 * session policy can decide): one option per setting, named as people say it, with its value format and help line.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `30m`, `12h`, `7d` or a number of seconds, as whole seconds. */
function seconds(option: string, raw: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  const n = m ? Number(m[1]) * UNITS[m[2] || 's']! : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${option} must be a duration such as 90s, 30m, 12h or 7d (got "${raw}").`);
  return n;
}

function onOff(option: string, raw: string): boolean {
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new UsageError(`--${option} must be on or off (got "${raw}").`);
}

function oneOf<T extends string>(option: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`--${option} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)} (got "${raw}").`);
}

function whole(option: string, raw: string): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${option} must be a whole number of at least 1 (got "${raw}").`);
  return n;
}

/** Each option of `settings set`: the setting it changes, how its value is read, and its help line. */
export const SETTING_OPTIONS: { option: string; value: string; help: string; set(patch: SessionSettingsPatch, raw: string): void; path: string }[] = [
  { option: 'idle-timeout', value: 'D|never', path: 'idleTimeoutSeconds', help: 'sign a browser session out after this long without activity', set: (p, raw) => void (p.idleTimeoutSeconds = raw === 'never' ? null : seconds('idle-timeout', raw)) },
  { option: 'absolute-lifetime', value: 'D', path: 'absoluteLifetimeSeconds', help: 'the longest any session lasts, remembered or not', set: (p, raw) => void (p.absoluteLifetimeSeconds = seconds('absolute-lifetime', raw)) },
  { option: 'remember-me', value: 'on|off', path: 'rememberMe.enabled', help: 'offer "Keep me signed in"', set: (p, raw) => void (p.rememberMe = { ...p.rememberMe, enabled: onOff('remember-me', raw) }) },
  { option: 'remember-me-for', value: 'D', path: 'rememberMe.durationSeconds', help: 'how long a remembered session lasts from sign-in', set: (p, raw) => void (p.rememberMe = { ...p.rememberMe, durationSeconds: seconds('remember-me-for', raw) }) },
  { option: 'max-sessions', value: 'N|none', path: 'maxSessionsPerUser', help: 'concurrent sessions per person', set: (p, raw) => void (p.maxSessionsPerUser = raw === 'none' ? null : whole('max-sessions', raw)) },
  { option: 'at-limit', value: 'evict-oldest|deny', path: 'sessionLimitAction', help: 'at the limit: end the least recently active session, or refuse the sign-in', set: (p, raw) => void (p.sessionLimitAction = oneOf('at-limit', raw, ['evict-oldest', 'deny'] as const)) },
  { option: 'anonymize-ip', value: 'on|off', path: 'anonymizeIp', help: 'store /24 and /48 prefixes; on also rewrites the addresses already stored, with progress', set: (p, raw) => void (p.anonymizeIp = onOff('anonymize-ip', raw)) },
  { option: 'team-session-access', value: 'full|view-only|off', path: 'teamSessionAccess', help: "what team managers may do with other people's sessions", set: (p, raw) => void (p.teamSessionAccess = oneOf('team-session-access', raw, ['full', 'view-only', 'off'] as const)) },
  { option: 'many-sessions', value: 'N', path: 'manySessionsThreshold', help: 'more live sessions than this get the "Many sessions" mark', set: (p, raw) => void (p.manySessionsThreshold = whole('many-sessions', raw)) },
  { option: 'audit-retention-days', value: 'N', path: 'auditRetentionDays', help: 'audit events older than this are deleted', set: (p, raw) => void (p.auditRetentionDays = whole('audit-retention-days', raw)) },
  { option: 'show-admin-reason', value: 'on|off', path: 'showAdminReasonToUser', help: "tell a person signed out by an administrator the administrator's reason", set: (p, raw) => void (p.showAdminReasonToUser = onOff('show-admin-reason', raw)) },
  { option: 'reauthentication-window', value: 'D', path: 'reauthenticationWindowSeconds', help: 'how recent a password entry dangerous actions need', set: (p, raw) => void (p.reauthenticationWindowSeconds = seconds('reauthentication-window', raw)) },
  { option: 'device-binding', value: 'off|offer|require-for-admins', path: 'deviceBinding.policy', help: 'Device Bound Session Credentials', set: (p, raw) => void (p.deviceBinding = { ...p.deviceBinding, policy: oneOf('device-binding', raw, ['off', 'offer', 'require-for-admins'] as const) }) },
  { option: 'bound-cookie', value: 'D', path: 'deviceBinding.boundCookieSeconds', help: 'lifetime of the short-lived bound cookie', set: (p, raw) => void (p.deviceBinding = { ...p.deviceBinding, boundCookieSeconds: seconds('bound-cookie', raw) }) },
];

/** A number of seconds the way people say it: "7 days", "30 minutes", "90 seconds". */
export function duration(s: number): string {
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]] as const) {
    if (s % size === 0) return `${s / size} ${unit}${s / size === 1 ? '' : 's'}`;
  }
  return `${s} second${s === 1 ? '' : 's'}`;
}

const yesNo = (b: boolean) => (b ? 'on' : 'off');

/** The settings as `settings show` prints them: one row per option of `settings set`, in the same words. */
export function describeSettings(s: SessionSettings): Record<string, string>[] {
  const value: Record<string, string> = {
    'idle-timeout': s.idleTimeoutSeconds === null ? 'never' : duration(s.idleTimeoutSeconds),
    'absolute-lifetime': duration(s.absoluteLifetimeSeconds),
    'remember-me': yesNo(s.rememberMe.enabled),
    'remember-me-for': duration(s.rememberMe.durationSeconds),
    'max-sessions': s.maxSessionsPerUser === null ? 'none (unlimited)' : String(s.maxSessionsPerUser),
    'at-limit': s.sessionLimitAction,
    'anonymize-ip': yesNo(s.anonymizeIp),
    'team-session-access': s.teamSessionAccess,
    'many-sessions': String(s.manySessionsThreshold),
    'audit-retention-days': String(s.auditRetentionDays),
    'show-admin-reason': yesNo(s.showAdminReasonToUser),
    'reauthentication-window': duration(s.reauthenticationWindowSeconds),
    'device-binding': s.deviceBinding.policy,
    'bound-cookie': duration(s.deviceBinding.boundCookieSeconds),
  };
  return SETTING_OPTIONS.map((o) => ({ setting: o.option, value: value[o.option]!, meaning: o.help }));
}

/** The options a session policy can set (`POLICY_FIELDS`). */
export const POLICY_OPTIONS = SETTING_OPTIONS.filter((o) => (POLICY_FIELDS as readonly string[]).includes(o.path));

/** The patch the given options ask for, from these options only (none given: a usage error with `example`). */
export function patchOf(values: OptionValues, options: typeof SETTING_OPTIONS, example: string): SessionSettingsPatch {
  const patch: SessionSettingsPatch = {};
  for (const o of options) {
    const raw = values[o.option];
    if (typeof raw === 'string') o.set(patch, raw.trim());
  }
  if (Object.keys(patch).length === 0) throw new UsageError('Give at least one setting to change.', `Example: ${example}`);
  return patch;
}

/** The library names a refused value by its settings path (`idleTimeoutSeconds must be at least 10 seconds…`): name the option instead. */
export function asUsage(error: unknown): never {
  if (isSeshatError(error) && error.code === 'invalid_input') {
    const setting = SETTING_OPTIONS.find((o) => error.detail.startsWith(`${o.path} `));
    if (setting) throw new UsageError(`--${setting.option} ${error.detail.slice(setting.path.length + 1)}`);
  }
  throw error;
}

/** The confirmation before a change that signs sessions out at once: asks on a terminal, else needs --yes. */
export async function confirmEnding(endingSessions: number, yes: boolean): Promise<boolean> {
  if (endingSessions === 0 || yes) return true;
  const what = `This change signs out ${endingSessions} active session${endingSessions === 1 ? '' : 's'} at once (past the new limits).`;
  if (!process.stdin.isTTY) throw new UsageError(`${what} Pass --yes to apply it.`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${what} Type "yes" to continue: `);
  rl.close();
  return answer.trim().toLowerCase() === 'yes';
}

/** What follows a change that signed sessions out at once. */
export const endedNote = (endingSessions: number): string =>
  endingSessions > 0 ? ` ${endingSessions} session${endingSessions === 1 ? ' is' : 's are'} past the new limits and refused from now on.` : '';

/** The help lines of some options. */
export const optionHelp = (options: typeof SETTING_OPTIONS): string => options.map((o) => `  --${o.option} ${o.value}\n      ${o.help}`).join('\n');
