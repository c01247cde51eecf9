import { randomBytes } from 'node:crypto';
import type { AuditStore, Page, AuditQuery } from './ports.ts';
import type { AuditEvent, NewAuditEvent } from './audit.ts';
import type { Clock } from './clock.ts';

/** Appends and reads audit events. Writes are awaited: an action is not reported done before its audit entry is. */
export class AuditTrail {
  readonly #store: AuditStore;
  readonly #clock: Clock;
  constructor(store: AuditStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Stores one event with a new id (and the clock's time unless `at` is given). */
  async record(event: NewAuditEvent): Promise<AuditEvent> {
    const full: AuditEvent = { ...event, id: 'aud_' + randomBytes(12).toString('base64url'), at: event.at ?? this.#clock.now() };
    await this.#store.appendAudit(full);
    return full;
  }

  /** Events newest first, filtered and paged. */
  list(query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.#store.listAudit(query);
  }
}
