import type { ApiKeyRecord } from './api-key.ts';
import type { AuditAction, AuditEvent } from './audit.ts';
import type { InvalidationChannel } from './invalidation.ts';
import type { SessionMatch } from './session-filter.ts';
import type { DeviceKey, Location, RiskAssessment, SessionRecord } from './session.ts';
import type { DueWebhookDelivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage } from './webhook.ts';
import type { ExpiryCutoffs } from './settings.ts';
import type { SessionPolicy } from './session-policy.ts';
import type { DailyStat } from './daily-stats.ts';

/**
 * Storage behind Seshat: the interfaces the core calls, which every store (SQLite, PostgreSQL) implements and
 * checks with one contract suite (`seshat/testing`). Times are epoch milliseconds.
 *
 * Writes that belong together go through `Transactional.transaction`: a state change and its audit event
 * commit together or not at all (DESIGN.md, "One transaction per change").
 */
export interface SessionStore {
  /** Stores a new session. Rejects a duplicate id. */
  insertSession(session: SessionRecord): Promise<void>;
  /** One indexed read by primary key: the validation hot path. Returns revoked rows too. */
  findSession(id: string): Promise<SessionRecord | null>;
  /**
   * Many sessions by id in one read (ids not found are left out; revoked rows are returned): the validation cache's
   * refresh ahead, which re-reads the entries of sessions in use before they expire, one statement per touch batch.
   * Optional: without it the refresh reads them one by one with `findSession` (a store written before it existed).
   */
  findSessions?(ids: readonly string[]): Promise<SessionRecord[]>;
  /**
   * Records activity. Must be a conditional UPDATE (`… WHERE id = ? AND revoked_at IS NULL`), never an
   * upsert, so a late touch can never resurrect a revoked or deleted session. True if a row was updated.
   */
  touchSession(id: string, touch: SessionTouch): Promise<boolean>;
  /**
   * Records the activity of many sessions in ONE statement (the per-node batch, `touch-batch.ts`), with the same
   * condition per row as `touchSession` (`revoked_at IS NULL`, never an upsert). Last-active is only raised
   * (nodes may write out of order), requests are added. Returns the ids it updated: an id missing from the
   * answer was revoked or deleted meanwhile.
   */
  touchSessions(touches: BatchedTouch[]): Promise<string[]>;
  /**
   * Unrevoked, unexpired sessions, most recently active first: one user's exactly by `lastActiveAt` (then id);
   * everyone's by the minute of last activity, then id (descending), an order an index can serve without every
   * touch writing it (docs/scaling.md). The keyset cursor carries that key and the id.
   */
  listActiveSessions(query: ActiveSessionQuery): Promise<Page<SessionRecord>>;
  /**
   * How many sessions are live under `cutoffs`: everyone's, or one user's. With `atMost`, counting stops there
   * (the answer is min(count, atMost)): an exact count of millions is a scan, a capped one is not.
   */
  countActiveSessions(cutoffs: ExpiryCutoffs, userId?: string, atMost?: number): Promise<number>;
  /** Per-user number of active sessions and latest activity (only users with at least one). */
  activeSessionStats(cutoffs: ExpiryCutoffs): Promise<UserSessionStats[]>;
  /** Marks one session revoked. True only if it was active before (a second revoke changes nothing). */
  revokeSession(id: string, revocation: Revocation): Promise<boolean>;
  /** Revokes a user's unrevoked sessions (except one, if given) and returns their ids. */
  revokeUserSessions(userId: string, revocation: Revocation & { exceptSessionId?: string }): Promise<string[]>;
  /** Revokes every unrevoked session; returns how many. */
  revokeAllSessions(revocation: Revocation): Promise<number>;
  /**
   * Live sessions (under `cutoffs`) matching every criterion of `match`, as id, owner and recorded IP (the
   * core checks address blocks). Must stay fast for 100,000 matches: one statement, no per-row round trips.
   */
  findMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs): Promise<MatchedSession[]>;
  /**
   * Revokes the live sessions (under `cutoffs`) matching every criterion of `match`, except `exceptSessionId`, in
   * one statement (no round trip per row: 100,000 sessions must end well within 2 s); returns what it revoked.
   */
  revokeMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs, revocation: Revocation & { exceptSessionId?: string }): Promise<MatchedSession[]>;
  /** Revokes the unrevoked sessions among `ids` in one statement; returns the ids it revoked. */
  revokeSessions(ids: readonly string[], revocation: Revocation): Promise<string[]>;
  /**
   * Records a step-up on a live session: `reauthenticatedAt` (null ends its freshness) and, when given, whether
   * the session must change the password before anything else. A conditional UPDATE on an unrevoked row, like a
   * touch: true if a row was updated.
   */
  updateSessionAuthentication(id: string, update: SessionAuthenticationUpdate): Promise<boolean>;
  /**
   * One garbage-collection step: looks at up to `limit` sessions with id > `afterId` (in id order) and deletes
   * those that are revoked or expired. Keyset order makes a full pass O(n) without an index on last-active.
   */
  collectExpiredSessions(step: CollectStep): Promise<CollectResult>;
  /** Every stored row, live or not (garbage collection reports progress against it). */
  countSessions(): Promise<number>;
  /** Replaces a live session's risk assessment (a signal found after sign-in). False if it ended meanwhile. */
  setSessionRisk(id: string, risk: RiskAssessment): Promise<boolean>;
  /** One step of anonymising the addresses (`ip`, `sign_in_ip`) stored on sessions, in id order. */
  anonymizeSessionIps(step: AnonymizeStep): Promise<AnonymizeResult>;
}

