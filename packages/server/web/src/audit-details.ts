import { durationText } from './format.ts';
import type { Fmt } from './i18n/fmt.ts';
import type { MessageId } from './i18n/messages/index.ts';

/** Labels for the actions the server records; an unknown action is shown as its code. */
export const ACTION_LABELS: Record<string, MessageId> = {
  'auth.sign-in': 'audit.action.signIn',
  'auth.sign-in-failed': 'audit.action.signInFailed',
  'auth.sign-out': 'audit.action.signOut',
  'session.revoked': 'audit.action.sessionRevoked',
  'sessions.revoked-others': 'audit.action.revokedOthers',
  'user.force-signed-out': 'audit.action.forceSignedOut',
  'sessions.invalidated-all': 'audit.action.invalidatedAll',
  'settings.changed': 'audit.action.settingsChanged',
  'password.changed': 'audit.action.passwordChanged',
  'api-key.created': 'audit.action.apiKeyCreated',
  'api-key.revoked': 'audit.action.apiKeyRevoked',
  'user.created': 'audit.action.userCreated',
  'sessions.viewed': 'audit.action.sessionsViewed',
  'sessions.revoked-matching': 'audit.action.revokedMatching',
  'user.disabled': 'audit.action.userDisabled',
  'user.enabled': 'audit.action.userEnabled',
  'audit.exported': 'audit.action.auditExported',
  'session.device-bound': 'audit.action.deviceBound',
  'session.device-key-mismatch': 'audit.action.deviceKeyMismatch',
  'session.expired': 'audit.action.sessionExpired',
  'session.suspicious': 'audit.action.sessionSuspicious',
  'ips.anonymized': 'audit.action.ipsAnonymized',
  'auth.reauthenticated': 'audit.action.reauthenticated',
  'session.reported': 'audit.action.sessionReported',
  'auth.reauthentication-failed': 'audit.action.reauthenticationFailed',
  'password.change-failed': 'audit.action.passwordChangeFailed',
  'password.reset': 'audit.action.passwordReset',
  'user.role-changed': 'audit.action.roleChanged',
  'api-keys.revoked': 'audit.action.apiKeysRevoked',
  'webhook.created': 'audit.action.webhookCreated',
  'webhook.changed': 'audit.action.webhookChanged',
  'webhook.deleted': 'audit.action.webhookDeleted',
  'policy.changed': 'audit.action.policyChanged',
};

export const actionLabel = (f: Fmt, action: string): string => (ACTION_LABELS[action] ? f.t(ACTION_LABELS[action]) : action);

/** The reason codes the library records when nobody typed a reason (RevocationReason), in words. */
const REASON_CODES: Record<string, MessageId> = {
  'sign-out': 'audit.reason.signOut',
  revoked: 'audit.reason.revoked',
  'revoked-by-admin': 'audit.reason.revokedByAdmin',
  'signed-out-others': 'audit.reason.signedOutOthers',
  'force-sign-out': 'audit.reason.forceSignOut',
  'invalidate-all': 'audit.reason.invalidateAll',
  'password-changed': 'audit.reason.passwordChanged',
  'session-limit': 'audit.reason.sessionLimit',
  'Concurrent session limit reached': 'audit.reason.sessionLimit',
};

/** A person's typed reason as they wrote it; a library code as words. */
export const reasonText = (f: Fmt, reason: string): string => (REASON_CODES[reason] ? f.t(REASON_CODES[reason]) : reason);

/**
 * A short, readable summary of an audit event's `details` (the API leaves their shape open). Known facts
 * are phrased; anything unrecognised is left out rather than dumped as JSON. `known` holds e-mails already
 * shown in the row (a failed sign-in's e-mail is its target), so they are not repeated.
 */
