import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { fmtOf, type Fmt, type Translate } from './fmt.ts';
import { initialLocale, rememberLocale, type Locale } from './locale.ts';
import { catalogs } from './messages/index.ts';

export type { Fmt, Translate, Values } from './fmt.ts';
export { fmtFor } from './fmt.ts';

interface LocaleState {
  locale: Locale;
  setLocale: (locale: Locale) => void;
}

const LocaleContext = createContext<LocaleState>({ locale: 'en', setLocale: () => {} });

/**
 * All UI text comes from the message catalogs (i18n/messages), formatted by FormatJS (ICU plurals and
 * selects); dates and numbers go through Intl in the same locale. The locale follows the browser's
 * languages until someone picks one with the switcher.
 */
export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => fixed ?? initialLocale());
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    rememberLocale(next);
    setLocaleState(next);
  }, []);
  const state = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return (
    <LocaleContext.Provider value={state}>
      <IntlProvider locale={formatLocale(locale)} defaultLocale="en" messages={catalogs[locale]}>
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

/**
 * Dates and numbers follow the browser's regional variant of the chosen language ("en-GB": 15 Nov 2026,
 * 14:05), the words the catalog of the language.
 */
function formatLocale(locale: Locale): string {
  const preferred = typeof navigator === 'undefined' ? [] : navigator.languages ?? [];
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === locale) ?? locale;
}

export const useLocale = (): LocaleState => useContext(LocaleContext);

/** `t('sessions.othersHeading', { count: 3 })`: a message by id, typed so a missing id fails the type check. */
export function useFmt(): Fmt {
  const intl = useIntl();
  return useMemo(() => fmtOf(intl), [intl]);
}

export const useT = (): Translate => useFmt().t;