/** One step of rewriting stored addresses: up to `limit` rows after `after` (key order), each address through `anonymize`. */
export interface AnonymizeStep {
  after: string | null;
  limit: number;
  /** The address as it may be kept (a prefix); the same address back when it already is one. */
  anonymize: (ip: string) => string | null;
}

/** What one anonymising step did, and where the next one starts (null when the pass is complete). */
export interface AnonymizeResult {
  scanned: number;
  changed: number;
  last: string | null;
}

/** What a touch writes: activity since the last one. */
export interface SessionTouch {
  lastActiveAt: number;
  /** Requests to add to the counter. */
  requests: number;
  lastPath: string | null;
  /** The latest client address (as it may be recorded); null or absent leaves the stored one. */
  ip?: string | null;
  /** The latest address's location; written only together with `ip` (null = unknown, absent = left as stored). */
  location?: Location | null;
}

/** One session's activity in a batched touch. */
export interface BatchedTouch extends SessionTouch {
  id: string;
  /**
   * The session's last activity before this touch as the node knew it (read from the store, or its own last
   * write); absent = unknown. A store that keeps a coarser copy of the time for ordering (the minute of
   * `listActiveSessions`) may leave that copy alone when both times fall in the same unit.
   */
  previousActiveAt?: number;
}

/** A session a filter matched: enough to revoke it, check its address and count its owners. */
export interface MatchedSession {
  id: string;
  userId: string;
  ip: string | null;
}

/** What `updateSessionAuthentication` writes. */
export interface SessionAuthenticationUpdate {
  reauthenticatedAt: number | null;
  passwordChangeRequired?: boolean;
}

/** When and why sessions are revoked (the reason is a `RevocationReason` code). */
export interface Revocation {
  at: number;
  reason: string;
  /** An administrator's own words (kept as `revoked_note`); null or absent otherwise. */
  note?: string | null;
}

/** Which live sessions to list, one page at a time. */
export interface ActiveSessionQuery {
  cutoffs: ExpiryCutoffs;
  userId?: string;
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}

/** One page of a listing and the cursor of the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A user's number of live sessions and latest activity. */
export interface UserSessionStats {
  userId: string;
  activeSessions: number;
  lastActiveAt: number;
}

/** One garbage-collection step: the expiry rule, where to start and how many rows to look at. */
export interface CollectStep {
  cutoffs: ExpiryCutoffs;
  /**
   * Revoked rows ended after this (epoch ms) are kept, so the signed-out person can still be told why
   * (`…/session-ended`); absent = every revoked row is collected.
   */
  endedBefore?: number;
  afterId: string | null;
  limit: number;
}

/** What one garbage-collection step did. */
export interface CollectResult {
  scanned: number;
  deleted: number;
  /** Of `deleted`, the rows never ended by a request (found expired by the collector): the overview counts them. */
  expired: number;
  /** Where the next step starts; null when the pass is complete. */
  lastId: string | null;
}

