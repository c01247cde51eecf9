import type { ApiKeyRecord } from './api-key.ts';
import type { SessionRecord } from './session.ts';

/** A session as it may be shown or sent: everything but the hash of its secret. */
export type PublicSession = Omit<SessionRecord, 'secretHash'>;

/** An API key as it may be shown or sent: everything but the hash of its secret. */
export type PublicApiKey = Omit<ApiKeyRecord, 'secretHash'>;

/** The public view of a session or API key record (a copy without `secretHash`). */
export function publicView<T extends { secretHash: Uint8Array }>(record: T): Omit<T, 'secretHash'> {
  const { secretHash: _hash, ...view } = record;
  return view;
}

function toJSON(this: { secretHash: Uint8Array }) {
  return publicView(this);
}

/**
 * Makes `JSON.stringify(record)` (and so `res.json(req.session)`) leave out `secretHash`. The hash is not the
 * token, but it is the one value a stolen database row is checked against, and it has no business in a
 * response or a log line. `toJSON` is added non-enumerable, so the record still compares and spreads as a
 * plain object; a spread copy (`{ ...record }`) loses it, which is why views are built with `publicView`.
 * Every store and the core pass their records through here when they make them.
 */
export function serialisesWithoutSecret<T extends { secretHash: Uint8Array }>(record: T): T {
  return Object.defineProperty(record, 'toJSON', { value: toJSON, enumerable: false, writable: true, configurable: true });
}
