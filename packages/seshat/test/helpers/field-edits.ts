import { expect } from 'vitest';
import type { AuditEvent } from '../../src/core/audit.ts';
import type { SessionPolicy } from '../../src/core/session-policy.ts';
import type { SessionSettingsPatch } from '../../src/core/settings.ts';

/**
 * Edits of different fields of one document, one per call, for the parallel-update tests of session policies and of
 * the settings (both have these fields). Two touch `rememberMe` and must merge field by field.
 */
export const FIELD_EDITS: (SessionPolicy & SessionSettingsPatch)[] = [
  { idleTimeoutSeconds: 600 },
  { absoluteLifetimeSeconds: 86_400 },
  { rememberMe: { enabled: false } },
  { rememberMe: { durationSeconds: 7 * 86_400 } },
  { maxSessionsPerUser: 2 },
  { sessionLimitAction: 'deny' },
  { reauthenticationWindowSeconds: 300 },
  { deviceBinding: { policy: 'off' } },
];

/** Every field `FIELD_EDITS` sets, as a policy holding all of them. */
export const ALL_FIELD_EDITS = {
  idleTimeoutSeconds: 600,
  absoluteLifetimeSeconds: 86_400,
  rememberMe: { enabled: false, durationSeconds: 7 * 86_400 },
  maxSessionsPerUser: 2,
  sessionLimitAction: 'deny',
  reauthenticationWindowSeconds: 300,
  deviceBinding: { policy: 'off' },
} satisfies SessionPolicy;

/**
 * The audit events of one edit per `FIELD_EDITS` entry, newest first as the trail lists them, form a chain: the
 * first replaced `first`, each later one what the one before it stored, and the last stored `last`. An edit made
 * over a copy read outside the lock breaks it.
 */
export function expectEditChain(newestFirst: AuditEvent[], first: unknown, last: unknown): void {
  const events = [...newestFirst].reverse();
  expect(events).toHaveLength(FIELD_EDITS.length);
  expect(events.map((e) => e.details!.before)).toEqual([first, ...events.slice(0, -1).map((e) => e.details!.after)]);
  expect(events.at(-1)!.details!.after).toEqual(last);
}
