import { EventEmitter } from 'node:events';
import type { SessionRecord } from './session.ts';

/** Events an application can hook (e.g. to send a "new sign-in" e-mail). Listeners must not throw. */
export interface SeshatEvents {
  'session.created': [session: SessionRecord];
  'session.revoked': [info: { sessionIds: string[] | 'all'; reason: string; actorId: string | null }];
  'session.suspicious': [session: SessionRecord];
  'session.new-device': [session: SessionRecord];
  'sessions.collected': [info: { deleted: number }];
  /**
   * After `anonymizeIp` was switched on, the addresses already stored are rewritten to their prefixes in batches in the
   * background (sessions, then the audit trail): the running counts after each batch.
   */
  'ips.anonymizing': [progress: { table: 'sessions' | 'audit'; scanned: number; changed: number }];
  /** Background failures that did not fail a request (a touch that could not be written, …). */
  error: [error: unknown];
}

/** The manager's events (`manager.events.on('session.new-device', …)`); see `SeshatEvents`. */
export class SeshatEventBus extends EventEmitter<SeshatEvents> {}
