import { z } from 'zod';
import type { AuditStore } from './ports.ts';
import { MINUTE } from './clock.ts';
import type { DeviceInfo, Location, RiskAssessment, RiskSignal } from './session.ts';

export type { RiskSignal } from './session.ts';

/** What one sign-in tells the risk rules. Read back from the `details` of `auth.sign-in` audit events. */
export interface SignInFacts {
  at: number;
  /** Browser + OS, lower-cased ("chrome|macos"): stable across browser updates and client-hint detail. */
  deviceKey: string;
  deviceLabel: string;
  countryCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Thresholds of the risk rules. */
export interface RiskRules {
  /** Failed sign-ins for the account within `failedAttemptsWindowMs` before this one that make it suspicious. */
  failedAttemptsThreshold: number;
  failedAttemptsWindowMs: number;
  /** Implied speed between consecutive located sign-ins above which travel is impossible (an airliner does ~900). */
  maxTravelSpeedKmh: number;
  /**
   * Shorter jumps are never "impossible travel": city-level GeoIP places the same connection hundreds of
   * kilometres apart (mobile carriers, VPN exits), and a jump of zero seconds would make any distance fast.
   */
  minTravelDistanceKm: number;
  /** How many previous sign-ins are read to decide what is "new". */
  historySize: number;
}

/** The default thresholds: 1000 km/h and 500 km for impossible travel, 5 failed sign-ins in 15 minutes, the last 100 sign-ins. */
export const defaultRiskRules: RiskRules = {
  failedAttemptsThreshold: 5,
  failedAttemptsWindowMs: 15 * MINUTE,
  maxTravelSpeedKmh: 1000,
  minTravelDistanceKm: 500,
  historySize: 100,
};

export interface SignInRisk extends RiskAssessment {
  signals: RiskSignal[];
  /** A device this user has not signed in from before (never true for a first sign-in). */
  newDevice: boolean;
}

export function deviceKey(device: Pick<DeviceInfo, 'browser' | 'os' | 'label'>): string {
  if (device.browser === null && device.os === null) return device.label.toLowerCase();
  return `${device.browser ?? '?'}|${device.os ?? '?'}`.toLowerCase();
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance between two points in kilometres. */
export function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const located = (f: SignInFacts): f is SignInFacts & { latitude: number; longitude: number } => f.latitude !== null && f.longitude !== null;
const km = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The pure rules. `previous` is the user's earlier sign-ins, newest first; `failureTimes` the times of
 * failed sign-ins for the account. The first sign-in of a user has nothing to compare with and raises none
 * of the "new" signals. A new device on its own is reported (reason + `session.new-device` event, the
 * "new sign-in" notice) but does not make the sign-in suspicious: people buy laptops and install browsers
 * all the time, and a badge on every such session would teach users to ignore it. Any other signal does.
 */
export function assessSignIn(current: SignInFacts, previous: SignInFacts[], failureTimes: number[], rules: RiskRules = defaultRiskRules): SignInRisk {
  const signals: RiskSignal[] = [];
  const reasons: string[] = [];

  const newDevice = previous.length > 0 && !previous.some((p) => p.deviceKey === current.deviceKey || p.deviceLabel === current.deviceLabel);
  if (newDevice) {
    signals.push('new-device');
    reasons.push(`New device: ${current.deviceLabel}`);
  }

  const knownCountries = new Set(previous.map((p) => p.countryCode).filter((c) => c !== null));
  if (current.countryCode !== null && knownCountries.size > 0 && !knownCountries.has(current.countryCode)) {
    signals.push('new-country');
    reasons.push(`New country: ${current.country ?? current.countryCode}`);
  }

  let travel: SignInRisk['travel'];
  const last = previous.find(located);
  if (located(current) && last) {
    const distance = haversineKm(last, current);
    const hours = Math.max(0, current.at - last.at) / 3_600_000;
    const speed = hours === 0 ? Infinity : distance / hours;
    if (distance >= rules.minTravelDistanceKm && speed > rules.maxTravelSpeedKmh) {
      signals.push('impossible-travel');
      const from = last.country ?? last.countryCode ?? 'the previous sign-in';
      const minutes = Math.round(hours * 60);
      // No speed: "123,903,928 km/h" from two sign-ins a second apart says nothing a person can use.
      reasons.push(`Impossible travel: ${km(distance)} km from ${from} in ${minutes} min`);
      travel = { km: Math.round(distance), minutes, fromCountry: last.country, fromCountryCode: last.countryCode };
    }
  }

  const failures = failureTimes.filter((t) => t <= current.at && t > current.at - rules.failedAttemptsWindowMs).length;
  if (failures >= rules.failedAttemptsThreshold) {
    signals.push('failed-attempts');
    reasons.push(`${failures} failed sign-in attempts in the ${Math.round(rules.failedAttemptsWindowMs / MINUTE)} minutes before`);
  }

  return {
    suspicious: signals.some((signal) => signal !== 'new-device'),
    reasons,
    signals,
    newDevice,
    ...(travel ? { travel } : {}),
    ...(failures >= rules.failedAttemptsThreshold ? { failures } : {}),
  };
}

/** The facts of a sign-in being made now, in the form later assessments read back from the audit trail. */
export function signInFacts(at: number, device: DeviceInfo, location: Location | null): SignInFacts {
  return {
    at,
    deviceKey: deviceKey(device),
    deviceLabel: device.label,
    countryCode: location?.countryCode ?? null,
    country: location?.country ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
  };
}

/** The `details` of an `auth.sign-in` audit event (older events may lack the newer fields). */
export const signInDetailsSchema = z.object({
  device: z.string().optional(),
  deviceKey: z.string().optional(),
  countryCode: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  latitude: z.number().nullable().optional(),
  longitude: z.number().nullable().optional(),
});
export type SignInDetails = z.infer<typeof signInDetailsSchema>;

/** What createSession writes into the audit event so that later sign-ins can be compared with this one. */
export function signInDetails(device: DeviceInfo, location: Location | null): Required<SignInDetails> {
  return {
    device: device.label,
    deviceKey: deviceKey(device),
    countryCode: location?.countryCode ?? null,
    country: location?.country ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
  };
}

/** Reads a user's sign-in history from the audit trail and applies the rules. Runs at sign-in only. */
export class RiskAssessor {
  readonly #audit: Pick<AuditStore, 'listAudit'>;
  readonly #rules: RiskRules;

  constructor(audit: Pick<AuditStore, 'listAudit'>, rules: Partial<RiskRules> = {}) {
    this.#audit = audit;
    this.#rules = { ...defaultRiskRules, ...rules };
  }

  /** Compares a new sign-in with the user's earlier ones and recent failures (read from the audit trail). */
  async assess(userId: string, current: SignInFacts): Promise<SignInRisk> {
    const [signIns, failures] = await Promise.all([
      this.#audit.listAudit({ userId, action: 'auth.sign-in', limit: this.#rules.historySize }),
      // Enough rows to see the threshold reached inside the window; older ones do not matter.
      this.#audit.listAudit({ userId, action: 'auth.sign-in-failed', limit: Math.max(this.#rules.failedAttemptsThreshold * 4, 20) }),
    ]);
    const previous: SignInFacts[] = [];
    for (const event of signIns.items) {
      if (event.targetUserId !== userId) continue;
      const details = signInDetailsSchema.safeParse(event.details ?? {});
      if (!details.success) continue;
      const d = details.data;
      previous.push({
        at: event.at,
        deviceKey: d.deviceKey ?? (d.device ?? '').toLowerCase(),
        deviceLabel: d.device ?? '',
        countryCode: d.countryCode ?? null,
        country: d.country ?? null,
        latitude: d.latitude ?? null,
        longitude: d.longitude ?? null,
      });
    }
    // A grouped row (`details.attempts`) stands for that many failures.
    const failureTimes = failures.items
      .filter((e) => e.targetUserId === userId)
      .flatMap((e) => Array<number>(Math.min(1000, Math.max(1, Number(e.details?.attempts ?? 1) || 1))).fill(e.at));
    return assessSignIn(current, previous, failureTimes, this.#rules);
  }
}
