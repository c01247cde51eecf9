import { z } from 'zod';
import { newPasswordSchema } from './password-policy.ts';
import { apiKeyIdSchema, apiKeyNameSchema, auditActions, endedReasons, ipOrCidrSchema, overviewEndedReasons, type OverviewEndedReason, reasonSchema, sessionIdSchema, type EndedReason } from 'seshat';
import { permissions, roles } from './permissions.ts';

/** Response and request shapes of API.md. Each is the runtime check, the static type and the OpenAPI schema. */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  /** Disabled accounts cannot sign in or use their API keys. */
  disabled: z.boolean(),
});

/** What the signed-in user may do (the UI shows pages by it). */
export const permissionsSchema = z.array(z.enum(permissions));

export const locationSchema = z.object({
  city: z.string().nullable(),
  region: z.string().nullable(),
  country: z.string().nullable(),
  countryCode: z.string().nullable(),
  latitude: z.number().nullable().optional(),
  longitude: z.number().nullable().optional(),
});

export const deviceSchema = z.object({
  browser: z.string().nullable(),
  browserVersion: z.string().nullable(),
  os: z.string().nullable(),
  osVersion: z.string().nullable(),
  deviceType: z.string(),
  deviceModel: z.string().nullable(),
  label: z.string(),
});

export const sessionSchema = z.object({
  id: z.string().describe('Opaque public id (ses_…), never the token'),
  current: z.boolean(),
  createdAt: z.string(),
  lastActiveAt: z.string(),
  expiresAt: z.string().nullable().describe('null when the session never expires (idle timeout "never")'),
  persistent: z.boolean(),
  status: z.enum(['active', 'idle']),
  ip: z.string().nullable().describe('The latest client address the session was used from'),
  network: z.string().nullable().describe('ISP / AS organisation of `ip`, from offline RouteViews and DB-IP data; null when unknown'),
  location: locationSchema.nullable().describe('Where the latest address is'),
  signInIp: z.string().nullable().describe('The address the session signed in from'),
  signInLocation: locationSchema.nullable(),
  device: deviceSchema,
  tokenHint: z.string(),
  risk: z
    .object({
      suspicious: z.boolean(),
      reasons: z.array(z.string()).describe('In English, for logs'),
      signals: z.array(z.enum(['new-device', 'new-country', 'impossible-travel', 'failed-attempts'])).optional().describe('The rules that fired'),
      travel: z.object({ km: z.number(), minutes: z.number(), fromCountry: z.string().nullable(), fromCountryCode: z.string().nullable() }).optional(),
      failures: z.number().int().optional(),
    })
    .nullable(),
  authenticatedAt: z.string().describe('When the password was last entered on this session: its sign-in or its latest step-up'),
  reauthenticatedAt: z.string().nullable().describe('The latest step-up (POST /api/auth/reauthenticate), if any'),
  deviceBound: z.boolean().describe('The browser proved it holds a device key for this session (DBSC); a copied cookie stops working elsewhere'),
  boundSince: z.string().nullable().describe('When the browser registered that key'),
});

export const sessionDetailSchema = sessionSchema.extend({
  userAgent: z.string().nullable(),
  activity: z.object({ requests: z.number(), lastPath: z.string().nullable() }),
});

export const sessionIdParams = z.object({ id: sessionIdSchema });

export const loginBody = z.object({
  email: z.string().max(254),
  password: z.string().min(1).max(1024),
  remember: z.boolean().optional(),
});

export const passwordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: newPasswordSchema,
  signOutOtherSessions: z.boolean().default(true),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  // `…/session-ended` (401): why and when the cookie's session ended (issue #10).
  endedReason: z.enum(Object.values(endedReasons) as [EndedReason, ...EndedReason[]]).optional()
    .describe('Why the session ended: signed-out, signed-out-elsewhere, password-changed, admin, session-limit, idle-timeout, lifetime, invalidated-all, key-mismatch'),
  endedAt: z.string().optional().describe('When the session ended (ISO 8601)'),
  adminReason: z.string().optional().describe("The administrator's reason, only when the admin setting showAdminReasonToUser is on"),
  // `…/reauthentication-required` (401): the step-up window and when the password was last entered.
  maxAgeSeconds: z.number().int().optional().describe('The step-up window: the password must have been entered within this many seconds'),
  authenticatedAt: z.string().optional().describe('When the password was last entered on this session (ISO 8601)'),
});

