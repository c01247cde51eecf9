import { randomBytes } from 'node:crypto';
import type { AnonymizeResult, AnonymizeStep, Page, SessionAuthenticationUpdate, SessionGroup, SessionScope, Transactional, UserSessionStats } from './ports.ts';
import type { NewAuditEvent } from './audit.ts';
import { AuditTrail, auditBy } from './audit-trail.ts';
import { systemClock, type Clock } from './clock.ts';
import { SeshatError } from './errors.ts';
import { SeshatEventBus } from './events.ts';
import type { Invalidation, InvalidationChannel } from './invalidation.ts';
import { ownerOnly, type PermissionPolicy, type TeamAction } from './permissions.ts';
import { ipInBlock, parseCidr, sessionFilterSchema, type SessionFilter } from './session-filter.ts';
import { sameSecret, unknownDevice, type Actor, type DeviceInfo, type Location, type RiskAssessment, type SessionRecord } from './session.ts';
import { endedReasonOf, type SessionEnding } from './ended-reason.ts';
import { TouchBatch, type PendingActivity } from './touch-batch.ts';
import {
  applySettingsPatch,
  cookieMaxAgeSeconds,
  DEFAULT_TOUCH_INTERVAL_MS,
  defaultSettings,
  expiresAt,
  expiryCutoffs,
  expiryReason,
  isExpired,
  sessionSettingsSchema,
  type ExpiryCutoffs,
  type SessionSettings,
  type SessionSettingsPatch,
} from './settings.ts';
import { SessionMetrics } from './metrics.ts';
import { EffectivePolicies, mergePolicies, policySchemaFor, type PolicyAssignment, type SessionPolicy } from './session-policy.ts';
import type { StoredSessionPolicy } from './ports.ts';
import { dailyMetrics, lastDays, overviewDays, utcDay, type OverviewDay } from './daily-stats.ts';
import { SessionSubscriptions, type SessionListener } from './live-sessions.ts';
import { WebhookOutbox } from './outbox.ts';
import { FRESHNESS_ENDED } from './step-up.ts';
import { serialisesWithoutSecret } from './public-view.ts';
import { signInDetails } from './risk.ts';
import { SessionChange, type RevocationReason } from './session-change.ts';
import { reasonSchema, userIdSchema } from './text.ts';
import { matchesVerifiedSecret, newToken, parseToken, secretMatches, tokenIdOf } from './token.ts';
import { defaultCacheTtlMs, ValidationCache, type CacheOptions, type CachedSession } from './validation-cache.ts';

/** What is known about a sign-in when the session is created. */
export interface SignInContext {
  userId: string;
  /** Asked for "Keep me signed in"; honoured only while remember-me is enabled. */
  remember: boolean;
  ip: string | null;
  userAgent: string | null;
  /** Request headers, for enrichers that read client hints. */
  headers?: Record<string, string | string[] | undefined>;
  /** The account must change its password before this session may do anything else (default false). */
  passwordChangeRequired?: boolean;
}

/** Filled by an enricher (device parsing, GeoIP, IP anonymisation, risk signals) before a session is stored. */
export interface SessionEnrichment {
  ip?: string | null;
  device?: DeviceInfo;
  location?: Location | null;
  risk?: RiskAssessment | null;
  /** First session from this device for the user. */
  newDevice?: boolean;
}

/** Describes a new session (device, location, risk, the IP to store) before it is stored; see `sessionEnricher`. */
export type SessionEnricher = (context: SignInContext, settings: SessionSettings) => Promise<SessionEnrichment> | SessionEnrichment;

/** What `validate` is told about the request: its path (the session's last page) and client address. */
export interface ValidationRequest {
  /** The request path without its query: recorded as the session's last page (first 512 characters). */
  path?: string;
  /** The client address; a new one is recorded (anonymised per settings) as the session's latest. */
  ip?: string | null;
}

/** Options of `SessionManager`: only `store` is required. */
export interface SessionManagerOptions<S extends SessionScope = SessionScope> {
  /** Where sessions, settings and the audit trail live; compound changes run in its transactions. */
  store: S & Transactional<S>;
  clock?: Clock;
  policy?: PermissionPolicy;
  /**
   * How often this node writes the activity it has seen (last-active, request counts, last path, latest address),
   * as one batched statement (default 1 s): the most a crash loses, and how far the database trails a request.
   */
  touchIntervalMs?: number;
  /**
   * Ended sessions are kept this long (default 7 days) before garbage collection deletes them, so a returning
   * browser is told why it was signed out (`whyEnded`).
   */
  endedRetentionMs?: number;
  /**
   * Turns a session's new client address into what is stored (anonymised per settings) and its location
   * (undefined = keep the stored one). The library's `SessionManager` anonymises; the server also locates.
   */
  describeAddress?: (ip: string, settings: SessionSettings) => Promise<{ ip: string | null; location?: Location | null }>;
  /**
   * The anonymised form of an address (IPv4 /24, IPv6 /48); with it, switching `anonymizeIp` on also rewrites the
   * addresses already stored (sessions and audit trail), in batches. The library's `SessionManager` provides it.
   */
  anonymize?: (ip: string) => string | null;
  /**
   * The network an address belongs to (e.g. its AS organisation, "Sky UK Limited"), or null when unknown. With it, a
   * session whose cookie shows up from another network than it signed in from is a risk signal, like another
   * country: a cookie copied to an attacker's machine usually leaves the victim's network.
   */
  networkOf?: (ip: string) => string | null;
  /** Validation cache; `false` reads the store on every request. */
  cache?: CacheOptions | false;
  /** Cross-node invalidation; omit for a single process. */
  channel?: InvalidationChannel;
  /** Settings used until an admin saves others (default: 7-day idle, 30-day remember-me, 90-day cap). */
  defaults?: SessionSettings;
  /**
   * Who is under which stored session policy (`savePolicy`): read with the settings — at start, and whenever any
   * node announces a settings or policy change — never per request. The server maps role and per-user policies;
   * absent = everyone under the global settings.
   */
  assignPolicies?: PolicyAssigner<S>;
  enrich?: SessionEnricher;
  /** How long webhook deliveries are retried (default 24 h); see `WebhookOutbox`. */
  webhookRetryWindowMs?: number;
  /**
   * Containment beyond sessions: called inside the transaction of a force sign-out (`userId`) and of an
   * invalidate-all (`'all'`), so other credentials the app issued for those people (API keys: `revokeApiKeysOf`)
   * end in the same commit. Returns how many it ended.
   */
  contain?: ContainmentHook<S>;
}

/**
 * See `SessionManagerOptions.contain`. Declared as a method type so it is bivariant in `S`: a manager over a
 * wider scope (the server's `StoreScope`) must stay assignable to a `SessionManager<SessionScope>` parameter.
 */
export type ContainmentHook<S extends SessionScope = SessionScope> = {
  /** Ends the target's other credentials inside `change`; returns how many it ended. */
  hook(change: SessionChange<S>, target: { userId: string } | 'all', context: { actor: Actor | null; cause: 'force-sign-out' | 'invalidate-all' | 'session-reported' }): Promise<number>;
}['hook'];

/** See `SessionManagerOptions.assignPolicies`; a method type, bivariant in `S` like `ContainmentHook`. */
export type PolicyAssigner<S extends SessionScope = SessionScope> = {
  /** Who is under which session policy, read from `store` (see `PolicyAssignment`). */
  hook(store: S): Promise<PolicyAssignment>;
}['hook'];

/** What a containment step ended: sessions, and other credentials (API keys) through `contain`. */
export interface Contained {
  sessions: number;
  credentials: number;
}

/** What `createSession` returns: the stored session and the token for the cookie. */
export interface CreatedSession {
  session: SessionRecord;
  /** The raw token: goes into the Set-Cookie header and nowhere else. */
  token: string;
  /** Seconds for the cookie's Max-Age; undefined = browser-session cookie. */
  cookieMaxAge: number | undefined;
}

/** Progress of a garbage-collection pass, reported after each batch. */
export interface CollectProgress {
  scanned: number;
  deleted: number;
  total: number;
}

export type { RevocationReason } from './session-change.ts';

/** Above this many ended sessions in one change, caches are flushed rather than invalidated id by id. */
const BULK_INVALIDATION = 1000;
/** Most sessions one refresh ahead reads (one statement per touch batch); the others have time for the next batches. */
const REFRESH_AHEAD_MAX = 2000;
/** The team list's total counts this far and no further (`totalCapped` says there are more). */
const TEAM_TOTAL_CAP = 10_000;

/** What a dry run of `revokeMatching` reports: how many live sessions match, and a few of them. */
export interface MatchPreview {
  matched: number;
  /** Up to `sampleSize` matching sessions, for the "are these the right ones?" look. */
  sample: SessionRecord[];
  /** How many different people the matches belong to. */
  users: number;
}

/** How long the overview's daily rollups are kept: a little over a year, so a day can be compared with last year's. */
export const DAILY_STATS_RETENTION_DAYS = 400;