/**
 * Device Bound Session Credentials: a session's registered key and the rotated HMAC secrets every node
 * signs bound cookies and challenges with.
 */
export interface DeviceBindingStore {
  /**
   * Records the key a session's browser registered. A conditional UPDATE (`… WHERE id = ? AND revoked_at IS
   * NULL AND device_key IS NULL`): the first registration wins and a key is never replaced. True if it was set.
   */
  bindSessionKey(id: string, binding: { key: DeviceKey; at: number }): Promise<boolean>;
  /** How many live sessions under `cutoffs` are bound to a device key. */
  countBoundSessions(cutoffs: ExpiryCutoffs): Promise<number>;
  /** The stored signing secrets, newest first. */
  listBindingSecrets(): Promise<BindingSecret[]>;
  /** Adds a secret and deletes those created before `retireBefore`. */
  insertBindingSecret(secret: BindingSecret, retireBefore: number): Promise<void>;
}

/** One HMAC secret of the device-binding key ring. */
export interface BindingSecret {
  /** Short public id carried in bound cookies and challenges, so a verifier knows which secret to use. */
  id: string;
  secret: Uint8Array;
  createdAt: number;
}

/**
 * What the admin overview reads and the rollups it needs (`daily-stats.ts`): counters per UTC day, written in the
 * transactions of the changes they count, and bounded aggregates over the live sessions.
 */
export interface OverviewStore {
  /**
   * Adds to counters of one UTC day (`YYYY-MM-DD`) in one statement, in the caller's transaction. A counter is spread
   * over a few rows (picked at random per call) so parallel changes on several nodes rarely wait on one row lock;
   * reads add them up. Counters are given in one order (`DailyTally.entries`), so concurrent calls cannot deadlock.
   */
  addDailyCounts(day: string, counts: readonly (readonly [metric: string, n: number])[]): Promise<void>;
  /** Sets (not adds) values of one day: the background job's snapshots. Idempotent. */
  setDailyValues(day: string, values: readonly (readonly [metric: string, value: number])[]): Promise<void>;
  /** Every stored value of the days `from`..`to` (inclusive), each counter's rows added up. */
  listDailyStats(from: string, to: string): Promise<DailyStat[]>;
  /** Deletes the values of days before `day`; returns how many rows. */
  pruneDailyStats(day: string): Promise<number>;
  /**
   * Live sessions under `cutoffs` grouped by country code, device type or user, largest groups first (ties by key),
   * at most `limit` groups. One aggregate statement over the live rows; a null key (unknown place) is a group too.
   */
  liveSessionBreakdown(cutoffs: ExpiryCutoffs, by: SessionBreakdownKey, limit: number): Promise<SessionGroup[]>;
}

/** What `liveSessionBreakdown` groups by. */
export type SessionBreakdownKey = 'country' | 'deviceType' | 'user';

/** One group of live sessions. */
export interface SessionGroup {
  key: string | null;
  count: number;
}

/** Where the admin-editable session settings are kept (one JSON document). */
export interface SettingsStore {
  /** The stored settings document, or null if none was saved yet. Validated by the caller. */
  loadSettings(): Promise<unknown>;
  /**
   * Takes the settings document's lock inside the current transaction, held until it ends, so a read-merge-save of
   * the settings (`updateSettings`) runs alone across processes. A lock of its own, not a row lock: before the first
   * save there is no row to lock (PostgreSQL: an advisory transaction lock, as `lockSessionPolicy`).
   */
  lockSettings(): Promise<void>;
  /** Replaces the stored settings document (already validated by the caller). */
  saveSettings(settings: unknown): Promise<void>;
}

/**
 * Session policies (timeouts, remember-me, limits per group of people), one row per subject. The subject is the
 * application's name for whom a policy covers (the server: `role:admin`, `user:usr_…`); `assignPolicies` maps
 * subjects onto people.
 */
