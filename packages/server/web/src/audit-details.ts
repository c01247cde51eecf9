import { durationText } from './format.ts';

/**
 * A short, readable summary of an audit event's `details` (the API leaves their shape open). Known facts
 * are phrased; anything unrecognised is left out rather than dumped as JSON.
 */
export function describeDetails(details: Record<string, unknown> | null | undefined): string[] {
  if (!details) return [];
  const lines: string[] = [];
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : null);
  const count = (key: string) => (typeof details[key] === 'number' ? (details[key] as number) : null);

  const device = text('device');
  const country = text('country');
  if (device) lines.push(country ? `${device}, ${country}` : device);
  if (details['persistent'] === true) lines.push('Kept signed in');
  if (Array.isArray(details['risk']) && details['risk'].length > 0) lines.push(`Suspicious: ${details['risk'].filter((r) => typeof r === 'string').join('; ')}`);
  const sessions = count('count');
  if (sessions !== null) lines.push(`${sessions} ${sessions === 1 ? 'session' : 'sessions'}`);
  const viewed = count('sessions');
  if (viewed !== null) lines.push(`${viewed} ${viewed === 1 ? 'session' : 'sessions'} of ${Array.isArray(details['users']) ? details['users'].length : 1} ${Array.isArray(details['users']) && details['users'].length !== 1 ? 'people' : 'person'}`);
  const disabledEnded = count('revoked');
  if (disabledEnded !== null) lines.push(`${disabledEnded} ${disabledEnded === 1 ? 'session' : 'sessions'} ended`);
  if (isRecord(details['filter'])) lines.push(`Criteria: ${filterText(details['filter'])}`);
  const others = count('revokedOtherSessions');
  if (others !== null) lines.push(`${others} other ${others === 1 ? 'session' : 'sessions'} signed out`);
  const name = text('name');
  if (name) lines.push(`“${name}”`);
  const email = text('email');
  if (email) lines.push(email);
  if (isRecord(details['before']) && isRecord(details['after'])) lines.push(...settingsChanges(details['before'], details['after']));
  return lines;
}

/** A revoke-matching filter as a short phrase ("countries DE, FR; signed in before 2026-11-01"). */
function filterText(filter: Record<string, unknown>): string {
  const day = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 10) : '?');
  const parts: string[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
  if (filter['userIds']) parts.push(`${list(filter['userIds']).split(', ').filter(Boolean).length} people`);
  if (filter['countryCodes']) parts.push(`countries ${list(filter['countryCodes'])}`);
  if (filter['ip']) parts.push(`address ${String(filter['ip'])}`);
  if (filter['deviceTypes']) parts.push(`devices ${list(filter['deviceTypes'])}`);
  if (filter['suspicious'] === true) parts.push('suspicious');
  if (filter['persistent'] === true) parts.push('kept signed in');
  if (filter['createdBefore'] !== undefined) parts.push(`signed in before ${day(filter['createdBefore'])}`);
  if (filter['createdAfter'] !== undefined) parts.push(`signed in after ${day(filter['createdAfter'])}`);
  if (filter['lastActiveBefore'] !== undefined) parts.push(`last active before ${day(filter['lastActiveBefore'])}`);
  if (filter['lastActiveAfter'] !== undefined) parts.push(`last active after ${day(filter['lastActiveAfter'])}`);
  return parts.join('; ') || 'everyone';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const SETTING_LABELS: Record<string, string> = {
  idleTimeoutSeconds: 'Idle timeout',
  'rememberMe.enabled': 'Remember me',
  'rememberMe.durationSeconds': 'Remember-me duration',
  absoluteLifetimeSeconds: 'Absolute lifetime',
  maxSessionsPerUser: 'Max sessions',
  sessionLimitAction: 'At the limit',
  anonymizeIp: 'Anonymise IP',
  teamSessionAccess: 'Team session access',
  manySessionsThreshold: '“Many sessions” above',
  auditRetentionDays: 'Audit retention (days)',
};

function flatten(value: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    if (isRecord(v)) for (const [k, inner] of flatten(v, `${prefix}${key}.`)) out.set(k, inner);
    else out.set(`${prefix}${key}`, v);
  }
  return out;
}

function settingValue(key: string, value: unknown): string {
  if (value === null) return key === 'idleTimeoutSeconds' ? 'never' : 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number' && key.endsWith('Seconds')) return durationText(value);
  return String(value);
}

function settingsChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const old = flatten(before);
  const changes: string[] = [];
  for (const [key, value] of flatten(after)) {
    if (JSON.stringify(old.get(key)) === JSON.stringify(value)) continue;
    changes.push(`${SETTING_LABELS[key] ?? key}: ${settingValue(key, old.get(key) ?? null)} → ${settingValue(key, value)}`);
  }
  return changes;
}
