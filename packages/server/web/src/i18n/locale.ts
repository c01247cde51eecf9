/** The languages the UI has complete catalogs for; the first is the fallback. */
export const LOCALES = ['en', 'de', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's name in itself, for the switcher (never translated: people look for their own). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch', es: 'Español' };

const STORAGE_KEY = 'seshat.locale';

const isLocale = (value: string | null | undefined): value is Locale => (LOCALES as readonly string[]).includes(value ?? '');

/**
 * The first supported language among the browser's preferences (`navigator.languages` is the browser's
 * Accept-Language list, in order): "de-AT" picks German, "pt-BR, es" Spanish, anything else English.
 */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const language = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(language)) return language;
  }
  return LOCALES[0];
}

/** A choice made with the switcher wins over the browser's preferences, on this browser. */
export function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be disabled; the browser's preference is then all there is.
  }
  return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the choice still applies to this page.
  }
}
