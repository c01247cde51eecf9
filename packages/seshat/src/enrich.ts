import type { Clock } from './core/clock.ts';
import { RiskAssessor, signInFacts, type RiskRules } from './core/risk.ts';
import type { SessionEnricher } from './core/session-manager.ts';
import type { Location } from './core/session.ts';
import { parseDevice } from './device/index.ts';
import { anonymizeIp, geoLocator, type GeoLocator } from './geo/index.ts';
import type { AuditStore } from './core/ports.ts';

export interface EnricherOptions {
  /** Where sign-in history is read from (the audit trail). */
  store: Pick<AuditStore, 'listAudit'>;
  clock: Clock;
  /** Default: the bundled DB-IP database. */
  geo?: GeoLocator;
  risk?: Partial<RiskRules>;
  /** A lookup that fails (database unreadable) leaves the session without a location and lands here. */
  onError?: (error: unknown) => void;
}

/**
 * Device, location, IP anonymisation and risk signals for a new session. Runs once per sign-in, inside
 * createSession; nothing here is on the validation hot path.
 */
export function sessionEnricher(options: EnricherOptions): SessionEnricher {
  const geo = options.geo ?? geoLocator('bundled');
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
    const risk = await assessor.assess(context.userId, signInFacts(options.clock.now(), device, location));
    return {
      // With anonymizeIp on, the full address never reaches the store: not on the session, not in the audit trail.
      ip: settings.anonymizeIp ? anonymizeIp(context.ip) : context.ip,
      device,
      location,
      risk: { suspicious: risk.suspicious, reasons: risk.reasons },
      newDevice: risk.newDevice,
    };
  };
}
