import type { z } from 'zod';
import type { auditEventSchema } from './schemas.ts';

type AuditView = z.infer<typeof auditEventSchema>;

const columns = ['id', 'at', 'action', 'actor_id', 'actor_email', 'target_id', 'target_email', 'session_id', 'reason', 'ip', 'details'] as const;

/** The CSV export's first line. */
export const csvHeader = columns.join(',') + '\r\n';

/**
 * One RFC 4180 field. A value a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: an attacker can put text in a reason or an e-mail, and an exported log must not execute it.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One event as a CSV line (times ISO 8601 UTC, details as JSON). */
export function csvRow(e: AuditView): string {
  const fields = [e.id, e.at, e.action, e.actor?.id ?? null, e.actor?.email ?? null, e.target?.id ?? null, e.target?.email ?? null, e.sessionId, e.reason, e.ip, e.details ? JSON.stringify(e.details) : null];
  return fields.map(csvField).join(',') + '\r\n';
}
