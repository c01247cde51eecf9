import { z } from 'zod';

/**
 * Text a store can hold. PostgreSQL's `text` cannot contain NUL, and no UTF-8 column can hold a lone UTF-16
 * surrogate (a JavaScript string may, JSON allows it as `\ud800`); SQLite would take both. So the rule is applied
 * at every boundary, the same whatever the store: refused as bad input, never a 500 from one store only.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether every store can hold `text` (no NUL, no unpaired surrogate). */
export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

/** The validation message for text no store can hold. */
export const UNSTORABLE_MESSAGE = 'contains a character that cannot be stored (NUL or an unpaired surrogate)';

/** A string that every store can hold. Use it for every string input that may be written. */
export const storableText = z.string().refine(isStorableText, UNSTORABLE_MESSAGE);

/** Why an admin ended sessions: required for a force sign-out, optional elsewhere. */
export const reasonSchema = storableText.trim().min(1, 'a reason is required').max(500, 'at most 500 characters');
export type Reason = z.infer<typeof reasonSchema>;

/** An id the application gives Seshat for its user (any string a store can hold, bounded). */
export const userIdSchema = storableText.min(1).max(255);
