import type { Actor, SessionRecord } from './session.ts';

/** A decision that may need a lookup (a role table, a remote directory): the manager always awaits it. */
export type Decision = boolean | Promise<boolean>;

/**
 * Team-wide things a policy may allow, each asked separately so an application can grant them apart:
 * - `view-sessions`: list everyone's sessions (devices, places, addresses);
 * - `view-stats`: per-person session counts, without devices or places;
 * - `sign-out-user`: end all of one person's sessions (force sign-out);
 * - `revoke-matching`: end the sessions matching a filter (devices, places, addresses);
 * - `revoke-all`: end every session;
 * - `manage-settings`: change the session settings.
 */
export type TeamAction = 'view-sessions' | 'view-stats' | 'sign-out-user' | 'revoke-matching' | 'revoke-all' | 'manage-settings';

/**
 * Decides who may see and revoke which session. The library default is privacy: owners only.
 * A session the actor may not view is reported as missing (404), so its existence does not leak.
 * Every method may answer with a promise (the manager awaits each one).
 */
export interface PermissionPolicy {
  /** May the actor see this session? */
  canView(actor: Actor, session: Pick<SessionRecord, 'userId' | 'id'>): Decision;
  /** May the actor see this session's full IP address? Otherwise it is shown anonymised (/24, /48). */
  canViewIp(actor: Actor, session: Pick<SessionRecord, 'userId' | 'id'>): Decision;
  /** May the actor sign this session out? */
  canRevoke(actor: Actor, session: Pick<SessionRecord, 'userId' | 'id'>): Decision;
  /** May the actor do this team-wide action (any of them when `action` is omitted)? */
  canManageTeam(actor: Actor, action?: TeamAction): Decision;
}

/** The library default: people see and revoke only their own sessions, and nobody manages the team. */
export const ownerOnly: PermissionPolicy = {
  canView: (actor, session) => actor.userId === session.userId,
  canViewIp: (actor, session) => actor.userId === session.userId,
  canRevoke: (actor, session) => actor.userId === session.userId,
  canManageTeam: () => false,
};

/** Owners manage their own sessions; actors with one of `roles` manage everyone's, full addresses included. */
export function roleBasedPolicy(roles: readonly string[] = ['admin']): PermissionPolicy {
  const privileged = (actor: Actor) => actor.role !== undefined && roles.includes(actor.role);
  return {
    canView: (actor, session) => privileged(actor) || ownerOnly.canView(actor, session),
    canViewIp: (actor, session) => privileged(actor) || ownerOnly.canViewIp(actor, session),
    canRevoke: (actor, session) => privileged(actor) || ownerOnly.canRevoke(actor, session),
    canManageTeam: privileged,
  };
}