export function describeDetails(f: Fmt, details: Record<string, unknown> | null | undefined, known: readonly string[] = []): string[] {
  if (!details) return [];
  const { t } = f;
  const lines: string[] = [];
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : null);
  const count = (key: string) => (typeof details[key] === 'number' ? (details[key] as number) : null);

  const device = text('device');
  const country = text('country');
  if (device) lines.push(country ? `${device}, ${country}` : device);
  if (details['persistent'] === true) lines.push(t('sessions.keptSignedIn'));
  if (Array.isArray(details['risk']) && details['risk'].length > 0) {
    lines.push(t('audit.detail.suspicious', { reasons: details['risk'].filter((r) => typeof r === 'string').join('; ') }));
  }
  const sessions = count('count');
  if (sessions !== null) lines.push(t('audit.detail.sessions', { count: sessions }));
  const others = count('revokedOtherSessions');
  if (others !== null) lines.push(t('audit.detail.othersSignedOut', { count: others }));
  const name = text('name');
  if (name) lines.push(`“${name}”`);
  const email = text('email');
  if (email && !known.includes(email)) lines.push(email);
  const before = details['before'];
  const after = details['after'];
  const subject = text('subject');
  if (subject !== null) {
    // A session policy (policy.changed): whose, then what changed; null before or after = no policy.
    const [kind, who] = [subject.slice(0, 5), subject.slice(5)];
    lines.push(kind === 'role:' && ROLE_LABELS[who] ? f.t('policies.forRole', { role: f.t(ROLE_LABELS[who]) }) : who);
    lines.push(...settingsChanges(f, isRecord(before) ? before : {}, isRecord(after) ? after : {}, true));
  } else if (isRecord(before) && isRecord(after)) lines.push(...settingsChanges(f, before, after));
  return lines;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const SETTING_LABELS: Record<string, MessageId> = {
  idleTimeoutSeconds: 'settings.idle.legend',
  'rememberMe.enabled': 'settings.remember.legend',
  'rememberMe.durationSeconds': 'settings.remember.duration',
  absoluteLifetimeSeconds: 'settings.lifetime.label',
  maxSessionsPerUser: 'settings.max.label',
  sessionLimitAction: 'settings.limitAction.label',
  anonymizeIp: 'settings.anonymize.label',
  reauthenticationWindowSeconds: 'policies.stepUp',
  'deviceBinding.policy': 'policies.dbsc',
};

function flatten(value: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    if (isRecord(v)) for (const [k, inner] of flatten(v, `${prefix}${key}.`)) out.set(k, inner);
    else out.set(`${prefix}${key}`, v);
  }
  return out;
}

function settingValue(f: Fmt, key: string, value: unknown): string {
  if (value === null) return key === 'idleTimeoutSeconds' ? f.t('common.never') : f.t('common.none');
  if (typeof value === 'boolean') return value ? f.t('common.on') : f.t('common.off');
  if (typeof value === 'number' && key.endsWith('Seconds')) return durationText(f, value);
  if (value === 'evict-oldest') return f.t('settings.limitAction.evict');
  if (value === 'deny') return f.t('settings.limitAction.deny');
  return String(value);
}

/** What changed, one line per setting. In a policy (`partial`) a setting can be absent: "not set". */
function settingsChanges(f: Fmt, before: Record<string, unknown>, after: Record<string, unknown>, partial = false): string[] {
  const old = flatten(before);
  const now = flatten(after);
  const changes: string[] = [];
  const shown = (key: string, map: Map<string, unknown>) => (partial && !map.has(key) ? f.t('policies.inherit') : settingValue(f, key, map.get(key) ?? null));
  for (const key of new Set([...now.keys(), ...(partial ? old.keys() : [])])) {
    if (JSON.stringify(old.get(key)) === JSON.stringify(now.get(key))) continue;
    const label = SETTING_LABELS[key] ? f.t(SETTING_LABELS[key]) : key;
    changes.push(`${label}: ${shown(key, old)} → ${shown(key, now)}`);
  }
  return changes;
}

const ROLE_LABELS: Record<string, MessageId> = { owner: 'role.owner', admin: 'role.admin', auditor: 'role.auditor', user: 'role.user' };
