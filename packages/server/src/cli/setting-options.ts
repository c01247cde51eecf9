import { isSeshatError, POLICY_FIELDS, sessionSettingsSchema, type SessionPolicy, type SessionSettings, type SessionSettingsPatch } from 'seshat';
import { confirmed, UsageError, type OptionValues } from './command.ts';
import { oneOf, quoted } from './output.ts';

/**
 * The session settings as CLI options, shared by `settings set` (every setting) and `policies set` (the ones a
 * session policy can decide): one option per setting, named as people say it, with its value format and help line.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const shape = sessionSettingsSchema.shape;

/**
 * How an option's value is written and shown: a duration (90s, 30m, 12h, 7d; `orNever` adds "never" = null), on/off,
 * a whole number (`orNone` adds "none" = null), or one of the schema's words.
 */
type Kind =
  | { type: 'duration'; orNever?: boolean }
  | { type: 'on-off' }
  | { type: 'count'; orNone?: boolean }
  | { type: 'word'; words: readonly string[] };

interface SettingOption {
  option: string;
  /** The setting's path in `SessionSettings` (`rememberMe.enabled`), as the library's refusals name it. */
  path: string;
  kind: Kind;
  help: string;
}

/** Every setting, as `settings set` takes it and `settings show` prints it (in this order). */
export const SETTING_OPTIONS: SettingOption[] = [
  { option: 'idle-timeout', path: 'idleTimeoutSeconds', kind: { type: 'duration', orNever: true }, help: 'sign a browser session out after this long without activity' },
  { option: 'absolute-lifetime', path: 'absoluteLifetimeSeconds', kind: { type: 'duration' }, help: 'the longest any session lasts, remembered or not' },
  { option: 'remember-me', path: 'rememberMe.enabled', kind: { type: 'on-off' }, help: 'offer "Keep me signed in"' },
  { option: 'remember-me-for', path: 'rememberMe.durationSeconds', kind: { type: 'duration' }, help: 'how long a remembered session lasts from sign-in' },
  { option: 'max-sessions', path: 'maxSessionsPerUser', kind: { type: 'count', orNone: true }, help: 'concurrent sessions per person' },
  { option: 'at-limit', path: 'sessionLimitAction', kind: { type: 'word', words: shape.sessionLimitAction.options }, help: 'at the limit: end the least recently active session, or refuse the sign-in' },
  { option: 'anonymize-ip', path: 'anonymizeIp', kind: { type: 'on-off' }, help: 'store /24 and /48 prefixes; on also rewrites the addresses already stored, with progress' },
  { option: 'team-session-access', path: 'teamSessionAccess', kind: { type: 'word', words: shape.teamSessionAccess.options }, help: "what team managers may do with other people's sessions" },
  { option: 'many-sessions', path: 'manySessionsThreshold', kind: { type: 'count' }, help: 'more live sessions than this get the "Many sessions" mark' },
  { option: 'audit-retention-days', path: 'auditRetentionDays', kind: { type: 'count' }, help: 'audit events older than this many days are deleted' },
  { option: 'show-admin-reason', path: 'showAdminReasonToUser', kind: { type: 'on-off' }, help: "tell a person signed out by an administrator the administrator's reason" },
  { option: 'reauthentication-window', path: 'reauthenticationWindowSeconds', kind: { type: 'duration' }, help: 'how recent a password entry dangerous actions need' },
  { option: 'device-binding', path: 'deviceBinding.policy', kind: { type: 'word', words: shape.deviceBinding.shape.policy.options }, help: 'Device Bound Session Credentials' },
  { option: 'bound-cookie', path: 'deviceBinding.boundCookieSeconds', kind: { type: 'duration' }, help: 'lifetime of the short-lived bound cookie' },
];

/** The value format an option's help shows: `D|never`, `on|off`, `evict-oldest|deny`. */
function format(kind: Kind): string {
  if (kind.type === 'duration') return kind.orNever ? 'D|never' : 'D';
  if (kind.type === 'on-off') return 'on|off';
  if (kind.type === 'count') return kind.orNone ? 'N|none' : 'N';
  return kind.words.join('|');
}

