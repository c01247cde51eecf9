/** What a User-Agent (and client hints) tell about the device behind a session. */
export interface DeviceInfo {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  /** desktop | mobile | tablet | app | cli | bot | unknown (and whatever else a parser reports) */
  deviceType: string;
  deviceModel: string | null;
  /** Reads like "Chrome on macOS". */
  label: string;
}

/** Approximate place of a sign-in, from an offline GeoIP database (city level at best). */
export interface Location {
  city: string | null;
  region: string | null;
  country: string | null;
  /** ISO 3166-1 alpha-2; null when unknown or for a local network. */
  countryCode: string | null;
  /** City-level coordinates from the GeoIP database (for distance checks), when it has them. */
  latitude?: number | null;
  longitude?: number | null;
}

/** Why a new session looks unusual (filled by the risk assessor, if one is configured). */
export interface RiskAssessment {
  suspicious: boolean;
  /** In English, for logs and the audit trail. */
  reasons: string[];
  /** The rules that fired, for UIs that word them themselves (absent on sessions stored before they were kept). */
  signals?: RiskSignal[];
  /** With `impossible-travel`: the jump from the previous located sign-in. */
  travel?: { km: number; minutes: number; fromCountry: string | null; fromCountryCode: string | null };
  /** With `failed-attempts`: how many failed sign-ins came just before. */
  failures?: number;
}

/** A risk rule that fired. */
export type RiskSignal = 'new-device' | 'new-country' | 'impossible-travel' | 'failed-attempts';

/** The device of a session nothing could be learnt about (no User-Agent, or no enricher). */
export const unknownDevice: DeviceInfo = {
  browser: null,
  browserVersion: null,
  os: null,
  osVersion: null,
  deviceType: 'unknown',
  deviceModel: null,
  label: 'Unknown device',
};

/** A session as stored. Times are epoch milliseconds. The raw token is never part of it. */
export interface SessionRecord {
  /** Public, opaque id (`ses_…`): safe to show; useless without the secret. */
  id: string;
  userId: string;
  /** SHA-256 of the token's secret. */
  secretHash: Uint8Array;
  /** Last 8 characters of the token, for display. */
  tokenHint: string;
  /** Remember-me session (persistent cookie) rather than a browser session. */
  persistent: boolean;
  createdAt: number;
  lastActiveAt: number;
  revokedAt: number | null;
  /** Why it ended: a `RevocationReason` code (see `ended-reason.ts`). Kept until garbage collection. */
  revokedReason: string | null;
  /** An administrator's reason for ending it (shown to the person only with `showAdminReasonToUser`). */
  revokedNote: string | null;
  /** The latest client address seen (written with the batched touch); the sign-in address until then. */
  ip: string | null;
  /** The address the session signed in from (never changes). */
  signInIp: string | null;
  userAgent: string | null;
  device: DeviceInfo;
  /** Where `ip` is (the latest address's location). */
  location: Location | null;
  /** Where the session signed in from. */
  signInLocation: Location | null;
  risk: RiskAssessment | null;
  /** Requests seen, written together with last-active (so it lags by at most one touch interval). */
  requests: number;
  lastPath: string | null;
  /**
   * The last step-up (password entered again on this session), or null. The sign-in itself is `createdAt`:
   * a session is created only by an authentication, so `authenticatedAt` needs no column of its own.
   */
  reauthenticatedAt: number | null;
  /** Nothing but a password change is allowed on this session (generated or reset password, reported session). */
  passwordChangeRequired: boolean;
  /**
   * The public key the browser proved it holds (Device Bound Session Credentials), or null/absent when the
   * session is not bound. Set once, never replaced: see `device-binding/`.
   */
  deviceKey?: DeviceKey | null;
  /** When the browser registered that key (epoch ms); null/absent when not bound. */
  boundSince?: number | null;
}

/** A session's registered public key: a public JWK (never a private part) and the algorithm it signs with. */
export interface DeviceKey {
  alg: 'ES256' | 'RS256';
  jwk: Record<string, unknown>;
}

/** Whether two copies of a session hold the same secret hash (a row re-created under the same id would not). */
export function sameSecret(a: Pick<SessionRecord, 'secretHash'>, b: Pick<SessionRecord, 'secretHash'>): boolean {
  return a.secretHash.length === b.secretHash.length && a.secretHash.every((byte, i) => byte === b.secretHash[i]);
}

/** Whether the session's browser registered a device key (DBSC): then requests need the bound cookie too. */
export function isDeviceBound(session: Pick<SessionRecord, 'deviceKey'>): boolean {
  return session.deviceKey != null;
}

/** Who is acting: the subject of permission checks. */
export interface Actor {
  userId: string;
  role?: string;
  /** The session the actor is using, when acting through one. */
  sessionId?: string;
  ip?: string | null;
}
