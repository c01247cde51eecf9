import type { MessageId } from './i18n/messages/index.ts';

/** A notice for the sign-in page: catalog messages in order, or an error to describe. */
export type Notice = { id: MessageId; values?: Record<string, string | number>; then?: Notice } | { error: unknown };