/** An option's value as the setting's value, or a usage error naming the option. */
function parse(o: SettingOption, raw: string): unknown {
  const k = o.kind;
  const bad = (expected: string): never => {
    throw new UsageError(`--${o.option} must be ${expected} (got ${quoted(raw)}).`);
  };
  if (k.type === 'duration') {
    if (k.orNever && raw === 'never') return null;
    const m = /^(\d+)\s*([smhd]?)$/.exec(raw);
    const n = m ? Number(m[1]) * UNITS[m[2] || 's']! : NaN;
    return Number.isSafeInteger(n) && n > 0 ? n : bad(`a duration such as 90s, 30m, 12h or 7d${k.orNever ? ', or never' : ''}`);
  }
  if (k.type === 'on-off') return raw === 'on' ? true : raw === 'off' ? false : bad('on or off');
  if (k.type === 'count') {
    if (k.orNone && raw === 'none') return null;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= 1 ? n : bad(`a whole number of at least 1${k.orNone ? ', or none' : ''}`);
  }
  return k.words.includes(raw) ? raw : bad(oneOf(k.words));
}

/** A setting's value the way people say it: "7 days", "never", "on", "none (unlimited)". */
function show(kind: Kind, value: unknown): string {
  if (value === null) return kind.type === 'duration' ? 'never' : 'none (unlimited)';
  if (kind.type === 'duration') return duration(value as number);
  if (kind.type === 'on-off') return value ? 'on' : 'off';
  return String(value);
}

/** A number of seconds the way people say it: "7 days", "30 minutes", "90 seconds". */
function duration(s: number): string {
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]] as const) {
    if (s % size === 0) return `${s / size} ${unit}${s / size === 1 ? '' : 's'}`;
  }
  return `${s} second${s === 1 ? '' : 's'}`;
}

/** The value at a dotted path (`rememberMe.enabled`); undefined when absent (a policy that does not set it). */
function at(from: object, path: string): unknown {
  const [head, tail] = path.split('.') as [string, string | undefined];
  const value = (from as Record<string, unknown>)[head];
  return tail === undefined ? value : (value as Record<string, unknown> | undefined)?.[tail];
}

/** The settings as `settings show` prints them: one row per option of `settings set`, in the same words. */
export function describeSettings(s: SessionSettings): Record<string, string>[] {
  return SETTING_OPTIONS.map((o) => ({ setting: o.option, value: show(o.kind, at(s, o.path)), meaning: o.help }));
}

/** What a policy sets, in the options' words: "idle-timeout 15 minutes, max-sessions 2". */
export function describePolicy(p: SessionPolicy): string {
  const parts = POLICY_OPTIONS.flatMap((o) => {
    const value = at(p, o.path);
    return value === undefined ? [] : [`${o.option} ${value === null && o.kind.type === 'count' ? 'none' : show(o.kind, value)}`];
  });
  return parts.join(', ') || '(nothing set)';
}

/** The options a session policy can set (`POLICY_FIELDS`). */
export const POLICY_OPTIONS = SETTING_OPTIONS.filter((o) => (POLICY_FIELDS as readonly string[]).includes(o.path));

/** The patch the given options ask for, from these options only (none given: a usage error with `example`). */
export function patchOf(values: OptionValues, options: readonly SettingOption[], example: string): SessionSettingsPatch {
  const patch: SessionSettingsPatch = {};
  for (const o of options) {
    const raw = values[o.option];
    if (typeof raw !== 'string') continue;
    const value = parse(o, raw.trim());
    const [head, tail] = o.path.split('.') as [keyof SessionSettingsPatch, string | undefined];
    const into = patch as Record<string, unknown>;
    into[head] = tail === undefined ? value : { ...(into[head] as object | undefined), [tail]: value };
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
  return confirmed(what, `${what} Pass --yes to apply it.`);
}

/** What follows a change that signed sessions out at once. */
export const endedNote = (endingSessions: number): string =>
  endingSessions > 0 ? ` ${endingSessions} session${endingSessions === 1 ? ' is' : 's are'} past the new limits and refused from now on.` : '';

/** The help lines of some options. */
export const optionHelp = (options: readonly SettingOption[]): string => options.map((o) => `  --${o.option} ${format(o.kind)}\n      ${o.help}`).join('\n');
