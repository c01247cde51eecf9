import type { Actor, SessionRecord } from './session.ts';

/**
 * Decides who may see and revoke which session. The library default is privacy: owners only.
 * A session the actor may not view is reported as missing (404), so its existence does not leak.
 */
export interface PermissionPolicy {
  /** May the actor see this session? */
  canView(actor: Actor, session: Pick<SessionRecord, 'userId' | 'id'>): boolean;
  /** May the actor sign this session out? */
  canRevoke(actor: Actor, session: Pick<SessionRecord, 'userId' | 'id'>): boolean;
  /** May the actor list and manage sessions across all users (team view, revoke-all)? */
  canManageTeam(actor: Actor): boolean;
}

/** The library default: people see and revoke only their own sessions, and nobody manages the team. */
export const ownerOnly: PermissionPolicy = {
  canView: (actor, session) => actor.userId === session.userId,
  canRevoke: (actor, session) => actor.userId === session.userId,
  canManageTeam: () => false,
};

/** Owners manage their own sessions; actors with one of `roles` manage everyone's. */
export function roleBasedPolicy(roles: readonly string[] = ['admin']): PermissionPolicy {
  const privileged = (actor: Actor) => actor.role !== undefined && roles.includes(actor.role);
  return {
    canView: (actor, session) => privileged(actor) || ownerOnly.canView(actor, session),
    canRevoke: (actor, session) => privileged(actor) || ownerOnly.canRevoke(actor, session),
    canManageTeam: privileged,
  };
}