export const revokedCount = z.object({ revoked: z.number().int() });
/** A containment step: sessions ended, and API keys revoked with them (revoked, not suspended: docs/design-notes.md). */
export const containedCount = revokedCount.extend({ apiKeysRevoked: z.number().int().describe("The person's API keys revoked with the sessions") });

export const noContent = z.null().describe('No content');

// ── admin ───────────────────────────────────────────────────────────────────────────────────────────

/** A session in the team view: `Session` plus its owner. */
export const adminSessionSchema = sessionSchema.extend({ user: userSchema });

export const adminSessionsQuery = z.object({
  user: z.string().min(1).max(254).optional().describe('User id or e-mail'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

export const adminUserSchema = userSchema.extend({
  activeSessions: z.number().int(),
  lastActiveAt: z.string().nullable().describe('Latest activity over the active sessions; null with none'),
  manySessions: z.boolean().describe('More active sessions than the manySessionsThreshold setting'),
});

/**
 * One person for the admin person page: the account, their session counts (no devices, addresses or places: those
 * come from the session listing, which `teamSessionAccess` governs and audits) and whether the caller may change
 * the account (`users:manage`, and only owners act on owners).
 */
export const adminUserDetailSchema = adminUserSchema.extend({
  createdAt: z.string(),
  disabledAt: z.string().nullable().describe('When the account was disabled; null while enabled'),
  passwordChangeRequired: z.boolean().describe('The next sign-in must choose a new password (after a reset or a report)'),
  manageable: z.boolean().describe('The caller may disable, enable, reset the password of or change the role of this account'),
});

export const adminUsersQuery = z.object({
  manySessions: z.enum(['true', 'false']).optional().describe('Only people over (true) or within (false) the threshold'),
});

export const overviewQuery = z.object({
  days: z.enum(['7', '30', '90']).default('30').describe('How many UTC days, ending today'),
});

/** Sessions ended on one day, by reason (the session-ended vocabulary, plus `expired`: removed by the collector). */
export const endedByReasonSchema = z.object(Object.fromEntries(overviewEndedReasons.map((r) => [r, z.number().int()])) as Record<OverviewEndedReason, z.ZodNumber>);

export const overviewSchema = z.object({
  days: z.number().int(),
  daily: z.array(z.object({
    day: z.string().describe('UTC day, YYYY-MM-DD'),
    signIns: z.number().int(),
    failedSignIns: z.number().int(),
    ended: endedByReasonSchema,
    activeSessions: z.number().int().nullable().describe("The day's last snapshot (today: now); null before the first background pass of that day"),
    boundSessions: z.number().int().nullable().describe('Of them, bound to their device (DBSC)'),
  })).describe('Oldest first, one row per day, from daily rollups'),
  activeSessions: z.number().int().describe('Live sessions now'),
  boundSessions: z.number().int().describe('Live sessions bound to their device now (DBSC)'),
  countries: z.array(z.object({ countryCode: z.string().nullable(), sessions: z.number().int() })).describe('Live sessions by country, largest first (null: unknown place)'),
  deviceTypes: z.array(z.object({ deviceType: z.string().nullable(), sessions: z.number().int() })).describe('Live sessions by device type, largest first'),
  topUsers: z.object({
    namesShown: z.boolean().describe('False while teamSessionAccess keeps other people\'s sessions from the caller: counts only'),
    users: z.array(z.object({ user: userSchema.nullable().describe('Null while names are not shown, or for an id without an account'), sessions: z.number().int() })),
  }).describe('The people with the most live sessions'),
});

const isoTime = z.iso.datetime({ offset: true }).transform((t) => Date.parse(t));

/**
 * Revoke-matching's filter as the API takes it: people by id or e-mail and by role, times as ISO 8601.
 * The server turns it into the core's `SessionFilter` (ids, epoch ms).
 */
export const sessionFilterBody = z
  .object({
    users: z.array(z.string().min(1).max(254)).min(1).max(1000).optional().describe('User ids or e-mails'),
    role: z.enum(roles).optional().describe('Sessions of people with this role'),
    ip: ipOrCidrSchema.optional().describe('An address or a CIDR block ("203.0.113.0/24")'),
    countries: z.array(z.string().regex(/^[A-Za-z]{2}$/).transform((c) => c.toUpperCase())).min(1).max(300).optional().describe('ISO 3166-1 alpha-2 codes'),
    deviceTypes: z.array(z.string().min(1).max(40)).min(1).max(20).optional().describe('desktop, mobile, tablet, bot, unknown'),
    deviceLabel: z.string().min(1).max(200).optional().describe('Exactly, e.g. "Chrome on macOS"'),
    suspicious: z.boolean().optional().describe('Flagged by the risk rules at sign-in'),
    persistent: z.boolean().optional().describe('Remembered ("keep me signed in") sessions'),
    createdBefore: isoTime.optional(),
    createdAfter: isoTime.optional(),
    lastActiveBefore: isoTime.optional(),
    lastActiveAfter: isoTime.optional(),
  })
  .strict();

export const revokeMatchingBody = z
  .object({
    filter: sessionFilterBody,
    reason: reasonSchema,
    dryRun: z.boolean().default(false).describe('Only count the matches and show a sample'),
  })
  .strict();

export const revokeMatchingResult = z.union([
  z.object({ matched: z.number().int(), users: z.number().int(), sample: z.array(adminSessionSchema) }),
  z.object({ revoked: z.number().int() }),
]);

/** The server's own account ids (`usr_` + 16 characters); anything else names no account. */
export const accountIdSchema = z.string().regex(/^usr_[A-Za-z0-9_-]{16}$/, 'not a user id');
export const userIdParams = z.object({ id: accountIdSchema });

export const reasonText = reasonSchema;
/** No body at all (null to the validator) is as good as `{}`. */
export const optionalReasonBody = z.object({ reason: reasonText.optional() }).strict().nullish();
export const requiredReasonBody = z.object({ reason: reasonText }).strict();

/**
 * Who did something, or whom it concerned, in the audit trail: the account's id, e-mail and name
 * (e-mail and name null for an id the server has no account for). The system (CLI, expiry) is `null`.
 */
export const auditPartySchema = z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }).nullable();

export const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actor: auditPartySchema,
  target: auditPartySchema,
  sessionId: z.string().nullable(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable().describe('Extra facts, e.g. {count} for bulk revocations'),
});

