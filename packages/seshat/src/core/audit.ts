/** An entry of the audit trail. `actorId` null = the system (CLI, GC, expiry). */
export interface AuditEvent {
  id: string;
  at: number;
  action: AuditAction;
  actorId: string | null;
  targetUserId: string | null;
  sessionId: string | null;
  reason: string | null;
  ip: string | null;
  /** Extra facts, e.g. `{ count: 12 }` for invalidate-all. */
  details: Record<string, unknown> | null;
}

/** Every action the audit trail records. */
export const auditActions = [
  'auth.sign-in',
  'auth.sign-in-failed',
  'auth.sign-out',
  'session.revoked',
  'session.expired',
  'session.suspicious',
  'ips.anonymized',
  'sessions.revoked-others',
  'user.force-signed-out',
  'sessions.invalidated-all',
  'settings.changed',
  'password.changed',
  'auth.reauthenticated',
  'session.reported',
  'auth.reauthentication-failed',
  'password.change-failed',
  'password.reset',
  'user.role-changed',
  'api-key.created',
  'api-key.revoked',
  'api-keys.revoked',
  'user.created',
  'sessions.viewed',
  'sessions.revoked-matching',
  'user.disabled',
  'user.enabled',
  'audit.exported',
  'session.device-bound',
  'session.device-key-mismatch',
  'webhook.created',
  'webhook.changed',
  'webhook.deleted',
  'policy.changed',
] as const;
/** Actions that record something refused or failed (the audit log's "failure" outcome); all others succeeded. */
export const failureActions: readonly AuditAction[] = ['auth.sign-in-failed'];

/** One of `auditActions`. */
export type AuditAction = (typeof auditActions)[number];

/** An audit event before it is stored: the trail assigns its id and, unless given, its time. */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { at?: number };