export interface SessionPolicyStore {
  /** Every stored policy, by subject. */
  listSessionPolicies(): Promise<StoredSessionPolicy[]>;
  /** The policy of one subject, or null. */
  findSessionPolicy(subject: string): Promise<StoredSessionPolicy | null>;
  /**
   * Takes the subject's policy lock inside the current transaction, held until it ends, so a read-merge-save of one
   * policy (`updatePolicy`) runs alone across processes. A lock on the subject, not on its row: a subject's first
   * policy has no row to lock yet, and two merges over "none" would still lose one (PostgreSQL: an advisory
   * transaction lock, as `lockUserSessions`).
   */
  lockSessionPolicy(subject: string): Promise<void>;
  /** Creates or replaces a subject's policy (already validated by the caller). */
  saveSessionPolicy(policy: StoredSessionPolicy): Promise<void>;
  /** Removes a subject's policy; true if there was one. */
  deleteSessionPolicy(subject: string): Promise<boolean>;
}

/** A stored session policy: whom it covers, what it sets, and when it was last changed. */
export interface StoredSessionPolicy {
  subject: string;
  policy: SessionPolicy;
  updatedAt: number;
}

/** The audit trail: append-only events, listed newest first. */
export interface AuditStore {
  /** Appends one event. */
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first. The cursor is the event's sequence number, so pages stay stable while new events arrive. */
  listAudit(query: AuditQuery): Promise<Page<AuditEvent>>;
  /** Deletes up to `limit` events older than `before` (oldest first); returns how many. Retention GC, in batches. */
  deleteAuditBefore(before: number, limit: number): Promise<number>;
  /** One step of anonymising the addresses stored in the audit trail, oldest first. */
  anonymizeAuditIps(step: AnonymizeStep): Promise<AnonymizeResult>;
}

/** Which audit events to list, one page at a time. */
export interface AuditQuery {
  /** Events where this user is the actor or the target. */
  userId?: string;
  /** Events about this user's account (the target), whoever acted: their security activity. */
  targetUserId?: string;
  action?: AuditAction;
  /** Any of these actions. */
  actions?: readonly AuditAction[];
  /** Only failures (refused sign-ins…) or only the rest (see `failureActions`). */
  outcome?: 'success' | 'failure';
  /** At or after this time (epoch ms). */
  from?: number;
  /** Before this time (epoch ms). */
  to?: number;
  /**
   * Free text, case-insensitive, found in the reason, the IP, the action or an actor/target/session id; and
   * events whose actor or target is one of `userIds` (the server resolves names and e-mails to them).
   */
  search?: { text: string; userIds?: readonly string[] };
  limit?: number;
  cursor?: string | null;
}

/** An account of the Seshat server (the library itself does not need users: apps own theirs). */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  createdAt: number;
  /** When the account was disabled (no sign-in, no API keys); null while enabled. */
  disabledAt: number | null;
  /** Set by an administrator's reset, a generated first password or a reported session: sign-ins must change it first. */
  passwordChangeRequired: boolean;
}

/** The server's built-in roles, most powerful first. */
export type UserRole = 'owner' | 'admin' | 'auditor' | 'user';

/** Accounts of the Seshat server. A library user's app keeps its own users and can ignore this part. */
export interface UserStore {
  /** Stores a new account; rejects a duplicate id or e-mail. */
  insertUser(user: UserRecord): Promise<void>;
  /** The account with this id, or null. */
  findUserById(id: string): Promise<UserRecord | null>;
  /** Case-insensitive: e-mails are stored lower-cased. */
  findUserByEmail(email: string): Promise<UserRecord | null>;
  /** Every account, oldest first. */
  listUsers(): Promise<UserRecord[]>;
  /** How many accounts there are. */
  countUsers(): Promise<number>;
  /** Disables (`at`) or enables (null) an account. True only if that changed something. */
  setUserDisabled(userId: string, at: number | null): Promise<boolean>;
  /**
   * Replaces an account's password hash and sets whether the next sign-in must change it (default false: the
   * owner chose this password). Also used on its own to upgrade a hash's parameters after a sign-in.
   */
  updatePasswordHash(userId: string, passwordHash: string, changeRequired?: boolean): Promise<void>;
  /**
   * Replaces `oldHash` with `newHash` (same password, stronger parameters) only if the stored hash is still
   * `oldHash`: a password changed in between is never overwritten. True if it was replaced.
   */
  upgradePasswordHash(userId: string, oldHash: string, newHash: string): Promise<boolean>;
  /** Marks an account as having to change its password at the next sign-in (a reported session). */
  requirePasswordChange(userId: string): Promise<void>;
  /** Changes an account's role; false if there is no such account. */
  updateUserRole(userId: string, role: UserRecord['role']): Promise<boolean>;
  /** The id and role of every account holding one of `roles` (few: the team, not everyone). */
  listUsersWithRoles(roles: readonly UserRole[]): Promise<Pick<UserRecord, 'id' | 'role'>[]>;
}