/** What `SessionManager.overview` answers. */
export interface SessionOverview {
  days: OverviewDay[];
  /** Live sessions now. */
  activeSessions: number;
  /** Of them, bound to their device (DBSC). */
  boundSessions: number;
  /** Live sessions by country code (null: unknown place), largest first. */
  countries: SessionGroup[];
  /** Live sessions by device type (null: unknown), largest first. */
  deviceTypes: SessionGroup[];
  /** The people holding the most live sessions. */
  holders: { userId: string; count: number }[];
}

/** Default of `endedRetentionMs`: how long an ended session's reason is kept (7 days). */
export const DEFAULT_ENDED_RETENTION_MS = 7 * 86_400_000;

/**
 * The session service: creation, validation (the hot path), listing, revocation and garbage collection.
 * Talks to storage only through the Store interfaces; knows nothing of HTTP.
 */
export class SessionManager<S extends SessionScope = SessionScope> {
  readonly events = new SeshatEventBus();
  readonly metrics = new SessionMetrics();
  readonly audit: AuditTrail;
  /** The webhook outbox every change writes to (nothing is written while no endpoint is configured). */
  readonly outbox: WebhookOutbox;
  readonly clock: Clock;
  readonly policy: PermissionPolicy;
  readonly touchIntervalMs: number;
  readonly endedRetentionMs: number;

  readonly #store: S & Transactional<S>;
  readonly #cache: ValidationCache | null;
  readonly #channel: InvalidationChannel | undefined;
  readonly #enrich: SessionEnricher | undefined;
  readonly #touches: TouchBatch;
  readonly #anonymize: ((ip: string) => string | null) | undefined;
  /** The pass rewriting stored addresses after `anonymizeIp` was switched on, while it runs. */
  #anonymizing: Promise<unknown> | null = null;
  readonly #contain: ContainmentHook<S> | undefined;
  readonly #networkOf: ((ip: string) => string | null) | undefined;
  readonly #batchFollowUps = new Set<Promise<void>>();
  readonly #refreshAheadMs: number;
  readonly #defaults: SessionSettings;
  #settings: SessionSettings;
  readonly #assignPolicies: PolicyAssigner<S> | undefined;
  #assignment: PolicyAssignment = {};
  /** The settings in force per person (global settings + session policies), rebuilt on every change. */
  #policies: EffectivePolicies;
  /**
   * Reloads started, and the latest one applied. Reloads overlap (a change here, NOTIFYs from other nodes): a read
   * begun later sees the database at least as new, so an earlier read that finishes last must not overwrite it.
   */
  #reloadsStarted = 0;
  #reloadApplied = 0;
  #unsubscribe: (() => Promise<void>) | undefined;
  /** Names this process in the invalidations it sends about users, so it can ignore their echo. */
  readonly #origin = randomBytes(9).toString('base64url');
  /** Open pages listening for their session's end (`subscribe`). */
  readonly #subscriptions = new SessionSubscriptions();
  /** Store reads in flight on the validation path, by session id. */
  readonly #loading = new Map<string, { ticket: number; load: Promise<CachedSession | null> }>();

