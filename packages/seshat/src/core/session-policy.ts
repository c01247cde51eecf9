import { z } from 'zod';
import { expiryCutoffs, minIdleTimeoutSeconds, sessionSettingsSchema, type ExpiryCutoffs, type SessionSettings } from './settings.ts';

const s = sessionSettingsSchema.shape;

/**
 * A session policy: the per-person subset of the settings (timeouts, remember-me, session limit, step-up window,
 * device binding). Every field is optional: an absent field is decided by the next layer (first match wins), and
 * finally by the global settings. `null` keeps its settings meaning ("never", "unlimited"), it is not "absent".
 * Unknown fields are refused, so a typo never passes silently.
 */
export const sessionPolicySchema = z
  .object({
    idleTimeoutSeconds: s.idleTimeoutSeconds,
    absoluteLifetimeSeconds: s.absoluteLifetimeSeconds,
    rememberMe: s.rememberMe.partial().strict(),
    maxSessionsPerUser: s.maxSessionsPerUser,
    sessionLimitAction: s.sessionLimitAction,
    reauthenticationWindowSeconds: s.reauthenticationWindowSeconds,
    deviceBinding: s.deviceBinding.pick({ policy: true }).partial().strict(),
  })
  .partial()
  .strict();
/** `sessionPolicySchema`'s type: a partial set of session settings for some people. */
export type SessionPolicy = z.infer<typeof sessionPolicySchema>;

/** `sessionPolicySchema` plus the idle-timeout minimum of a touch interval (see `minIdleTimeoutSeconds`). */
export function policySchemaFor(touchIntervalMs: number) {
  const min = minIdleTimeoutSeconds(touchIntervalMs);
  return sessionPolicySchema.extend({
    idleTimeoutSeconds: s.idleTimeoutSeconds.refine(
      (v) => v === null || v >= min,
      `must be at least ${min} seconds: activity is written once every ${touchIntervalMs / 1000} s, so a shorter idle timeout cannot be honoured`,
    ).optional(),
  });
}

/** The settings a policy can decide, as dotted paths (the effective-policy answer names each one's source). */
export const POLICY_FIELDS = [
  'idleTimeoutSeconds',
  'absoluteLifetimeSeconds',
  'rememberMe.enabled',
  'rememberMe.durationSeconds',
  'maxSessionsPerUser',
  'sessionLimitAction',
  'reauthenticationWindowSeconds',
  'deviceBinding.policy',
] as const;
/** One of `POLICY_FIELDS`: a setting a session policy can decide, as a dotted path. */
export type PolicyField = (typeof POLICY_FIELDS)[number];

function read(from: Record<string, unknown> | null | undefined, field: PolicyField): unknown {
  const [head, tail] = field.split('.') as [string, string | undefined];
  const value = from?.[head];
  if (tail === undefined) return value;
  return (value as Record<string, unknown> | undefined)?.[tail];
}

function write(into: Record<string, unknown>, field: PolicyField, value: unknown): void {
  const [head, tail] = field.split('.') as [string, string | undefined];
  if (tail === undefined) into[head] = value;
  else into[head] = { ...(into[head] as object | undefined), [tail]: value };
}

/** The value of one policy field in some settings (or a policy: undefined when it does not set the field). */
export function policyFieldValue(from: SessionSettings | SessionPolicy, field: PolicyField): unknown {
  return read(from as Record<string, unknown>, field);
}

/** One layer of a resolution: a policy and what to call it when it decides a field. */
export interface PolicyLayer<Source extends string = string> {
  source: Source;
  policy: SessionPolicy | null | undefined;
}

/** What `resolvePolicy` returns: the settings in force, and which layer (or `global`) decided each field. */
export interface ResolvedPolicy<Source extends string = string> {
  settings: SessionSettings;
  sources: Record<PolicyField, Source | 'global'>;
}

/**
 * The settings in force for someone: each policy field from the first layer that sets it (for the server: the
 * person's override, then their role's policy), else from the global settings. Fields a policy cannot set
 * (anonymisation, audit retention, …) are always the global ones.
 */
