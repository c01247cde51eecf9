import { createIntl, createIntlCache, type IntlShape } from 'react-intl';
import type { Locale } from './locale.ts';
import { catalogs, type MessageId } from './messages/index.ts';

export type Values = Record<string, string | number | boolean | Date | null | undefined>;
export type Translate = (id: MessageId, values?: Values) => string;

/** A locale's translator and Intl formatters; what every formatting function takes. */
export interface Fmt {
  t: Translate;
  intl: IntlShape;
}

export const fmtOf = (intl: IntlShape): Fmt => ({ intl, t: (id, values) => intl.formatMessage({ id }, values as Record<string, string | number>) });

/** The same as the UI's, outside React (tests, non-component code). */
export function fmtFor(locale: Locale, timeZone?: string): Fmt {
  return fmtOf(createIntl({ locale, defaultLocale: 'en', messages: catalogs[locale], ...(timeZone ? { timeZone } : {}) }, createIntlCache()));
}
