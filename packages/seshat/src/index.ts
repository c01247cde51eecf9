/**
 * Seshat, the library: the framework-agnostic core. Stores: `seshat/sqlite`, `seshat/postgres`.
 * Adapters: `seshat/express`, `seshat/fastify`, `seshat/hono`. The store contract suite: `seshat/testing`.
 */
import './node-version.ts';

export { SessionManager } from './session-manager.ts';
export { endedReasons, endedReasonOf, sessionEndedError, type EndedReason, type SessionEnding } from './core/ended-reason.ts';
export { TouchBatch, type TouchBatchOptions, type PendingActivity } from './core/touch-batch.ts';
export { openStore, describeDatabase, type OpenStoreOptions } from './stores/open.ts';
export { DAILY_STATS_RETENTION_DAYS } from './core/session-manager.ts';
export { dailyMetrics, overviewEndedReasons, utcDay, lastDays, overviewDays, endedMetric, DailyTally, type DailyStat, type OverviewDay, type OverviewEndedReason } from './core/daily-stats.ts';
export type { SessionOverview, MatchPreview, SessionManagerOptions, ValidationRequest, SignInContext, CreatedSession, SessionEnricher, SessionEnrichment, RevocationReason, CollectProgress, ContainmentHook, Contained, PolicyAssigner } from './core/session-manager.ts';
export { publicView, type PublicSession, type PublicApiKey } from './core/public-view.ts';
export { unknownDevice, isDeviceBound, type DeviceKey, type SessionRecord, type Actor, type DeviceInfo, type Location, type RiskAssessment } from './core/session.ts';
export { ownerOnly, roleBasedPolicy, type PermissionPolicy, type TeamAction, type Decision } from './core/permissions.ts';
export { sessionFilterSchema, ipOrCidrSchema, parseCidr, ipInBlock, type SessionFilter, type SessionMatch } from './core/session-filter.ts';
export {
  defaultSettings,
  sessionSettingsSchema,
  sessionSettingsPatchSchema,
  expiresAt,
  isExpired,
  expiryCutoffs,
  expiryReason,
  minIdleTimeoutSeconds,
  settingsSchemaFor,
  ACTIVE_WINDOW_MS,
  DEFAULT_TOUCH_INTERVAL_MS,
  type SessionSettings,
  type SessionSettingsPatch,
  type ExpiryCutoffs,
  type ExpiryException,
} from './core/settings.ts';
export {
  sessionPolicySchema,
  policySchemaFor,
  resolvePolicy,
  mergePolicies,
  policyFieldValue,
  EffectivePolicies,
  POLICY_FIELDS,
  type SessionPolicy,
  type PolicyField,
  type PolicyLayer,
  type ResolvedPolicy,
  type PolicyAssignment,
} from './core/session-policy.ts';
export { SeshatError, isSeshatError, type SeshatErrorCode } from './core/errors.ts';
export { FRESHNESS_ENDED, isRecentlyAuthenticated, lastAuthenticatedAt, recentAuthRefusal } from './core/step-up.ts';
export { systemClock, ManualClock, SECOND, MINUTE, HOUR, DAY, type Clock } from './core/clock.ts';
export type { InvalidationChannel, Invalidation, InvalidationListener } from './core/invalidation.ts';
export { auditActions, type AuditEvent, type AuditAction, type NewAuditEvent } from './core/audit.ts';
export { AuditTrail, auditBy, type AuditFields } from './core/audit-trail.ts';
export { SessionChange, type Revoked } from './core/session-change.ts';
export { storableText, isStorableText, reasonSchema, userIdSchema, UNSTORABLE_MESSAGE } from './core/text.ts';
export type * from './core/ports.ts';
export { newToken, parseToken, sessionIdSchema, sessionTokenSchema, hashSecret, secretMatches, secretsEqual, type NewToken } from './core/token.ts';
export { defaultCacheTtlMs, ValidationCache, type CacheOptions, type CachedSession } from './core/validation-cache.ts';
export { SessionMetrics } from './core/metrics.ts';
export { SeshatEventBus, type SeshatEvents } from './core/events.ts';
export { accountActivity, activityActions } from './core/activity.ts';
export { SessionSubscriptions, type SessionEvent, type SessionListener } from './core/live-sessions.ts';
export { WebhookOutbox, webhookEventsOf, DEFAULT_RETRY_WINDOW_MS } from './core/outbox.ts';
export { WebhookDispatcher, webhookBackoff, type WebhookDispatcherOptions } from './core/webhook-dispatcher.ts';
export { Webhooks, newWebhookEndpointSchema, webhookEndpointPatchSchema, type NewWebhookEndpoint, type WebhookEndpointPatch, type WebhookScope } from './core/webhooks.ts';
export { signWebhook, verifyWebhook, webhookHeaders, newWebhookSecret } from './core/webhook-signature.ts';
export {
  webhookEventTypes,
  webhookEventTypeSchema,
  webhookUrlSchema,
  type WebhookEventType,
  type WebhookEndpoint,
  type WebhookMessage,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type DueWebhookDelivery,
  type WebhookAttempt,
} from './core/webhook.ts';
export { ApiKeys, UsageBuffer, revokeApiKeysOf, type ApiKeysOptions, type ApiKeyScope, type ApiKeyContainmentCause } from './core/api-keys.ts';
export { apiKeyIdSchema, apiKeyNameSchema, parseApiKey, type ApiKeyRecord, type ApiKeySummary } from './core/api-key.ts';
export { scheduleGarbageCollection, nextDelay, type GarbageCollectionSchedule, type GarbageCollector } from './core/gc-schedule.ts';
export { assessSignIn, RiskAssessor, defaultRiskRules, haversineKm, signInFacts, type SignInFacts, type RiskRules, type SignInRisk, type RiskSignal } from './core/risk.ts';

