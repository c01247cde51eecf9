import type { ApiKeyRecord } from '../core/api-key.ts';
import type { AuditEvent } from '../core/audit.ts';
import type { Location, SessionRecord } from '../core/session.ts';
import type { AnonymizeStep, BatchedTouch, UserRecord } from '../core/ports.ts';
import { serialisesWithoutSecret } from '../core/public-view.ts';
import type { DueWebhookDelivery, WebhookDelivery, WebhookEndpoint } from '../core/webhook.ts';

/**
 * Row → record mapping shared by the dialects. Both use the same snake_case columns; they differ only in how
 * booleans (SQLite 0/1, PostgreSQL true/false) and JSON columns (SQLite text, PostgreSQL parsed jsonb) arrive,
 * which `decode` says. Numbers come back as numbers (SQLite) or strings (PostgreSQL BIGINT): epoch milliseconds
 * stay far below 2^53, so Number() is exact.
 */
export interface ColumnDecoders {
  bool(value: unknown): boolean;
  json<T>(value: unknown): T | null;
}

export type Row = Record<string, unknown>;

/** A JSON column's value for INSERT: text for both dialects (PostgreSQL casts it to jsonb). */
export function jsonColumn(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** One row of a batched touch as a keyed object (the Redis tier's Lua script reads these). */
export function touchRow(t: BatchedTouch): { id: string; at: number; n: number; path: string | null; ip: string | null; loc: Location | null; lk: 0 | 1 } {
  const ip = typeof t.ip === 'string' ? t.ip : null;
  // `lk`: whether the location is written (with a new address whose place is known, or known to be unknown).
  const lk = ip !== null && t.location !== undefined ? 1 : 0;
  return { id: t.id, at: t.lastActiveAt, n: t.requests, path: t.lastPath, ip, loc: lk ? (t.location ?? null) : null, lk };
}

/**
 * A batched touch as both SQL dialects read it (`json_each`, `jsonb_array_elements`): one JSON array of positional
 * rows, built in one pass. Most rows are `[id, at, n, path]`; a row with a new address adds `ip, loc, lk`, where
 * `lk` = 1 says the location is written (a place, or null = known to be unknown) and absent leaves it as stored.
 * Positions rather than keyed objects: the batch is thousands of rows a second on a busy node, and SQLite reads
 * an array element by index where it would scan an object's keys (a quarter of the statement's cost, measured).
 */
export function touchRowsJson(touches: readonly BatchedTouch[]): string {
  let json = '[';
  for (let i = 0; i < touches.length; i++) {
    const t = touches[i]!;
    if (i > 0) json += ',';
    // Ids, times and counts are ours (base64url, integers); the path comes from the request, so it is escaped.
    json += `[${JSON.stringify(t.id)},${t.lastActiveAt},${t.requests},${t.lastPath === null ? 'null' : JSON.stringify(t.lastPath)}`;
    if (typeof t.ip === 'string') {
      json += `,${JSON.stringify(t.ip)}`;
      if (t.location !== undefined) json += `,${JSON.stringify(t.location)},1`;
    }
    json += ']';
  }
  return json + ']';
}

/** A stored address (a column value) through an anonymising step's function. */
export function anonymized(value: unknown, step: Pick<AnonymizeStep, 'anonymize'>): string | null {
  return value === null || value === undefined ? null : step.anonymize(String(value));
}

const nullableString = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function rowMappers(decode: ColumnDecoders) {
  return {
    toSession: (r: Row): SessionRecord =>
      serialisesWithoutSecret({
        id: String(r.id),
        userId: String(r.user_id),
        secretHash: r.secret_hash as Uint8Array,
        tokenHint: String(r.token_hint),
        persistent: decode.bool(r.persistent),
        createdAt: Number(r.created_at),
        lastActiveAt: Number(r.last_active_at),
        revokedAt: nullableNumber(r.revoked_at),
        revokedReason: nullableString(r.revoked_reason),
        revokedNote: nullableString(r.revoked_note),
        ip: nullableString(r.ip),
        signInIp: nullableString(r.sign_in_ip),
        userAgent: nullableString(r.user_agent),
        device: decode.json<SessionRecord['device']>(r.device)!,
        location: decode.json(r.location),
        signInLocation: decode.json(r.sign_in_location),
        risk: decode.json(r.risk),
        requests: Number(r.requests),
        lastPath: nullableString(r.last_path),
        reauthenticatedAt: nullableNumber(r.reauthenticated_at),
        passwordChangeRequired: decode.bool(r.password_change_required ?? false),
        deviceKey: decode.json<SessionRecord['deviceKey']>(r.device_key),
        boundSince: nullableNumber(r.bound_at),
      }),
    toAuditEvent: (r: Row): AuditEvent => ({
      id: String(r.id),
      at: Number(r.at),
      action: String(r.action) as AuditEvent['action'],
      actorId: nullableString(r.actor_id),
      targetUserId: nullableString(r.target_user_id),
      sessionId: nullableString(r.session_id),
      reason: nullableString(r.reason),
      ip: nullableString(r.ip),
      details: decode.json(r.details),
    }),
    toApiKey: (r: Row): ApiKeyRecord =>
      serialisesWithoutSecret({
        id: String(r.id),
        userId: String(r.user_id),
        name: String(r.name),
        secretHash: r.secret_hash as Uint8Array,
        prefix: String(r.prefix),
        createdAt: Number(r.created_at),
        lastUsedAt: nullableNumber(r.last_used_at),
        revokedAt: nullableNumber(r.revoked_at),
      }),
    toWebhookEndpoint: (r: Row): WebhookEndpoint => ({
      id: String(r.id),
      url: String(r.url),
      secret: String(r.secret),
      events: decode.json(r.events),
      enabled: decode.bool(r.enabled),
      description: nullableString(r.description),
      createdAt: Number(r.created_at),
    }),
    toWebhookDelivery,
    toDueWebhookDelivery: (r: Row): DueWebhookDelivery => ({ ...toWebhookDelivery(r), url: String(r.url), secret: String(r.secret), payload: String(r.payload) }),
    toUser: (r: Row): UserRecord => ({
      id: String(r.id),
      email: String(r.email),
      name: String(r.name),
      role: String(r.role) as UserRecord['role'],
      passwordHash: String(r.password_hash),
      createdAt: Number(r.created_at),
      disabledAt: nullableNumber(r.disabled_at),
      passwordChangeRequired: decode.bool(r.password_change_required ?? false),
    }),
  };
}

function toWebhookDelivery(r: Row): WebhookDelivery {
  return {
    id: String(r.id),
    messageId: String(r.message_id),
    endpointId: String(r.endpoint_id),
    eventType: String(r.event_type) as WebhookDelivery['eventType'],
    status: String(r.status) as WebhookDelivery['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: nullableNumber(r.next_attempt_at),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
    lastAttemptAt: nullableNumber(r.last_attempt_at),
    lastStatusCode: nullableNumber(r.last_status_code),
    lastError: nullableString(r.last_error),
  };
}