export function resolvePolicy<Source extends string>(settings: SessionSettings, layers: readonly PolicyLayer<Source>[]): ResolvedPolicy<Source> {
  const result = structuredClone(settings) as unknown as Record<string, unknown>;
  const sources = {} as Record<PolicyField, Source | 'global'>;
  for (const field of POLICY_FIELDS) {
    const layer = layers.find((l) => read(l.policy, field) !== undefined);
    sources[field] = layer ? layer.source : 'global';
    if (layer) write(result, field, read(layer.policy, field));
  }
  return { settings: result as unknown as SessionSettings, sources };
}

/** Several policies as one, first match winning per field (an override over a role's policy). */
export function mergePolicies(...policies: (SessionPolicy | null | undefined)[]): SessionPolicy {
  const merged: Record<string, unknown> = {};
  for (const field of POLICY_FIELDS) {
    const value = policies.map((p) => read(p, field)).find((v) => v !== undefined);
    if (value !== undefined) write(merged, field, value);
  }
  return merged as SessionPolicy;
}

/**
 * Who is under which policy, as the application decides it (the library knows no roles; the server maps roles and
 * per-user overrides onto this). Loaded with the settings — at start and whenever a node announces a settings
 * change — never per request.
 */
export interface PolicyAssignment {
  /** The policy of everyone not in `users` (the server: the `user` role's policy); absent = the global settings. */
  everyone?: SessionPolicy | null;
  /** People with a policy of their own, already merged (their override over their role's policy); it replaces `everyone`. */
  users?: ReadonlyMap<string, SessionPolicy>;
}

/** The expiry-relevant part of some settings, as a key: people with equal keys share one SQL condition. */
function expiryKey(x: SessionSettings): string {
  return `${x.idleTimeoutSeconds}|${x.absoluteLifetimeSeconds}|${x.rememberMe.enabled}|${x.rememberMe.durationSeconds}`;
}

/**
 * The settings in force for each person, computed once per settings (or policy) change so that the hot path costs
 * one map look-up: `for(userId)`. Also turns the per-person expiry rules into the stores' SQL cutoffs.
 */
export class EffectivePolicies {
  readonly global: SessionSettings;
  readonly #everyone: SessionSettings;
  readonly #users = new Map<string, SessionSettings>();
  /** People whose expiry differs from everyone else's, grouped by their rule (few groups: one per role, mostly). */
  readonly #groups: { userIds: string[]; settings: SessionSettings }[] = [];

  constructor(settings: SessionSettings, assignment: PolicyAssignment = {}) {
    this.global = settings;
    this.#everyone = assignment.everyone ? resolvePolicy(settings, [{ source: 'everyone', policy: assignment.everyone }]).settings : settings;
    const groups = new Map<string, { userIds: string[]; settings: SessionSettings }>();
    const everyoneKey = expiryKey(this.#everyone);
    for (const [userId, policy] of assignment.users ?? []) {
      const own = resolvePolicy(settings, [{ source: 'user', policy }]).settings;
      this.#users.set(userId, own);
      const key = expiryKey(own);
      if (key === everyoneKey) continue;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { userIds: [], settings: own }));
      group.userIds.push(userId);
    }
    this.#groups = [...groups.values()];
  }

  /** The settings in force for this person's sessions (the global ones when no policy applies). */
  for(userId: string): SessionSettings {
    // Most deployments have no per-person policy: then the answer needs no look-up (nor a read of the id's hash).
    return this.#users.size === 0 ? this.#everyone : (this.#users.get(userId) ?? this.#everyone);
  }

  /** Whether any policy is in force (otherwise everyone is under the global settings). */
  get any(): boolean {
    return this.#everyone !== this.global || this.#users.size > 0;
  }

  /** The expiry rule of every person as SQL cutoffs: everyone's, with the exceptions per group of people. */
  cutoffs(now: number): ExpiryCutoffs {
    const base = expiryCutoffs(this.#everyone, now);
    if (this.#groups.length === 0) return base;
    return { ...base, exceptions: this.#groups.map((g) => ({ userIds: g.userIds, ...expiryCutoffs(g.settings, now) })) };
  }

  /** One person's expiry rule as cutoffs (for queries about their sessions alone). */
  cutoffsFor(userId: string, now: number): ExpiryCutoffs {
    return expiryCutoffs(this.for(userId), now);
  }
}
