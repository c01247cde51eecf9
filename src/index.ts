/** Seshat, the library: framework-agnostic core and the embedded SQLite store. Adapters: ./express, ./fastify. */
export { SessionManager } from './core/session-manager.ts';
export type { SessionManagerOptions, SignInContext, CreatedSession, SessionEnricher, SessionEnrichment, RevocationReason } from './core/session-manager.ts';
export type { SessionRecord, Actor, DeviceInfo, Location, RiskAssessment } from './core/session.ts';
export { ownerOnly, roleBasedPolicy, type PermissionPolicy } from './core/permissions.ts';
export { defaultSettings, sessionSettingsSchema, expiresAt, isExpired, type SessionSettings } from './core/settings.ts';
export { SeshatError, isSeshatError, type SeshatErrorCode } from './core/errors.ts';
export { systemClock, ManualClock, type Clock } from './core/clock.ts';
export type { InvalidationChannel, Invalidation } from './core/invalidation.ts';
export type { AuditEvent, AuditAction } from './core/audit.ts';
export type { Store, SessionStore } from './store/types.ts';
export { SqliteStore } from './store/sqlite/sqlite-store.ts';
export { openStore } from './store/open.ts';
export { ApiKeys, type ApiKeyRecord, type ApiKeySummary, type ApiKeysOptions } from './core/api-keys.ts';
export { scheduleGarbageCollection, type GarbageCollectionSchedule, type GarbageCollector } from './core/gc-schedule.ts';
export type { ApiKeyStore } from './store/types.ts';
// Device, location and risk: the server's default enricher, usable as `new SessionManager({ store, enrich: sessionEnricher({ store, clock: systemClock }) })`.
export { sessionEnricher, type EnricherOptions } from './server/enrich.ts';
export { parseDevice, readClientHints, ACCEPT_CH, CLIENT_HINT_HEADERS, type ClientHints } from './device/index.ts';
export { anonymizeIp, geoLocator, openGeoIp, DBIP_ATTRIBUTION, type GeoLocator, type GeoIpSource } from './geo/index.ts';
export { assessSignIn, RiskAssessor, defaultRiskRules, haversineKm, type RiskRules, type SignInRisk, type RiskSignal } from './core/risk.ts';