  constructor(options: SessionManagerOptions<S>) {
    this.#store = options.store;
    this.clock = options.clock ?? systemClock;
    this.policy = options.policy ?? ownerOnly;
    this.touchIntervalMs = options.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS;
    this.endedRetentionMs = options.endedRetentionMs ?? DEFAULT_ENDED_RETENTION_MS;
    this.#anonymize = options.anonymize;
    const describe = options.describeAddress;
    this.#touches = new TouchBatch({
      store: options.store,
      intervalMs: this.touchIntervalMs,
      onGone: (ids) => {
        for (const id of ids) this.#cache?.invalidate(id);
      },
      onLive: (ids) => this.#followUp(this.#refreshAhead(ids)),
      ...(describe ? { describeAddress: (ip: string) => describe(ip, this.#settings) } : {}),
      onAddresses: (changes) => {
        for (const c of changes) {
          this.#followUp(this.#checkAddress(c.id, c.ip, c.location ?? null));
        }
      },
      // A failed batch is kept and retried with the next one; report it only to whoever listens.
      onError: (error) => this.#report(error),
    });
    this.#channel = options.channel;
    const channel = this.#channel;
    // The cache-trust gate: a node that may be missing invalidations reads the store instead (see ValidationCache).
    const trusted = channel?.cacheTrusted ? () => channel.cacheTrusted!() : undefined;
    const ttlMs = options.cache === false ? 0 : (options.cache?.ttlMs ?? defaultCacheTtlMs(channel !== undefined));
    this.#cache = options.cache === false ? null : new ValidationCache({ ...options.cache, ttlMs }, trusted);
    // Entries are read again when a quarter of the TTL (at most 10 s) is left: several touch batches to do it in.
    this.#refreshAheadMs = Math.min(ttlMs / 4, 10_000);
    this.#enrich = options.enrich;
    this.#contain = options.contain;
    this.#networkOf = options.networkOf;
    this.#defaults = options.defaults ?? defaultSettings();
    this.#settings = this.#defaults;
    this.#assignPolicies = options.assignPolicies;
    this.#policies = new EffectivePolicies(this.#settings);
    this.outbox = new WebhookOutbox({ clock: this.clock, ...(options.webhookRetryWindowMs !== undefined ? { retryWindowMs: options.webhookRetryWindowMs } : {}) });
    this.audit = new AuditTrail(options.store, this.clock, this.outbox);
  }

  /** Loads stored settings and joins the invalidation channel. Call once before serving. */
  async start(): Promise<this> {
    await this.reloadSettings();
    this.#touches.start();
    if (this.#channel) {
      this.#unsubscribe = await this.#channel.subscribe({
        message: (m) => void this.#applyInvalidation(m),
        reset: () => {
          this.#cache?.flush();
          // Messages may have been missed: ask the store about every subscribed session instead.
          void this.#recheckSubscriptions().catch((e) => this.events.emit('error', e));
          void this.reloadSettings().catch((e) => this.events.emit('error', e));
        },
      });
    }
    return this;
  }

  /** Leaves the invalidation channel. Call on shutdown, before closing the store. */
  async stop(): Promise<void> {
    await this.#anonymizing;
    await this.#touches.stop(); // the activity still counted in memory
    await Promise.all([...this.#batchFollowUps]); // and the risk checks and refreshes it started, before the store closes
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * Writes the activity seen so far now, rather than at the next interval (tests, shutdown hooks), checks the
   * addresses it carried and refreshes the cache entries it found due.
   */
  async flushActivity(): Promise<void> {
    await this.#touches.flush();
    // The risk checks the written addresses started (another country or network), so callers see their outcome.
    // Refreshes ahead go with them: a store closed right after must not be read by one still running.
    await Promise.all([...this.#batchFollowUps]);
  }

  // ── settings ────────────────────────────────────────────────────────────────────────────────────

  get settings(): SessionSettings {
    return this.#settings;
  }

  /**
   * The settings in force for one person's sessions: the global settings with their session policy applied
   * (see `assignPolicies`). One map look-up: the hot path calls it on every validation.
   */
  settingsFor(userId: string): SessionSettings {
    return this.#policies.for(userId);
  }

  /** Reads the stored settings and policies again (defaults fill what is missing); other nodes' changes arrive this way. */
  async reloadSettings(): Promise<SessionSettings> {
    const ticket = ++this.#reloadsStarted;
    const [stored, assignment] = await Promise.all([this.#store.loadSettings(), this.#assignPolicies?.(this.#store) ?? {}]);
    if (ticket < this.#reloadApplied) return this.#settings; // a newer read (or change) is already in force
    this.#reloadApplied = ticket;
    this.#settings = this.#settingsFrom(stored);
    this.#assignment = assignment;
    this.#policies = new EffectivePolicies(this.#settings, assignment);
    return this.#settings;
  }

  /** The settings a stored document stands for: the defaults when none is stored, or when it no longer parses. */
  #settingsFrom(stored: unknown): SessionSettings {
    // A stored document from an older version may lack newer fields: defaults fill them in.
    const parsed = stored ? sessionSettingsSchema.safeParse({ ...this.#defaults, ...(stored as object) }) : null;
    return parsed?.success ? parsed.data : this.#defaults;
  }

  /**
   * Stores (or, with `policy` null, removes) the session policy of `subject`, replacing the whole policy (team managers
   * only; `null`: the operator, as the CLI's `policies clear`), audited as `policy.changed` with before and after in
   * the same transaction; then every node reloads, so the edit applies at once to existing sessions (expiry is
   * computed on every check). What a subject means is `assignPolicies`' business. To change some fields and keep the
   * others, use `updatePolicy`.
   */
  async savePolicy(actor: Actor | null, subject: string, policy: SessionPolicy | null): Promise<StoredSessionPolicy | null> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    const next = this.#checkedPolicy(subject, policy);
    return this.#changePolicy(actor, subject, () => next);
  }

  /**
   * Sets the fields `patch` sets in the session policy of `subject` and keeps the others (`rememberMe` and
   * `deviceBinding` field by field; a subject without a policy gets one), as the CLI's `policies set` does; checked,
   * audited and applied like `savePolicy`. The stored policy is read, merged and saved in one transaction under the
   * subject's lock (`lockSessionPolicy`), so two updates of different fields at once both survive: a merge over a
   * policy read earlier would lose the other's. Returns the policy now stored.
   */
  async updatePolicy(actor: Actor | null, subject: string, patch: SessionPolicy): Promise<StoredSessionPolicy> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    const checked = this.#checkedPolicy(subject, patch);
    // A merge is never null, so neither is what it stores.
    return (await this.#changePolicy(actor, subject, (before) => this.#mergedPolicy(subject, checked, before))) as StoredSessionPolicy;
  }

  /**
   * One policy edit: `next` turns the stored policy into the one to store (null: none), read and written in one
   * transaction under the subject's lock, so the audit's `before` is what the edit replaced; then every node reloads.
   * `next` runs inside the transaction: it must not wait on anything (see `Transactional`).
   */
  async #changePolicy(actor: Actor | null, subject: string, next: (before: SessionPolicy | null) => SessionPolicy | null): Promise<StoredSessionPolicy | null> {
    const stored = await this.change(async (change) => {
      await change.store.lockSessionPolicy(subject);
      const before = (await change.store.findSessionPolicy(subject))?.policy ?? null;
      const after = next(before);
      if (after === null && before === null) return null; // nothing to remove: no event
      const stored = after === null ? null : { subject, policy: after, updatedAt: this.clock.now() };
      if (stored) await change.store.saveSessionPolicy(stored);
      else await change.store.deleteSessionPolicy(subject);
      await change.audit(auditBy(actor, 'policy.changed', { details: { subject, before, after } }));
      return stored;
    });
    await this.policiesChanged();
    return stored;
  }

  /**
   * What `savePolicy` would do now, without doing it: how many active sessions the edit would end at once (a shorter
   * idle timeout or lifetime applies to existing sessions). The assignment is computed as if the edit were stored.
   */
  async previewPolicy(actor: Actor | null, subject: string, policy: SessionPolicy | null): Promise<{ endingSessions: number }> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    return this.#endingSessions(subject, this.#checkedPolicy(subject, policy));
  }

  /**
   * What `updatePolicy` would do now, without doing it: `previewPolicy` of `patch` merged over the policy stored at
   * this moment. Advisory: the update merges again, over whatever is stored when it runs.
   */
  async previewPolicyUpdate(actor: Actor | null, subject: string, patch: SessionPolicy): Promise<{ endingSessions: number }> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    const checked = this.#checkedPolicy(subject, patch);
    const before = (await this.#store.findSessionPolicy(subject))?.policy ?? null;
    return this.#endingSessions(subject, this.#mergedPolicy(subject, checked, before));
  }

  /** How many active sessions storing `next` as the policy of `subject` would end at once (the previews' count). */
  async #endingSessions(subject: string, next: SessionPolicy | null): Promise<{ endingSessions: number }> {
    const now = this.clock.now();
    let assignment = this.#assignment;
    if (this.#assignPolicies) {
      const stored = (await this.#store.listSessionPolicies()).filter((p) => p.subject !== subject);
      if (next) stored.push({ subject, policy: next, updatedAt: now });
      // The store as the assigner sees it, but with the edit in place (methods stay bound to the real store).
      const store = this.#store;
      const asIfSaved = new Proxy(store, {
        get: (target, property) => {
          if (property === 'listSessionPolicies') return async () => stored;
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      assignment = await this.#assignPolicies(asIfSaved);
    }
    const [today, after] = await Promise.all([
      this.#store.countActiveSessions(this.#policies.cutoffs(now)),
      this.#store.countActiveSessions(new EffectivePolicies(this.#settings, assignment).cutoffs(now)),
    ]);
    return { endingSessions: Math.max(0, today - after) };
  }

  /** A policy as `savePolicy` takes it: a subject of 1–200 characters, and a policy the schema accepts (or null). */
  #checkedPolicy(subject: string, policy: SessionPolicy): SessionPolicy;
  #checkedPolicy(subject: string, policy: SessionPolicy | null): SessionPolicy | null;
  #checkedPolicy(subject: string, policy: SessionPolicy | null): SessionPolicy | null {
    if (subject.length === 0 || subject.length > 200) throw new SeshatError('invalid_input', 'A policy subject has 1 to 200 characters.');
    if (policy === null) return null;
    const parsed = policySchemaFor(this.touchIntervalMs).safeParse(policy);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SeshatError('invalid_input', `${issue.path.join('.') || 'policy'} ${issue.message}.`);
    }
    return parsed.data;
  }

  /**
   * A checked patch over a stored policy, the patch's fields winning, checked again as a whole: a stored policy may
   * predate a rule (a longer touch interval since), and the result is what gets stored.
   */
  #mergedPolicy(subject: string, patch: SessionPolicy, before: SessionPolicy | null): SessionPolicy {
    return this.#checkedPolicy(subject, mergePolicies(patch, before));
  }

  /**
   * Call after a change that moves people between policies outside `savePolicy` (the server: a role change, a new
   * account with a team role): reloads here and tells the other nodes to reload.
   */
  async policiesChanged(): Promise<void> {
    await this.reloadSettings();
    await this.#publish({ kind: 'settings' });
  }

  /**
   * What a settings change would do now, without making it: how many active sessions the new timeouts would end
   * at once (expiry is computed from the settings, so a shorter idle timeout or lifetime applies immediately).
   * The patch goes over this process's settings, not the stored ones `updateSettings` patches: they differ only
   * while another node's change is on its way here (a few milliseconds), and the preview is advisory — it decides
   * whether to ask first, and the count today and after are both taken from the same settings.
   */
  async previewSettings(actor: Actor | null, patch: SessionSettingsPatch): Promise<{ endingSessions: number }> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    const next = this.#patchedSettings(this.#settings, patch);
    const now = this.clock.now();
    const [today, after] = await Promise.all([
      this.#store.countActiveSessions(this.#policies.cutoffs(now)),
      this.#store.countActiveSessions(new EffectivePolicies(next, this.#assignment).cutoffs(now)),
    ]);
    return { endingSessions: Math.max(0, today - after) };
  }

  /**
   * Changes the settings `patch` sets and keeps the others (team managers only; `null`: the operator, as the CLI's
   * `settings set`), audited with before and after, and tells the other nodes. The stored settings are read, patched
   * and saved in one transaction under the settings lock (`lockSettings`), so two updates of different fields at once
   * (two nodes, or the CLI beside a server) both survive and the audit's `before` is what the update replaced: a patch
   * over this process's copy, which trails another node's change until its NOTIFY arrives, would undo that change.
   * Returns the settings now stored.
   */
  async updateSettings(actor: Actor | null, patch: SessionSettingsPatch): Promise<SessionSettings> {
    if (actor) await this.#requireTeam(actor, 'manage-settings');
    const { before, next } = await this.change(async (change) => {
      await change.store.lockSettings();
      const before = this.#settingsFrom(await change.store.loadSettings());
      const next = this.#patchedSettings(before, patch); // a refusal rolls back: nothing saved, nothing audited
      await change.store.saveSettings(next);
      await change.audit(auditBy(actor, 'settings.changed', { details: { before, after: next } }));
      return { before, next };
    });
    this.#settings = next;
    this.#policies = new EffectivePolicies(next, this.#assignment);
    this.#reloadApplied = ++this.#reloadsStarted; // reads begun before this commit are older than it
    await this.#publish({ kind: 'settings' });
    // Switching anonymisation on means the addresses already stored too: rewritten in the background, in batches.
    // `before` is the stored state this update replaced: if another node switched it on first, that node rewrites.
    if (!before.anonymizeIp && next.anonymizeIp && this.#anonymize && !this.#anonymizing) {
      this.#anonymizing = this.anonymizeStoredIps(actor, { onProgress: (p) => this.events.emit('ips.anonymizing', p) })
        .catch((error) => this.#report(error))
        .finally(() => (this.#anonymizing = null));
    }
    return next;
  }

  /** `patch` over `current`, checked as a whole (an idle timeout the touch interval cannot honour too); `invalid_input` if refused. */
  #patchedSettings(current: SessionSettings, patch: SessionSettingsPatch): SessionSettings {
    try {
      return applySettingsPatch(current, patch, { touchIntervalMs: this.touchIntervalMs });
    } catch (error) {
      const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      if (!issue) throw error;
      throw new SeshatError('invalid_input', `${issue.path.join('.')} ${issue.message}.`);
    }
  }

  // ── sign-in ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Creates a session with a fresh token (never reusing one: no fixation). The concurrent-session limit is checked
   * and the new row written in one transaction, under a per-user lock, so parallel sign-ins on any number of
   * nodes never exceed it.
   */
  async createSession(context: SignInContext): Promise<CreatedSession> {
    const userId = userIdSchema.safeParse(context.userId);
    if (!userId.success) throw new SeshatError('invalid_input', `userId ${userId.error.issues[0]?.message ?? 'is not valid'}.`);
    // This person's policy decides remember-me, the session limit and the cookie's life.
    const settings = this.#policies.for(context.userId);
    // The slow parts (device parsing, GeoIP, risk history) come before the transaction.
    const enrichment = (await this.#enrich?.(context, settings)) ?? {};
    // Evicting the least recently active session ranks by stored last-active: write this node's activity first.
    if (settings.maxSessionsPerUser !== null && settings.sessionLimitAction === 'evict-oldest') await this.#touches.flush();
    const now = this.clock.now();
    const persistent = context.remember && settings.rememberMe.enabled;
    const { id, token, secretHash, hint } = newToken();
    const session: SessionRecord = serialisesWithoutSecret({
      id,
      userId: context.userId,
      secretHash,
      tokenHint: hint,
      persistent,
      createdAt: now,
      lastActiveAt: now,
      revokedAt: null,
      revokedReason: null,
      revokedNote: null,
      ip: enrichment.ip !== undefined ? enrichment.ip : context.ip,
      signInIp: enrichment.ip !== undefined ? enrichment.ip : context.ip,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      device: enrichment.device ?? unknownDevice,
      location: enrichment.location ?? null,
      signInLocation: enrichment.location ?? null,
      risk: enrichment.risk ?? null,
      requests: 1,
      lastPath: null,
      reauthenticatedAt: null,
      passwordChangeRequired: context.passwordChangeRequired ?? false,
    });
    await this.change(async (change) => {
      await this.#makeRoom(change, context.userId, settings, now);
      await change.store.insertSession(session);
      change.tally.add(dailyMetrics.signedIn);
      await change.audit({
        action: 'auth.sign-in',
        actorId: context.userId,
        targetUserId: context.userId,
        sessionId: id,
        reason: null,
        ip: session.ip,
        // Device and place go into the trail so the risk rules can compare later sign-ins with this one.
        details: { persistent, ...signInDetails(session.device, session.location), ...(enrichment.newDevice ? { newDevice: true } : {}), ...(session.risk?.suspicious ? { risk: session.risk.reasons } : {}) },
      });
    });
    this.metrics.created++;
    this.#usersChanged([context.userId]);
    this.events.emit('session.created', session);
    if (enrichment.newDevice) this.events.emit('session.new-device', session);
    if (session.risk?.suspicious) this.events.emit('session.suspicious', session);
    return { session, token, cookieMaxAge: cookieMaxAgeSeconds(persistent, settings) };
  }

  /** Inside a sign-in's transaction: refuse it, or end the least recently active sessions, at the limit. */
  async #makeRoom(change: SessionChange<S>, userId: string, settings: SessionSettings, now: number): Promise<void> {
    const max = settings.maxSessionsPerUser;
    if (max === null) return;
    // Counting and inserting are one decision: the lock makes parallel sign-ins of this user take turns.
    await change.store.lockUserSessions(userId);
    const cutoffs = expiryCutoffs(settings, now);
    const active = await change.store.countActiveSessions(cutoffs, userId);
    if (active < max) return;
    if (settings.sessionLimitAction === 'deny') {
      throw new SeshatError('session_limit', `This account already has ${active} active sessions (the limit is ${max}). Sign out of another session first.`);
    }
    const { items } = await change.store.listActiveSessions({ cutoffs, userId });
    const oldest = items.slice(max - 1); // most recently active first: keep max-1, make room for the new one
    for (const s of oldest) {
      if (await change.revokeSession(s, 'session-limit', null)) {
        await change.audit(auditBy(null, 'session.revoked', { targetUserId: s.userId, sessionId: s.id, reason: 'Concurrent session limit reached', details: { device: s.device.label } }));
      }
    }
  }

  // ── validation (hot path) ───────────────────────────────────────────────────────────────────────

  /**
   * Returns the live session for a token, or null. One cache hit or one indexed read, expiry checked in
   * memory, and no write: the activity is counted in the node's touch batch (`touch-batch.ts`).
   * `request.ip` is the client address; a change is recorded as the session's latest address.
   */
  async validate(token: string | undefined, request?: ValidationRequest): Promise<SessionRecord | null> {
    const known = this.validateCached(token, request);
    if (known !== undefined) return known;
    // Only a token whose session is not cached, or cached but past its expiry, gets here.
    const parsed = parseToken(token);
    if (!parsed) return this.#reject();
    let entry = this.#cache?.get(parsed.id);
    if (entry) this.metrics.validations.hit++;
    else {
      this.metrics.validations.miss++;
      entry = (await this.#load(parsed.id)) ?? undefined;
      if (!entry) return this.#reject();
    }
    let session = entry.record;
    if (!this.#secretMatches(entry, token!)) return this.#reject();
    if (session.revokedAt !== null) return this.#reject();
    const now = this.clock.now();
    if (isExpired(session, this.#policies.for(session.userId), now)) {
      const live = await this.#confirmExpiry(session, now);
      if (!live) return this.#reject();
      session = live;
    }
    this.#seen(entry, session, now, request);
    return session;
  }

  /**
   * `validate()` without a promise, for what memory decides: the session (a cache hit), or null (no token, a
   * malformed one, or a cached session that refuses it); undefined when the store must be read (not cached, or
   * cached but past its expiry, which is confirmed against the store) — then call `validate()`. The adapters
   * call this first, so a cache hit allocates no promise and waits for no microtask.
   */
  validateCached(token: string | undefined, request?: ValidationRequest): SessionRecord | null | undefined {
    if (token === undefined) return null;
    // The cache is asked by the id part alone; the token's full shape is checked only when the entry's verified
    // secret does not already vouch for it (#secretMatches), so a hit runs neither the pattern nor SHA-256.
    const id = tokenIdOf(token);
    const entry = id === undefined ? undefined : this.#cache?.get(id);
    if (!entry) return parseToken(token) ? undefined : this.#reject();
    const session = entry.record;
    const now = this.clock.now();
    if (isExpired(session, this.#policies.for(session.userId), now)) return undefined;
    this.metrics.validations.hit++;
    if (!this.#secretMatches(entry, token)) return this.#reject();
    if (session.revokedAt !== null) return this.#reject();
    this.#seen(entry, session, now, request);
    return session;
  }

  /** This node's activity is on the record at once (idle expiry and displays count it) and in the batch. */
  #seen(entry: CachedSession, session: SessionRecord, now: number, request: ValidationRequest | undefined): void {
    const raw = request?.path;
    const path = raw !== undefined && raw.length > 512 ? raw.slice(0, 512) : raw;
    const ip = request?.ip ?? undefined;
    // A new address: this node has not seen it for the session, and it is not the one stored.
    let newIp: string | undefined;
    if (ip !== undefined && ip !== entry.seenIp) {
      if (ip !== session.ip) newIp = ip;
      entry.seenIp = ip;
    }
    entry.activity = this.#touches.seen(session.id, now, path, newIp, session.lastActiveAt, entry.activity);
    if (now > session.lastActiveAt) session.lastActiveAt = now;
    session.requests++;
    if (path !== undefined) session.lastPath = path;
  }

  /**
   * The presented token against the entry: its whole shape and the SHA-256 of its secret against the stored hash
   * the first time, then a constant-time comparison with the secret that passed (kept in memory with the entry,
   * never stored). A different secret for the same id is checked like the first one.
   */
  #secretMatches(entry: CachedSession, token: string): boolean {
    const verified = entry.verifiedSecret;
    if (verified !== undefined && matchesVerifiedSecret(verified, token)) return true;
    const parsed = parseToken(token);
    if (!parsed || parsed.id !== entry.record.id || !secretMatches(parsed.secret, entry.record.secretHash)) return false;
    // A copy of its own, not a slice of the token: comparing against a flat string is about twice as fast, and
    // the entry does not keep the whole request header's string alive.
    entry.verifiedSecret = Buffer.from(parsed.secret, 'latin1').toString('latin1');
    return true;
  }

  /**
   * A session found expired on this node's copy. Other nodes' activity reaches the store once per touch interval,
   * so the row is read again, and what it says is given that interval's benefit of the doubt: an idle timeout
   * is never applied to a session in use elsewhere. If it is still expired, it is ended for good with its reason
   * (`idle-timeout` or `lifetime`), like a revocation, so relaxing a setting later never revives it (issue #14).
   * Returns the live session if the re-read shows it is not expired.
   */
  async #confirmExpiry(cached: SessionRecord, now: number): Promise<SessionRecord | null> {
    this.#cache?.invalidate(cached.id);
    const fresh = (await this.#load(cached.id))?.record;
    if (!fresh || fresh.revokedAt !== null || !sameSecret(fresh, cached)) return null;
    const stored = fresh.lastActiveAt;
    fresh.lastActiveAt = Math.max(stored, cached.lastActiveAt);
    const settings = this.#policies.for(fresh.userId);
    // What this node saw is exact; what the row says may trail other nodes by one touch interval.
    const benefit = { ...fresh, lastActiveAt: Math.min(now, Math.max(stored + this.touchIntervalMs, cached.lastActiveAt)) };
    if (!isExpired(benefit, settings, now)) return fresh;
    await this.#endExpired(fresh, settings, now);
    return null;
  }

  /** Ends an expired session for good, recorded with its reason and an audit event; nothing if it already ended. */
  async #endExpired(session: SessionRecord, settings: SessionSettings, now: number): Promise<void> {
    const reason = expiryReason(session, settings, now);
    const at = Math.min(now, expiresAt(session, settings));
    this.metrics.expired++;
    await this.change(async (change) => {
      if (!(await change.revokeSession(session, reason, null, null, at))) return;
      await change.audit(auditBy(null, 'session.expired', { targetUserId: session.userId, sessionId: session.id, reason, details: { device: session.device.label } }));
    });
  }

  /**
   * Why the session of a token that `validate` refused ended, if it did: for the 401 `…/session-ended` answer and
   * the sign-in page's banner. Only the token's holder learns it (the secret must match); a malformed, unknown or
   * forged token gets null. An expired session not yet ended is ended now. The administrator's reason is included
   * only while `showAdminReasonToUser` is on.
   */
  async whyEnded(token: string | undefined): Promise<SessionEnding | null> {
    const parsed = token === undefined ? null : parseToken(token);
    if (!parsed) return null;
    // An ended session stays ended, so a cached copy that says so is as good as the row (a browser that keeps
    // sending a revoked cookie for every asset costs no extra read); anything else is read from the store.
    const cached = this.#cache?.get(parsed.id)?.record;
    let row = cached?.revokedAt != null ? cached : await this.#store.findSession(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secretHash)) return null;
    if (row.revokedAt === null) {
      if (!isExpired(row, this.#policies.for(row.userId), this.clock.now())) return null;
      if ((await this.#confirmExpiry(row, this.clock.now())) !== null) return null;
      row = await this.#store.findSession(parsed.id);
      if (!row || row.revokedAt === null) return null;
    }
    const ending: SessionEnding = { reason: endedReasonOf(row.revokedReason), at: row.revokedAt };
    if (this.#settings.showAdminReasonToUser && row.revokedNote) ending.adminReason = row.revokedNote;
    return ending;
  }

  /**
   * A session's cookie was seen from a new address (written by the batch): from another country, or (with
   * `networkOf`) another network than it signed in from, that is a risk signal (possibly a stolen cookie). Recorded
   * once per place on the session's risk, with an audit event and the `session.suspicious` event.
   */
  async #checkAddress(id: string, ip: string | null, location: Location | null): Promise<void> {
    if (!location && !(ip && this.#networkOf)) return;
    const session = this.#cache?.get(id)?.record ?? (await this.#store.findSession(id));
    if (!session || session.revokedAt !== null) return;
    if (location) session.location = location;
    const moved = await this.#elsewhere(session, ip, location);
    if (!moved || session.risk?.reasons.includes(moved.reason)) return;
    const risk = { suspicious: true, reasons: [...(session.risk?.reasons ?? []), moved.reason] };
    const flagged = await this.change(async (change) => {
      if (!(await change.store.setSessionRisk(id, risk))) return false;
      // No address in the details: only the `ip` columns are rewritten when anonymisation is switched on.
      await change.audit(auditBy(null, 'session.suspicious', { targetUserId: session.userId, sessionId: id, reason: moved.reason, details: moved.details }));
      return true;
    });
    if (!flagged) return;
    session.risk = risk;
    this.events.emit('session.suspicious', { ...session, risk });
  }

  /**
   * How a session's latest address differs from where it signed in, if in a way that counts: country, then network.
   * A network the person has signed in from on another live session is theirs (home and office, Wi-Fi and mobile
   * data), so it does not count: flags on every phone that leaves the house would teach people to ignore them.
   */
  async #elsewhere(session: SessionRecord, ip: string | null, location: Location | null): Promise<{ reason: string; details: Record<string, string> } | null> {
    const from = session.signInLocation;
    if (location?.countryCode && from?.countryCode && from.countryCode !== location.countryCode) {
      return {
        reason: `Used from ${location.country ?? location.countryCode} after signing in from ${from.country ?? from.countryCode}`,
        details: { signal: 'cookie-elsewhere', signInCountry: from.countryCode, country: location.countryCode },
      };
    }
    const network = ip ? (this.#networkOf?.(ip) ?? null) : null;
    const signInNetwork = session.signInIp ? (this.#networkOf?.(session.signInIp) ?? null) : null;
    if (network && signInNetwork && network !== signInNetwork) {
      const { items } = await this.#store.listActiveSessions({ cutoffs: this.#cutoffs(session.userId), userId: session.userId });
      if (items.some((other) => other.id !== session.id && other.signInIp && this.#networkOf!(other.signInIp) === network)) return null;
      return { reason: `Used from the network ${network} after signing in from ${signInNetwork}`, details: { signal: 'network-changed', signInNetwork, network } };
    }
    return null;
  }

  /**
   * Rewrites the addresses already stored (sessions: latest and sign-in; the audit trail) in their anonymised form,
   * in batches of `batchSize` (default 1000), yielding between them. Ends with an `ips.anonymized` audit event
   * carrying the counts. Runs by itself when `anonymizeIp` is switched on; safe to run again (a prefix stays the same).
   */
  async anonymizeStoredIps(actor: Actor | null, options: { batchSize?: number; onProgress?: (p: { table: 'sessions' | 'audit'; scanned: number; changed: number }) => void } = {}) {
    const anonymize = this.#anonymize;
    if (!anonymize) throw new SeshatError('invalid_input', 'This manager was built without an address anonymiser (`anonymize` option).');
    const limit = options.batchSize ?? 1000;
    const result = { sessions: { scanned: 0, changed: 0 }, auditEvents: { scanned: 0, changed: 0 }, batches: 0 };
    const pass = async (table: 'sessions' | 'audit', step: (s: AnonymizeStep) => Promise<AnonymizeResult>, into: { scanned: number; changed: number }) => {
      let after: string | null = null;
      do {
        const done: AnonymizeResult = await step({ after, limit, anonymize });
        into.scanned += done.scanned;
        into.changed += done.changed;
        result.batches++;
        after = done.last;
        options.onProgress?.({ table, ...into });
        if (after !== null) await new Promise((resolve) => setImmediate(resolve));
      } while (after !== null);
    };
    await pass('sessions', (s) => this.#store.anonymizeSessionIps(s), result.sessions);
    await pass('audit', (s) => this.#store.anonymizeAuditIps(s), result.auditEvents);
    this.#cache?.flush(); // cached records may hold full addresses
    await this.audit.record(auditBy(actor ? { ...actor, ip: actor.ip ? anonymize(actor.ip) : null } : null, 'ips.anonymized', { sessionId: null, details: result }));
    return result;
  }

  #report(error: unknown): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
  }

  /** Activity a record read from the store does not show yet (this node's unwritten counts), merged in. */
  #withPending(session: SessionRecord): SessionRecord {
    const p: PendingActivity | undefined = this.#touches.pending(session.id);
    if (!p) return session;
    return {
      ...session,
      requests: session.requests + p.requests,
      lastActiveAt: Math.max(session.lastActiveAt, p.lastActiveAt),
      lastPath: p.lastPath ?? session.lastPath,
    };
  }

  /**
   * Reads a session for the cache. Concurrent misses for one id share a single read and a single entry:
   * with separate entries, each request would see the stored last-active time and write its own touch
   * (a burst of parallel requests from one page on a cold cache meant one write per request).
   */
  #load(id: string): Promise<CachedSession | null> {
    const cache = this.#cache;
    if (!cache) return this.#store.findSession(id).then((record) => (record ? { record } : null));
    const ticket = cache.ticket();
    const pending = this.#loading.get(id);
    // Join a read only if nothing was invalidated since it started: a request that arrives after a
    // revocation must see the store as it is now, not a read begun before the revocation.
    if (pending && pending.ticket === ticket) return pending.load;
    const load = this.#store.findSession(id)
      .then((record) => {
        if (!record) return null;
        const entry: CachedSession = { record };
        cache.fill(record.id, entry, ticket);
        return entry;
      })
      .finally(() => {
        if (this.#loading.get(id)?.load === load) this.#loading.delete(id);
      });
    this.#loading.set(id, { ticket, load });
    return load;
  }

  /** Work a touch batch started (risk checks, refreshes ahead): reported if it fails, awaited by flush and stop. */
  #followUp(work: Promise<void>): void {
    const done = work.catch((e) => this.#report(e));
    this.#batchFollowUps.add(done);
    void done.finally(() => this.#batchFollowUps.delete(done));
  }

  /**
   * Refresh ahead: of the sessions a touch batch just found live, those whose cache entries expire within the refresh
   * window (a quarter of the TTL, at most 10 s) are read again in one statement and cached anew. A session in use is then never missed because
   * its entry aged out — no store read and SHA-256 on a request, and no wave of them a TTL after many sessions were
   * cached together — while the TTL still bounds how old any cached field can be. A failed read changes nothing:
   * the entries expire and are read on their next request, as before.
   */
  async #refreshAhead(ids: readonly string[]): Promise<void> {
    const cache = this.#cache;
    if (!cache || ids.length === 0) return;
    const due = cache.expiringWithin(ids, this.#refreshAheadMs, REFRESH_AHEAD_MAX);
    if (due.length === 0) return;
    const ticket = cache.ticket();
    const store = this.#store;
    const records = store.findSessions
      ? await store.findSessions(due)
      : (await Promise.all(due.map((id) => store.findSession(id)))).filter((s): s is SessionRecord => s !== null);
    for (const record of records) cache.refresh(record, ticket);
  }

  #reject(): null {
    this.metrics.validations.rejected++;
    return null;
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────

  /** The actor's own active sessions: the current one first, then most recently active. */
  async listOwnSessions(actor: Actor): Promise<SessionRecord[]> {
    const { items: stored } = await this.#store.listActiveSessions({ cutoffs: this.#cutoffs(actor.userId), userId: actor.userId });
    const items = stored.map((s) => this.#withPending(s));
    const current = items.filter((s) => s.id === actor.sessionId);
    return [...current, ...items.filter((s) => s.id !== actor.sessionId)];
  }

  /**
   * A session the actor may view; anything else (missing, ended, someone else's) is `not_found`. Looking at
   * someone else's session is recorded in the audit trail (`sessions.viewed`).
   */
  async getSession(actor: Actor, id: string): Promise<SessionRecord> {
    const session = await this.#viewable(actor, id);
    if (session.userId !== actor.userId) await this.#recordViewed(actor, [session]);
    return session;
  }

  async #viewable(actor: Actor, id: string): Promise<SessionRecord> {
    const session = await this.#store.findSession(id);
    if (!session || !this.#isLive(session) || !(await this.policy.canView(actor, session))) {
      throw new SeshatError('not_found', 'No such session.');
    }
    return this.#withPending(session);
  }

  /**
   * Team-wide listing (per the policy's `view-sessions`). Every page holding someone else's sessions is recorded
   * in the audit trail (`sessions.viewed`: whose, by whom): privacy you can prove.
   */
  async listTeamSessions(actor: Actor, query: { userId?: string; limit?: number; cursor?: string | null }): Promise<Page<SessionRecord> & { total: number; totalCapped: boolean }> {
    await this.#requireTeam(actor, 'view-sessions');
    const cutoffs = this.#cutoffs(query.userId);
    // The total counts up to TEAM_TOTAL_CAP: an exact count of every live session is a scan (3.4 s at 10 M rows,
    // past the statement deadline) while the page itself is an index walk; "more than 10,000" is what a person reads.
    const [page, counted] = await Promise.all([
      this.#store.listActiveSessions({ cutoffs, ...query }),
      this.#store.countActiveSessions(cutoffs, query.userId, TEAM_TOTAL_CAP + 1),
    ]);
    await this.#recordViewed(actor, page.items, query.userId);
    return { ...page, total: Math.min(counted, TEAM_TOTAL_CAP), totalCapped: counted > TEAM_TOTAL_CAP };
  }

  /** One `sessions.viewed` event for a read that showed other people's sessions (none for one's own). */
  async #recordViewed(actor: Actor, shown: readonly SessionRecord[], filteredUserId?: string): Promise<void> {
    const others = [...new Set(shown.map((s) => s.userId).filter((id) => id !== actor.userId))];
    if (others.length === 0) return;
    const target = filteredUserId ?? (others.length === 1 ? others[0]! : null);
    await this.audit.record(auditBy(actor, 'sessions.viewed', {
      targetUserId: target !== actor.userId ? target : null,
      details: { users: others.slice(0, 100), sessions: shown.filter((s) => s.userId !== actor.userId).length },
    }));
  }

  /** Whether the actor may see this session's full address; otherwise views show the anonymised prefix. */
  async canViewIp(actor: Actor, session: SessionRecord): Promise<boolean> {
    return this.policy.canViewIp(actor, session);
  }

  /** Active sessions of everyone, or of one user: for operators and dashboards. */
  countActiveSessions(userId?: string): Promise<number> {
    return this.#store.countActiveSessions(this.#cutoffs(userId), userId);
  }

  /** Per-user session counts and latest activity (team managers only). */
  async teamStats(actor: Actor): Promise<UserSessionStats[]> {
    await this.#requireTeam(actor, 'view-stats');
    return this.#store.activeSessionStats(this.#cutoffs());
  }

  /**
   * The admin overview (team statistics, `view-stats`): the daily rollups of the last `days` UTC days, and the live
   * sessions now, by country, device type and holder (`top` groups each, default 10). Today's active and bound
   * counts are the live ones, so a day without a garbage-collection pass yet still shows. Holders are user ids:
   * whether names go with them is the caller's decision (the server asks `view-sessions`).
   */
  async overview(actor: Actor, options: { days: number; top?: number }): Promise<SessionOverview> {
    await this.#requireTeam(actor, 'view-stats');
    const top = options.top ?? 10;
    // Bounded both ways: no more days than are kept, no more groups than a page can show.
    if (!Number.isInteger(options.days) || options.days < 1 || options.days > DAILY_STATS_RETENTION_DAYS) throw new SeshatError('invalid_input', `days must be an integer from 1 to ${DAILY_STATS_RETENTION_DAYS}.`);
    if (!Number.isInteger(top) || top < 1 || top > 100) throw new SeshatError('invalid_input', 'top must be an integer from 1 to 100.');
    const now = this.clock.now();
    const days = lastDays(options.days, now);
    const cutoffs = this.#policies.cutoffs(now);
    const [stats, activeSessions, boundSessions, countries, deviceTypes, holders] = await Promise.all([
      this.#store.listDailyStats(days[0]!, days.at(-1)!),
      this.#store.countActiveSessions(cutoffs),
      this.#store.countBoundSessions(cutoffs),
      this.#store.liveSessionBreakdown(cutoffs, 'country', top),
      this.#store.liveSessionBreakdown(cutoffs, 'deviceType', top),
      this.#store.liveSessionBreakdown(cutoffs, 'user', top),
    ]);
    const rows = overviewDays(days, stats);
    const today = rows.at(-1)!;
    today.activeSessions = activeSessions;
    today.boundSessions = boundSessions;
    return { days: rows, activeSessions, boundSessions, countries, deviceTypes, holders: holders.map((h) => ({ userId: h.key!, count: h.count })) };
  }

  /**
   * The background job's part of the rollups (after each garbage-collection pass): today's snapshot of live and
   * device-bound sessions (set, not added: running it twice, or on several nodes, changes nothing), and days older
   * than `DAILY_STATS_RETENTION_DAYS` deleted.
   */
  async recordDailySnapshot(): Promise<void> {
    const now = this.clock.now();
    const cutoffs = this.#policies.cutoffs(now);
    const [active, bound] = await Promise.all([this.#store.countActiveSessions(cutoffs), this.#store.countBoundSessions(cutoffs)]);
    await this.#store.setDailyValues(utcDay(now), [[dailyMetrics.active, active], [dailyMetrics.bound, bound]]);
    await this.#store.pruneDailyStats(utcDay(now - DAILY_STATS_RETENTION_DAYS * 86_400_000));
  }

  /** Whether a session is neither revoked nor expired under the current settings. */
  isLive(session: SessionRecord): boolean {
    return this.#isLive(session);
  }

  #isLive(session: SessionRecord): boolean {
    return session.revokedAt === null && !isExpired(session, this.#policies.for(session.userId), this.clock.now());
  }

  /** Everyone's expiry rule now (session policies included), as the cutoffs store queries take. */
  activeCutoffs(): ExpiryCutoffs {
    return this.#cutoffs();
  }

  /** Everyone's expiry rule as SQL cutoffs, or one person's when the query is about them alone. */
  #cutoffs(userId?: string) {
    const now = this.clock.now();
    return userId === undefined ? this.#policies.cutoffs(now) : this.#policies.cutoffsFor(userId, now);
  }

  // ── revocation ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs `work` as one change: its revocations, audit events and any other writes through `change.store` commit
   * in one transaction. Only after the commit are the ended sessions dropped from this node's cache, announced to
   * the other nodes and reported as events. For compound changes outside the manager (a password change that
   * also signs out the other sessions).
   */
  async change<T>(work: (change: SessionChange<S>) => Promise<T>): Promise<T> {
    let change: SessionChange<S> | undefined;
    const result = await this.#store.transaction(async (scope) => {
      change = new SessionChange(scope, this.audit, this.clock);
      const done = await work(change);
      await change.writeTally();
      return done;
    });
    if (change) await this.#announce(change);
    return result;
  }

  /**
   * Step-up: records that the session's password was just entered again (the caller checked it), audited; every node
   * drops its cached copy, so the new time counts everywhere at once. Returns the time recorded.
   */
  async markReauthenticated(session: SessionRecord, ip: string | null = null): Promise<number> {
    const at = this.clock.now();
    await this.updateAuthentication(session, { reauthenticatedAt: at }, auditBy({ userId: session.userId, sessionId: session.id, ip }, 'auth.reauthenticated', { targetUserId: session.userId }));
    return at;
  }

  /**
   * Changes a live session's step-up state (see `updateSessionAuthentication`) with its audit event in one
   * transaction, then drops cached copies on every node. `unauthenticated` if the session ended meanwhile.
   */
  async updateAuthentication(session: SessionRecord, update: SessionAuthenticationUpdate, event: NewAuditEvent): Promise<void> {
    await this.change(async (change) => {
      if (!(await change.store.updateSessionAuthentication(session.id, update))) throw new SeshatError('unauthenticated', 'This session has ended; sign in again.');
      await change.audit(event);
    });
    // The request's own copy (possibly the cached object) follows at once.
    session.reauthenticatedAt = update.reauthenticatedAt;
    if (update.passwordChangeRequired !== undefined) session.passwordChangeRequired = update.passwordChangeRequired;
    this.#cache?.invalidate(session.id);
    await this.#publish({ kind: 'sessions', ids: [session.id] });
  }

  /**
   * "This wasn't me" (issue 10.4): the owner reports one of their sessions as not theirs. In one transaction: the
   * reported session and every other one of theirs end (reason `reported`), the `contain` hook ends their other
   * credentials (the server: API keys, and the password must be changed), the session the report is made from (if
   * any) stays but loses its step-up freshness and may do nothing but change the password, and `session.reported`
   * records the reported session's device, IP and place. `actor.sessionId` absent = reported from outside a session
   * (a signed e-mail link): then every session ends. The reported session must be the actor's own (404 otherwise).
   * `via` names the channel in the audit event (`session` by default, e.g. `e-mail link`).
   */
  async reportSession(actor: Actor, sessionId: string, via = 'session'): Promise<{ revoked: number; credentials: number }> {
    const reported = await this.#store.findSession(sessionId);
    if (!reported || reported.userId !== actor.userId) throw new SeshatError('not_found', 'No such session.');
    const current = actor.sessionId && actor.sessionId !== sessionId ? actor.sessionId : undefined;
    const result = await this.change(async (change) => {
      const ids = await change.revokeUserSessions(actor.userId, 'reported', actor.userId, current);
      const credentials = (await this.#contain?.(change, { userId: actor.userId }, { actor, cause: 'session-reported' })) ?? 0;
      if (current) await change.store.updateSessionAuthentication(current, { reauthenticatedAt: FRESHNESS_ENDED, passwordChangeRequired: true });
      await change.audit(auditBy(actor, 'session.reported', {
        targetUserId: actor.userId,
        sessionId: reported.id,
        details: {
          via,
          reportedFrom: actor.sessionId ?? null,
          device: reported.device.label,
          ip: reported.ip,
          location: reported.location ? [reported.location.city, reported.location.country].filter(Boolean).join(', ') || null : null,
          userAgent: reported.userAgent,
          revokedSessions: ids.length,
          revokedCredentials: credentials,
        },
      }));
      return { revoked: ids.length, credentials };
    });
    if (current) {
      this.#cache?.invalidate(current);
      await this.#publish({ kind: 'sessions', ids: [current] });
    }
    return result;
  }

  /** Signs the actor out of the session they are using. */
  async signOut(session: SessionRecord, ip: string | null = null): Promise<void> {
    await this.change(async (change) => {
      await change.revokeSession(session, 'sign-out', session.userId);
      await change.audit({ action: 'auth.sign-out', actorId: session.userId, targetUserId: session.userId, sessionId: session.id, reason: null, ip, details: null });
    });
  }

  /**
   * Revokes one session the actor may revoke. The session in use cannot be revoked this way unless
   * `allowCurrent` (the "my sessions" API answers 409 and points to logout instead).
   */
  async revokeSession(actor: Actor, id: string, options: { reason?: string | null; allowCurrent?: boolean } = {}): Promise<void> {
    const reason = options.reason == null ? null : this.#reason(options.reason);
    const session = await this.#viewable(actor, id);
    if (!(await this.policy.canRevoke(actor, session))) throw new SeshatError('forbidden', 'You may not revoke this session.');
    if (id === actor.sessionId && !options.allowCurrent) {
      throw new SeshatError('conflict', 'This is the session you are using: sign out instead.');
    }
    const code: RevocationReason = session.userId === actor.userId ? 'revoked' : 'revoked-by-admin';
    await this.change(async (change) => {
      if (!(await change.revokeSession(session, code, actor.userId, code === 'revoked-by-admin' ? reason : null))) return;
      await change.audit(auditBy(actor, 'session.revoked', { targetUserId: session.userId, sessionId: session.id, reason: reason ?? code, details: { device: session.device.label } }));
    });
  }

  /** "Sign out all other sessions". */
  async revokeOtherSessions(actor: Actor): Promise<number> {
    return this.change(async (change) => {
      const ids = await change.revokeUserSessions(actor.userId, 'signed-out-others', actor.userId, actor.sessionId);
      await change.audit(auditBy(actor, 'sessions.revoked-others', { targetUserId: actor.userId, details: { count: ids.length } }));
      return ids.length;
    });
  }

  /** An admin (or, with `actor` null, an operator at the CLI) signs a user out everywhere; the reason is required and goes to the audit trail. */
  async forceSignOut(actor: Actor | null, userId: string, reason: string): Promise<number> {
    return (await this.containUser(actor, userId, reason)).sessions;
  }

  /** `forceSignOut`, also reporting the other credentials (API keys) the `contain` hook ended with the sessions. */
  async containUser(actor: Actor | null, userId: string, reason: string): Promise<Contained> {
    if (actor) await this.#requireTeam(actor, 'sign-out-user');
    const text = this.#reason(reason);
    return this.change(async (change) => {
      const ids = await change.revokeUserSessions(userId, 'force-sign-out', actor?.userId ?? null, undefined, text);
      const credentials = (await this.#contain?.(change, { userId }, { actor, cause: 'force-sign-out' })) ?? 0;
      await change.audit(auditBy(actor, 'user.force-signed-out', { targetUserId: userId, sessionId: null, reason: text, details: { count: ids.length, apiKeys: credentials } }));
      return { sessions: ids.length, credentials };
    });
  }

  /** Signs out everyone (the caller included). `actor` null = an operator at the CLI. */
  async revokeAllSessions(actor: Actor | null, reason: string | null = null): Promise<number> {
    return (await this.containAll(actor, reason)).sessions;
  }

  /** `revokeAllSessions`, also reporting the other credentials (API keys) the `contain` hook ended. */
  async containAll(actor: Actor | null, reason: string | null = null): Promise<Contained> {
    if (actor) await this.#requireTeam(actor, 'revoke-all');
    const text = reason === null ? null : this.#reason(reason);
    return this.change(async (change) => {
      const count = await change.revokeAllSessions('invalidate-all', actor?.userId ?? null, text);
      const credentials = (await this.#contain?.(change, 'all', { actor, cause: 'invalidate-all' })) ?? 0;
      await change.audit(auditBy(actor, 'sessions.invalidated-all', { sessionId: null, reason: text, details: { count, apiKeys: credentials } }));
      return { sessions: count, credentials };
    });
  }

  /**
   * Ends every live session matching `filter` (or, with `dryRun`, only counts them and shows a sample). The real
   * run is one transaction with one audit event (`sessions.revoked-matching`: the filter, the reason, the count).
   * The session the actor is using is never among them: signing oneself out is what sign-out is for.
   * `actor` null = an operator at the CLI.
   */
  async revokeMatching(actor: Actor | null, input: SessionFilter, options: { reason: string; dryRun: true; sampleSize?: number }): Promise<MatchPreview>;
  async revokeMatching(actor: Actor | null, input: SessionFilter, options: { reason: string; dryRun?: false }): Promise<{ revoked: number }>;
  async revokeMatching(actor: Actor | null, input: SessionFilter, options: { reason: string; dryRun?: boolean; sampleSize?: number }): Promise<MatchPreview | { revoked: number }> {
    if (actor) await this.#requireTeam(actor, 'revoke-matching');
    const parsed = sessionFilterSchema.safeParse(input);
    if (!parsed.success) throw new SeshatError('invalid_input', `The filter is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'} ${i.message}`).join('; ')}.`);
    const filter = parsed.data;
    const reason = this.#reason(options.reason);
    const block = filter.ip === undefined ? null : parseCidr(filter.ip);
    const { ip: _ip, ...match } = filter;
    const matching = async (store: SessionScope) =>
      (await store.findMatchingSessions(match, this.#cutoffs())).filter((s) => s.id !== actor?.sessionId && (block === null || ipInBlock(s.ip, block)));
    if (options.dryRun) {
      const found = await matching(this.#store);
      const sample = (await Promise.all(found.slice(0, options.sampleSize ?? 10).map((s) => this.#store.findSession(s.id)))).filter((s) => s !== null);
      return { matched: found.length, sample, users: new Set(found.map((s) => s.userId)).size };
    }
    return this.change(async (change) => {
      // One transaction: the matching, the revocation, one `session.ended` webhook per session (bulk-inserted)
      // and one audit event. Without an address block the store does it in one statement; with one, the matches
      // are read, checked here and revoked by id. After the commit one invalidation goes out for the batch.
      const ended = block === null
        ? await change.revokeMatchingSessions(match, this.#cutoffs(), 'revoked-by-admin', actor?.userId ?? null, actor?.sessionId, reason)
        : await (async () => {
            const found = await matching(change.store);
            const ids = new Set(await change.revokeSessions(found, 'revoked-by-admin', actor?.userId ?? null, reason));
            return found.filter((s) => ids.has(s.id));
          })();
      await change.audit(auditBy(actor, 'sessions.revoked-matching', {
        sessionId: actor?.sessionId ?? null,
        reason,
        details: { filter, count: ended.length, users: new Set(ended.map((s) => s.userId)).size },
      }));
      return { revoked: ended.length };
    });
  }

  /**
   * Records a failed sign-in (the risk rules count them). `userId` is the account the identifier named, if any.
   * `attempts` > 1 makes one row stand for that many failures (repeated failures grouped), `failures` is the
   * account's running count.
   */
  async recordFailedSignIn(attempt: { userId: string | null; identifier: string; ip: string | null; attempts?: number; failures?: number }): Promise<void> {
    // A change of its own (the event and the overview's counter commit together). The rollup counts this one failure:
    // the earlier ones `attempts` stands for were counted when they happened (`countFailedSignIn`).
    await this.change(async (change) => {
      change.tally.add(dailyMetrics.signInFailed);
      await change.audit({
        action: 'auth.sign-in-failed',
        actorId: null,
        targetUserId: attempt.userId,
        sessionId: null,
        reason: null,
        ip: attempt.ip,
        details: {
          email: attempt.identifier.slice(0, 254),
          ...(attempt.attempts !== undefined && attempt.attempts > 1 ? { attempts: attempt.attempts } : {}),
          ...(attempt.failures !== undefined ? { failures: attempt.failures } : {}),
        },
      });
    });
  }

  /**
   * Counts a failed sign-in in the overview's daily rollup without an audit event: one the caller groups with others
   * instead of recording it (the server audits repeated failures at growing intervals), so the daily numbers stay exact
   * under a password-guessing run. One statement.
   */
  async countFailedSignIn(): Promise<void> {
    await this.#store.addDailyCounts(utcDay(this.clock.now()), [[dailyMetrics.signInFailed, 1]]);
  }

  #reason(reason: string): string {
    const parsed = reasonSchema.safeParse(reason);
    if (!parsed.success) throw new SeshatError('invalid_input', `The reason ${parsed.error.issues[0]?.message ?? 'is not valid'}.`);
    return parsed.data;
  }

  /** After a commit: drop cached copies on this node now, tell the other nodes, then report the events. */
  async #announce(change: SessionChange<S>): Promise<void> {
    if (change.revoked.length === 0 && change.altered.length === 0) return;
    const ids: string[] = [...change.altered];
    let all = false;
    for (const r of change.revoked) {
      this.metrics.countRevoked(r.reason, r.count);
      if (r.ids === 'all') all = true;
      else ids.push(...r.ids);
    }
    // A bulk change (revoke-matching over thousands) flushes the caches instead of naming every id: a flush is one
    // step and always safe (sessions are read again), while 100,000 tombstones and 500 NOTIFY messages are not.
    const flush = all || ids.length > BULK_INVALIDATION;
    if (flush) this.#cache?.flush();
    else for (const id of ids) this.#cache?.invalidate(id);
    await this.#publish(flush ? { kind: 'all' } : { kind: 'sessions', ids });
    const at = this.clock.now();
    for (const r of change.revoked) {
      if (r.ids === 'all') this.#subscriptions.allEnded(endedReasonFor(r.reason), at);
      else for (const id of r.ids) this.#subscriptions.ended(id, endedReasonFor(r.reason), at);
    }
    this.#usersChanged(change.revoked.flatMap((r) => (r.userId ? [r.userId] : [])));
    for (const r of change.revoked) this.events.emit('session.revoked', { sessionIds: r.ids, reason: r.reason, actorId: r.actorId });
  }

  async #publish(invalidation: Invalidation): Promise<void> {
    if (!this.#channel) return;
    try {
      await this.#channel.publish(invalidation);
    } catch (error) {
      // The revocation itself is durable; other nodes converge within the cache TTL.
      this.events.emit('error', error);
    }
  }

  async #applyInvalidation(invalidation: Invalidation): Promise<void> {
    if (invalidation.kind === 'sessions') {
      for (const id of invalidation.ids) this.#cache?.invalidate(id);
      // Only sessions someone here listens for are read again, to tell them why they ended.
      await Promise.all(invalidation.ids.filter((id) => this.#subscriptions.has(id)).map((id) => this.#recheck(id)));
    } else if (invalidation.kind === 'all') {
      this.#cache?.flush();
      this.#subscriptions.allEnded(endedReasonFor('invalidate-all'), this.clock.now());
    } else if (invalidation.kind === 'users') {
      if (invalidation.origin !== this.#origin) this.#subscriptions.changed(invalidation.ids);
    }
    else await this.reloadSettings().catch((e) => this.events.emit('error', e));
  }

  // ── live session events ─────────────────────────────────────────────────────────────────────────

  /**
   * Calls `listener` when the session ends (`session.ended` with the reason, the moment it is revoked on any node
   * sharing the invalidation channel) or when its user's sessions change (`sessions.changed`). The session must be
   * live (`not_found` otherwise). Returns the function that unsubscribes.
   */
  async subscribe(sessionId: string, listener: SessionListener): Promise<() => void> {
    const session = await this.#store.findSession(sessionId);
    if (!session || !this.#isLive(session)) throw new SeshatError('not_found', 'No such session.');
    return this.#subscriptions.add(session.id, session.userId, listener);
  }

  /** Sessions with a live listener on this node. */
  get subscribedSessions(): number {
    return this.#subscriptions.size;
  }

  /**
   * Reads a subscribed session and ends its listeners if it is no longer live: revoked elsewhere, or expired
   * (nothing announces an expiry; a stream's heartbeat calls this). True while it is live.
   */
  async checkSubscribed(sessionId: string): Promise<boolean> {
    return this.#recheck(sessionId);
  }

  async #recheck(id: string): Promise<boolean> {
    const session = await this.#store.findSession(id);
    if (session && this.#isLive(session)) return true;
    if (!session) this.#subscriptions.ended(id, endedReasonFor(null), null);
    else if (session.revokedAt !== null) this.#subscriptions.ended(id, endedReasonFor(session.revokedReason), session.revokedAt);
    else {
      const settings = this.#policies.for(session.userId);
      this.#subscriptions.ended(id, endedReasonOf(expiryReason(session, settings, this.clock.now())), expiresAt(session, settings));
    }
    return false;
  }

  async #recheckSubscriptions(): Promise<void> {
    const ids = this.#subscriptions.ids();
    for (const id of ids) await this.#recheck(id);
    this.#subscriptions.changed(this.#subscriptions.users());
  }

  /** `sessions.changed` for these users' pages, here and (without waiting) on the other nodes. */
  #usersChanged(userIds: string[]): void {
    if (userIds.length === 0) return;
    const ids = [...new Set(userIds)];
    this.#subscriptions.changed(ids);
    void this.#publish({ kind: 'users', ids, origin: this.#origin });
  }

  /** Drops every cached session on this node (used when the invalidation channel cannot be trusted). */
  flushCache(): void {
    this.#cache?.flush();
  }

  // ── garbage collection ──────────────────────────────────────────────────────────────────────────

  /** Deletes revoked and expired sessions in batches of `batchSize` (default 1000), in one keyset pass. */
  async collectGarbage(options: { batchSize?: number; onProgress?: (p: CollectProgress) => void } = {}): Promise<{ scanned: number; deleted: number }> {
    const limit = options.batchSize ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) throw new SeshatError('invalid_input', 'batchSize must be a positive integer.');
    const total = await this.#store.countSessions();
    let afterId: string | null = null;
    let scanned = 0;
    let deleted = 0;
    let expired = 0;
    try {
      do {
        // Cutoffs per batch: a long pass keeps up with the clock.
        // Ended sessions are kept `endedRetentionMs` (so their former holders learn why): a row goes when it ended,
        // or expired, longer ago than that.
        const keepFrom = this.clock.now() - this.endedRetentionMs;
        const step = await this.#store.collectExpiredSessions({ cutoffs: this.#policies.cutoffs(keepFrom), endedBefore: keepFrom, afterId, limit });
        scanned += step.scanned;
        deleted += step.deleted;
        expired += step.expired;
        afterId = step.lastId;
        options.onProgress?.({ scanned, deleted, total });
        // Let waiting requests in between batches. A synchronous store (node:sqlite) resolves at once, and
        // awaiting a resolved promise only runs microtasks: without this, a pass over a million rows would
        // hold the event loop for its whole length.
        if (afterId !== null) await new Promise((resolve) => setImmediate(resolve));
      } while (afterId !== null);
    } finally {
      // The overview's "expired" count: one write per pass, not per batch (each would be a commit of its own, where
      // the batches themselves skip the fsync); a pass cut short still counts what it removed.
      if (expired > 0) await this.#store.addDailyCounts(utcDay(this.clock.now()), [[dailyMetrics.collectedExpired, expired]]).catch((e) => this.#report(e));
    }
    this.metrics.collected += deleted;
    this.events.emit('sessions.collected', { deleted });
    await this.pruneAudit({ batchSize: limit });
    await this.recordDailySnapshot();
    return { scanned, deleted };
  }

  /**
   * Deletes audit events older than the `auditRetentionDays` setting, in batches of `batchSize` (yielding between
   * them like the session pass); returns how many. Part of every `collectGarbage` pass.
   */
  async pruneAudit(options: { batchSize?: number } = {}): Promise<number> {
    const limit = options.batchSize ?? 1000;
    const before = this.clock.now() - this.#settings.auditRetentionDays * 86_400_000;
    let total = 0;
    for (;;) {
      const deleted = await this.#store.deleteAuditBefore(before, limit);
      total += deleted;
      if (deleted < limit) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async #requireTeam(actor: Actor, action: TeamAction): Promise<void> {
    if (!(await this.policy.canManageTeam(actor, action))) throw new SeshatError('forbidden', 'This needs an administrator.');
  }
}

/** What a listener is told about a stored revocation code: the session-ended problem's vocabulary. */
function endedReasonFor(code: string | null): string {
  return endedReasonOf(code);
}

