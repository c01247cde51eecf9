import { z } from 'zod';
import { SeshatError } from '../core/errors.ts';
import type { Page } from '../core/ports.ts';

/** Opaque page cursors: base64url JSON, validated on the way back in (a bad one is a 400, not a 500). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new SeshatError('invalid_input', 'The cursor is not valid.');
  }
}

/** Cursor of the session listing: (lastActiveAt, id) of the last row, descending. */
export const sessionCursorSchema = z.tuple([z.number().int(), z.string().max(64)]);
/** Cursor of the audit listing: the last row's sequence number. */
export const auditCursorSchema = z.number().int().nonnegative();

/** Cursor of the webhook delivery log: the last row's sequence number. */
export const deliveryCursorSchema = z.number().int().nonnegative();

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export function pageLimit(limit: number | undefined, fallback = DEFAULT_PAGE): number {
  return Math.min(Math.max(1, limit ?? fallback), MAX_PAGE);
}

/** Turns `limit + 1` fetched rows into a page: the extra row only tells that there is a next page. */
export function pageOf<T>(rows: T[], limit: number | undefined, cursorOf: (last: T) => string): Page<T> {
  if (limit === undefined || rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}
