import { serialisesWithoutSecret } from '../../core/public-view.ts';
import type { SessionRecord } from '../../core/session.ts';
import type { ExpiryCutoffs } from '../../core/settings.ts';

/**
 * How a session is kept in its Redis hash: one field per `SessionRecord` property, under the same name. A null is an
 * absent field; numbers are decimal strings, booleans '1'/'0', objects JSON and the secret's hash hex.
 */
export type SessionHash = Record<string, string>;

const JSON_FIELDS = ['device', 'location', 'signInLocation', 'risk', 'deviceKey'] as const;
const NUMBER_FIELDS = ['createdAt', 'lastActiveAt', 'revokedAt', 'requests', 'reauthenticatedAt', 'boundSince'] as const;
const TEXT_FIELDS = ['id', 'userId', 'tokenHint', 'revokedReason', 'revokedNote', 'ip', 'signInIp', 'userAgent', 'lastPath'] as const;

/** The hash fields of a record, as HSET's field/value list (nulls left out). */
export function toHashFields(s: SessionRecord): string[] {
  const out: string[] = ['secretHash', Buffer.from(s.secretHash).toString('hex'), 'persistent', s.persistent ? '1' : '0', 'passwordChangeRequired', s.passwordChangeRequired ? '1' : '0'];
  // `!= null`: a record built in code may leave an optional value undefined; stored, both are "absent".
  for (const f of TEXT_FIELDS) if (s[f] != null) out.push(f, s[f]);
  for (const f of NUMBER_FIELDS) if (s[f] != null) out.push(f, String(s[f]));
  for (const f of JSON_FIELDS) if (s[f] != null) out.push(f, JSON.stringify(s[f]));
  return out;
}

/** A stored hash back as a record, or null for an empty one (no such key). */
export function fromHash(h: SessionHash): SessionRecord | null {
  if (h.id === undefined) return null;
  const text = (f: string) => h[f] ?? null;
  const num = (f: string) => (h[f] === undefined ? null : Number(h[f]));
  const json = <T>(f: string) => (h[f] === undefined ? null : (JSON.parse(h[f]) as T));
  return serialisesWithoutSecret({
    id: h.id,
    userId: h.userId!,
    secretHash: Buffer.from(h.secretHash ?? '', 'hex'),
    tokenHint: h.tokenHint ?? '',
    persistent: h.persistent === '1',
    createdAt: Number(h.createdAt),
    lastActiveAt: Number(h.lastActiveAt),
    revokedAt: num('revokedAt'),
    revokedReason: text('revokedReason'),
    revokedNote: text('revokedNote'),
    ip: text('ip'),
    signInIp: text('signInIp'),
    userAgent: text('userAgent'),
    device: json<SessionRecord['device']>('device')!,
    location: json<SessionRecord['location']>('location'),
    signInLocation: json<SessionRecord['signInLocation']>('signInLocation'),
    risk: json<SessionRecord['risk']>('risk'),
    requests: Number(h.requests ?? 0),
    lastPath: text('lastPath'),
    reauthenticatedAt: num('reauthenticatedAt'),
    passwordChangeRequired: h.passwordChangeRequired === '1',
    deviceKey: json<SessionRecord['deviceKey']>('deviceKey'),
    boundSince: num('boundSince'),
  });
}

/**
 * The live condition of `liveSessionCondition` (src/stores/sql.ts) over a record, for listings (which read whole
 * records anyway); the Lua `is_live` (scripts.ts) is the same rule for counts, filters and GC. The store contract
 * checks both against `isExpired`.
 */
export function isLiveUnder(cutoffs: ExpiryCutoffs, s: SessionRecord): boolean {
  // People under a session policy of their own are judged by their group's cutoffs, everyone else by the common ones.
  const c = cutoffs.exceptions?.find((e) => e.userIds.includes(s.userId)) ?? cutoffs;
  if (s.revokedAt !== null || s.createdAt <= c.createdBefore) return false;
  const remembered = c.rememberedCreatedBefore !== null;
  if (remembered && s.persistent && s.createdAt <= c.rememberedCreatedBefore!) return false;
  if (c.idleBefore !== null) {
    const active = s.lastActiveAt > c.idleBefore;
    // While remember-me is on, remembered sessions are exempt from the idle rule.
    if (!(remembered ? s.persistent || active : active)) return false;
  }
  return true;
}