// Device, location and risk for new sessions.
export { addressDescriber, deviceEnricher, sessionEnricher, type EnricherOptions } from './enrich.ts';
export { parseDevice, readClientHints, ACCEPT_CH, CLIENT_HINT_HEADERS, type ClientHints, type HeaderBag } from './device/index.ts';
export { anonymizeIp, GeoIp, geoLocator, openGeoIp, DBIP_ATTRIBUTION, DBIP_PACKAGE, DBIP_URL, type GeoLocator, type GeoIpSource } from './geo/index.ts';

// HTTP building blocks shared by the adapters (and any other framework).
export { requestAuthenticator, authenticationRule, settleAuthentication, sameSiteGuard, signedOutProblem, type SessionRejection, type Authentication, type AuthenticatorOptions, type RequestCredentials, type SameSiteRequest } from './http/authenticate.ts';
export { startSessionGuard, type StartSessionOptions } from './http/start-session.ts';
export { recentAuthProblem, type MaxAge } from './http/recent-auth.ts';
export { csrfRefusal, crossSiteRefusal, isCsrfSafe, isSafeMethod, isCrossSite, originOf, originSet, type CsrfInput } from './http/csrf.ts';
export { bearerCredentials } from './http/bearer.ts';
export { resolveCookie, pathOnly, cookieValue, type SessionCookieOptions, type ResolvedCookie } from './http/cookie.ts';
export { problem, problemFromError, problemType, problemStatus, type Problem } from './http/problem.ts';

// Device Bound Session Credentials (W3C WebAppSec draft): sessions bound to a key the browser keeps in hardware.
export { DeviceBinding, type DeviceBindingOptions, type BindingRequest, type BindingAnswer, type SessionInstructions } from './device-binding/device-binding.ts';
export { REGISTRATION_HEADER, CHALLENGE_HEADER, RESPONSE_HEADER, SESSION_ID_HEADER } from './device-binding/headers.ts';
