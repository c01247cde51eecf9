import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SeshatError, isDeviceBound, sessionEndedError, type Actor, type ApiKeys, type DeviceBinding, type SessionManager, type SessionRecord, type Store, type StoreScope, type UserRecord, type WebhookDispatcher, type Webhooks } from 'seshat';
import type { ServerConfig } from './config.ts';
import { hasPermission, permissionsOf, type Permission } from './permissions.ts';
import type { SessionStreams } from './session-streams.ts';
import type { SignInNotifier } from './sign-in-notifications.ts';
import type { UserDirectory } from './users.ts';

/** What every route module gets: the services, never the HTTP server's internals. */
export interface ServerContext {
  config: ServerConfig;
  store: Store;
  manager: SessionManager<StoreScope>;
  users: UserDirectory;
  apiKeys: ApiKeys;
  deviceBinding: DeviceBinding;
  /** Webhook endpoints and the delivery log (admin API). */
  webhooks: Webhooks;
  /** Delivers the outbox while this node holds the lease. */
  dispatcher: WebhookDispatcher;
  /** "New sign-in" e-mails and their "This wasn't me" links. */
  notifier: SignInNotifier;
  /** Open live session streams (set when their routes are registered). */
  streams?: SessionStreams;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The client IP as it may be recorded (audit trail): the /24 or /48 prefix while `anonymizeIp` is on. */
    readonly recordedIp: string | null;
  }
}

/** The IP to write into records for this request (a getter decorated in app.ts, honouring `anonymizeIp`). */
export const recordedIp = (request: FastifyRequest): string | null => request.recordedIp;

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** The browser session of the request. API keys are refused here: this is for sign-in-bound actions only. */
export function requireSession(request: FastifyRequest): SessionRecord {
  if (!request.session && request.apiKey) throw new SeshatError('forbidden', 'API keys cannot be used here; sign in instead.');
  // A cookie whose session ended is told why (401 …/session-ended); the Fastify adapter clears it on any 401.
  if (!request.session && request.sessionRejection?.ended) throw sessionEndedError(request.sessionRejection.ended);
  if (!request.session) throw new SeshatError('unauthenticated', 'Sign in to continue.');
  return request.session;
}

/** The signed-in user and their session; a session whose user no longer exists counts as signed out. */
export async function requireUser(request: FastifyRequest, ctx: ServerContext): Promise<{ session: SessionRecord; user: UserRecord; actor: Actor }> {
  const session = requireSession(request);
  const user = await ctx.users.find(session.userId);
  // Disabling an account ends its sessions; this also covers a session read from a cache in that instant.
  if (!user || user.disabledAt !== null) throw new SeshatError('unauthenticated', 'Sign in to continue.');
  return { session, user, actor: { userId: user.id, role: user.role, sessionId: session.id, ip: recordedIp(request) } };
}

/**
 * The actor for reading "my sessions": role deliberately left out, so only the owner rule applies.
 * An API key acts as its owner here, through no session (so none is "current"). API keys are scoped to
 * reading: ending sessions goes through `sessionActor`, managing keys through `requireUser`.
 */
export function ownActor(request: FastifyRequest): Actor {
  if (!request.session && request.apiKey) return { userId: request.apiKey.userId, ip: recordedIp(request) };
  const session = requireSession(request);
  return { userId: session.userId, sessionId: session.id, ip: recordedIp(request) };
}

/**
 * The actor for ending one's own sessions: a browser session only. An API key may read sessions but never end
 * them: a key minted with a stolen cookie, calling "sign out all other sessions" in a loop, would otherwise keep
 * the real owner signed out for good (a key has no "current" session, so "others" is all of them).
 */
export function sessionActor(request: FastifyRequest): Actor {
  const session = requireSession(request);
  return { userId: session.userId, sessionId: session.id, ip: recordedIp(request) };
}

/**
 * The actor for team-wide endpoints: a signed-in user holding at least one permission (or, when `needed` is
 * given, one of those). Finer decisions (the access level, owners) are the policy's and the routes'.
 * Only a browser session qualifies; an API key never reaches admin endpoints, whoever owns it.
 */
export async function requireAdmin(request: FastifyRequest, ctx: ServerContext, ...needed: Permission[]): Promise<{ session: SessionRecord; user: UserRecord; actor: Actor }> {
  const signedIn = await requireUser(request, ctx);
  const allowed = needed.length === 0 ? permissionsOf(signedIn.user.role).length > 0 : needed.some((p) => hasPermission(signedIn.actor, p));
  if (!allowed) throw new SeshatError('forbidden', 'This needs an administrator.');
  // Policy "require-for-admins": team-wide actions only from a session bound to its device, so a stolen admin
  // cookie alone can do nothing here (docs/device-binding.md).
  // Read per person: a role policy or an override may require it for some of the team only.
  if (ctx.manager.settingsFor(signedIn.user.id).deviceBinding.policy === 'require-for-admins' && !isDeviceBound(signedIn.session)) {
    throw new SeshatError('forbidden', 'Administration needs a session bound to this device (device binding policy). Sign in again with a browser that supports Device Bound Session Credentials.');
  }
  return signedIn;
}
