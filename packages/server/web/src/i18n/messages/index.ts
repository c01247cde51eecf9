import type { Locale } from '../locale.ts';
import { de } from './de.ts';
import { en, type Catalog } from './en.ts';
import { es } from './es.ts';

export type { Catalog, MessageId } from './en.ts';

export const catalogs: Record<Locale, Catalog> = { en, de, es };
