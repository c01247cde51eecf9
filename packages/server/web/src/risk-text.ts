import type { Session } from './api.ts';
import { countryName } from './format.ts';
import type { Fmt } from './i18n/fmt.ts';

export type Risk = NonNullable<Session['risk']>;

const country = (f: Fmt, code: string | null | undefined, name: string | null | undefined) => countryName(f, { countryCode: code ?? null, country: name ?? null }) ?? f.t('place.unknown');

/** One short line: "Signed in from Germany 2 min after Brazil", "First sign-in from Sweden"… */
export function riskLine(f: Fmt, session: Pick<Session, 'risk' | 'location'>): string {
  const risk = session.risk!;
  const here = session.location ? country(f, session.location.countryCode, session.location.country) : f.t('place.unknown');
  const signals = risk.signals ?? [];
  if (signals.includes('impossible-travel') && risk.travel) {
    return f.t('risk.line.travel', { country: here, minutes: risk.travel.minutes, from: country(f, risk.travel.fromCountryCode, risk.travel.fromCountry) });
  }
  if (signals.includes('failed-attempts') && risk.failures !== undefined) return f.t('risk.line.failures', { count: risk.failures });
  if (signals.includes('new-country')) return f.t('risk.line.newCountry', { country: here });
  return f.t('risk.line.generic');
}

/** The reasons behind "Why?", in the UI's language when the server says which rules fired. */
export function riskReasons(f: Fmt, session: Pick<Session, 'risk' | 'location'>, risk: Risk): string[] {
  if (!risk.signals) return risk.reasons;
  const here = session.location ? country(f, session.location.countryCode, session.location.country) : f.t('place.unknown');
  return risk.signals.map((signal) => {
    switch (signal) {
      case 'new-device':
        return f.t('risk.reason.newDevice');
      case 'new-country':
        return f.t('risk.reason.newCountry', { country: here });
      case 'impossible-travel':
        return risk.travel
          ? f.t('risk.reason.travel', { km: risk.travel.km, minutes: risk.travel.minutes, from: country(f, risk.travel.fromCountryCode, risk.travel.fromCountry) })
          : f.t('risk.line.generic');
      case 'failed-attempts':
        return f.t('risk.reason.failures', { count: risk.failures ?? 0 });
    }
  });
}