/** The audit log's filters, shared by the list and the export. */
export const auditFilterQuery = z.object({
  user: z.string().min(1).max(254).optional().describe('User id or e-mail: events where the user is actor or target'),
  action: z.enum(auditActions).optional(),
  actions: z
    .string()
    .max(2000)
    .transform((list, ctx) => {
      const codes = list.split(',').map((a) => a.trim()).filter(Boolean);
      const unknown = codes.find((a) => !(auditActions as readonly string[]).includes(a));
      if (unknown !== undefined) ctx.addIssue({ code: 'custom', message: `unknown action ${unknown}` });
      return codes as (typeof auditActions)[number][];
    })
    .optional()
    .describe('Comma-separated actions: events of any of them'),
  outcome: z.enum(['success', 'failure']).optional().describe('failure = refused sign-ins and other failures'),
  from: z.iso.datetime({ offset: true }).optional().describe('At or after this time (ISO 8601 with offset)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Before this time (ISO 8601 with offset)'),
  q: z.string().trim().min(1).max(200).optional().describe('Free text: actor or affected person (name, e-mail, id), IP, reason, action'),
});

export const auditQuery = auditFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

export const auditExportQuery = auditFilterQuery.extend({
  format: z.enum(['csv', 'ndjson']).default('ndjson'),
});

// ── API keys ────────────────────────────────────────────────────────────────────────────────────────

export const apiKeySchema = z.object({
  id: z.string().describe('Opaque id (key_…), never the key'),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it'),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  requests24h: z.number().int().describe('Requests over the last 24 hours (per-minute buckets)'),
});

export const newApiKeyBody = z.object({ name: apiKeyNameSchema }).strict();

export const createdApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  key: z.string().describe('The key itself: shown this once, stored only as a hash'),
});

export const apiKeyIdParams = z.object({ id: apiKeyIdSchema });