/**
 * Counters for sign-in throttling, kept in the database so every node sees the same numbers. A counter is a
 * fixed window: the first hit after `windowMs` has passed since the window started begins a new one.
 */
export interface SignInLimitStore {
  /** Adds one to `key`'s counter in one atomic statement and returns the counter after it. */
  countSignInAttempt(key: string, at: number, windowMs: number): Promise<SignInCounter>;
  /** The counter of `key`, or null if it has none. */
  readSignInCounter(key: string): Promise<SignInCounter | null>;
  /** Forgets `key`'s counter (a successful sign-in clears the account's failures). */
  clearSignInCounter(key: string): Promise<void>;
  /** Deletes counters whose last hit is before `before`; returns how many. */
  pruneSignInCounters(before: number): Promise<number>;
}

/** A sign-in throttling counter. */
export interface SignInCounter {
  count: number;
  windowStart: number;
  lastAt: number;
}

/** API keys and their batched usage counts. */
export interface ApiKeyStore {
  /** Stores a new key. */
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  /** One indexed read by primary key: the bearer hot path. Returns revoked keys too. */
  findApiKey(id: string): Promise<ApiKeyRecord | null>;
  /** A user's unrevoked keys, newest first, each with the sum of its usage buckets at or after `usageSinceMinute`. */
  listApiKeys(userId: string, usageSinceMinute: number): Promise<(ApiKeyRecord & { requests24h: number })[]>;
  /** Marks a key revoked. True only if it was unrevoked before. */
  revokeApiKey(id: string, at: number): Promise<boolean>;
  /** Revokes a user's unrevoked keys (or everyone's, with `'all'`) and returns their ids. */
  revokeUserApiKeys(userId: string | 'all', at: number): Promise<string[]>;
  /** Adds batched request counts to per-minute buckets and raises each key's last-used time (never lowers it). */
  recordApiKeyUsage(usage: ApiKeyUsage[]): Promise<void>;
  /** Deletes usage buckets older than `beforeMinute`; returns how many. */
  pruneApiKeyUsage(beforeMinute: number): Promise<number>;
}

/** Requests of one key in one minute (epoch minutes: `floor(ms / 60000)`). */
export interface ApiKeyUsage {
  keyId: string;
  minute: number;
  requests: number;
  lastUsedAt: number;
}

/** Writing to the webhook outbox: what a change's transaction needs (see `WebhookOutbox`). */
export interface WebhookOutboxStore {
  /** Every endpoint (a handful): the outbox picks those that want an event. */
  listWebhookEndpoints(): Promise<WebhookEndpoint[]>;
  /** Stores a message and its deliveries (one per endpoint), in the caller's transaction. */
  insertWebhookMessage(message: WebhookMessage, deliveries: WebhookDelivery[]): Promise<void>;
  /**
   * Stores many messages and their deliveries in one statement (or a few), in the caller's transaction: a bulk
   * revocation writes one `session.ended` per session (100,000 of them must not be 100,000 round trips).
   * Optional: without it the outbox calls `insertWebhookMessage` once per message.
   */
  insertWebhookMessages?(messages: readonly WebhookMessage[], deliveries: readonly WebhookDelivery[]): Promise<void>;
}

