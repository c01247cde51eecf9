import type { AuditAction, AuditEvent } from './audit.ts';
import type { AuditStore, Page } from './ports.ts';

/**
 * "Your security activity": what happened to one account, newest first, from the audit trail (sign-ins, failed
 * attempts against it, sessions ended and by whom, password and API-key changes, reported sessions, new devices).
 * Only events whose target is the account: an administrator's actions on other people are not their activity.
 */
export const activityActions: readonly string[] = [
  'auth.sign-in',
  'auth.sign-in-failed',
  'auth.sign-out',
  'session.revoked',
  'session.expired',
  'sessions.revoked-others',
  'user.force-signed-out',
  'password.changed',
  'password.change-failed',
  'password.reset',
  'api-key.created',
  'api-key.revoked',
  'api-keys.revoked',
  'session.reported',
];

/** How many audit rows one activity page may read past events that are not activity (bounded work per request). */
const SCAN_LIMIT = 500;

/** One page of an account's security activity; the cursor is the audit trail's. */
export async function accountActivity(store: Pick<AuditStore, 'listAudit'>, userId: string, query: { limit?: number; cursor?: string | null }): Promise<Page<AuditEvent>> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const items: AuditEvent[] = [];
  let cursor = query.cursor ?? null;
  let scanned = 0;
  // Events of other kinds about the account (role changes, its creation) are skipped; the loop reads on until
  // the page is full, the trail ends, or it has read SCAN_LIMIT rows (then the page is short and a cursor follows).
  while (items.length < limit && scanned < SCAN_LIMIT) {
    const page = await store.listAudit({ targetUserId: userId, limit: limit - items.length, cursor });
    scanned += page.items.length;
    items.push(...page.items.filter((e) => activityActions.includes(e.action as AuditAction)));
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return { items, nextCursor: cursor };
}