/** Webhook endpoints, the outbox and its delivery log. */
export interface WebhookStore extends WebhookOutboxStore {
  /** Stores a new endpoint; rejects a duplicate id. */
  insertWebhookEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  /** One endpoint by id, or null. */
  findWebhookEndpoint(id: string): Promise<WebhookEndpoint | null>;
  /** Changes the given fields; false if there is no such endpoint. */
  updateWebhookEndpoint(id: string, patch: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description'>>): Promise<boolean>;
  /** Deletes an endpoint and its deliveries; false if there was none. */
  deleteWebhookEndpoint(id: string): Promise<boolean>;
  /** Pending deliveries due at `now` to enabled endpoints, oldest due first, with URL, secret and body. */
  dueWebhookDeliveries(now: number, limit: number): Promise<DueWebhookDelivery[]>;
  /** Records one attempt: attempts + 1, and the outcome. */
  recordWebhookAttempt(deliveryId: string, attempt: WebhookAttempt): Promise<void>;
  /** The delivery log, newest first. */
  listWebhookDeliveries(query: { endpointId?: string; limit?: number; cursor?: string | null }): Promise<Page<WebhookDelivery>>;
  /** One delivery by id, or null. */
  findWebhookDelivery(id: string): Promise<WebhookDelivery | null>;
  /** Replay: the delivery is pending again, due at `at`, with a new retry window until `expiresAt`. False if none. */
  requeueWebhookDelivery(id: string, at: number, expiresAt: number): Promise<boolean>;
  /**
   * The delivery lease: one node at a time delivers. Takes or renews it for `holder` until `now + ttlMs` if it is
   * free, expired or already `holder`'s; true if `holder` has it now. One conditional upsert: atomic on both stores.
   */
  claimWebhookLease(holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (on shutdown), if `holder` has it. */
  releaseWebhookLease(holder: string): Promise<void>;
  /** Deletes finished deliveries (and messages left without any) created before `before`; returns how many deliveries. */
  pruneWebhookDeliveries(before: number): Promise<number>;
}

/**
 * A unit of work. Everything `work` writes through `scope` commits together when it resolves, and nothing does if
 * it throws. Obligations of the caller:
 * - inside `work`, use `scope`, never the store itself, and wait on nothing but `scope`'s own calls (no network,
 *   no timers): the embedded store runs a transaction on its one connection, and a pause would let unrelated
 *   statements in. The SQLite store refuses a transaction whose work paused (it rolls back and throws);
 * - do the slow parts (device parsing, GeoIP, password hashing) before, and the announcements (cache
 *   invalidation, NOTIFY, events) after.
 */
export interface Transactional<Scope> {
  /** Runs `work` in one transaction and resolves with its result (see above for the caller's obligations). */
  transaction<T>(work: (scope: Scope) => Promise<T>): Promise<T>;
}

/** What the session manager reads and writes. */
export type SessionScope = SessionStore & SettingsStore & SessionPolicyStore & AuditStore & SessionLocks & DeviceBindingStore & WebhookOutboxStore & OverviewStore;

/** Everything one transaction of the server may touch. */
export type StoreScope = SessionStore & SettingsStore & SessionPolicyStore & AuditStore & UserStore & ApiKeyStore & SignInLimitStore & SessionLocks & DeviceBindingStore & WebhookStore & OverviewStore;

/**
 * Serialises changes to one user's sessions across processes, for rules that count before they insert
 * (the concurrent-session limit). Held until the transaction ends.
 */
export interface SessionLocks {
  /** Takes the user's lock inside the current transaction (PostgreSQL: an advisory transaction lock). */
  lockUserSessions(userId: string): Promise<void>;
}

/** Everything the server needs from one database. */
export interface Store extends SessionStore, SettingsStore, SessionPolicyStore, AuditStore, UserStore, ApiKeyStore, SignInLimitStore, SessionLocks, DeviceBindingStore, WebhookStore, OverviewStore, Transactional<StoreScope> {
  /** Which store this is: `redis` is the Redis session tier (sessions in Redis, everything else in PostgreSQL). */
  readonly dialect: 'sqlite' | 'postgres' | 'redis';
  /** Applies pending migrations; returns the versions applied. */
  migrate(): Promise<number[]>;
  /**
   * How other processes' changes reach this process's validation cache: PostgreSQL, LISTEN/NOTIFY between nodes;
   * SQLite, `PRAGMA data_version` (another process, such as the CLI, committed to the file). Optional: without
   * one, a process invalidates only its own cache and others converge within the cache TTL.
   */
  createInvalidationChannel?(options?: { nodeId?: string; onError?: (error: unknown) => void }): InvalidationChannel;
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;
  /** Releases the database (file handle or pool). The store is unusable afterwards. */
  close(): Promise<void>;
}
