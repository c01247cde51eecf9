import { SeshatError, type Actor, type PermissionPolicy, type SessionSettings, type TeamAction, type UserRecord, type UserRole } from 'seshat';

/**
 * The server's named permissions. Roles hold them; the `teamSessionAccess` setting narrows what they reach
 * of other people's sessions (see `teamPolicy`).
 */
export const permissions = ['sessions:view', 'sessions:view-ip', 'sessions:revoke', 'sessions:manage-settings', 'audit:read', 'users:manage'] as const;
export type Permission = (typeof permissions)[number];

/** Built-in roles, most powerful first. `owner` and `admin` hold the same permissions; only owners act on owners. */
export const roles = ['owner', 'admin', 'auditor', 'user'] as const satisfies readonly UserRole[];

const rolePermissions: Record<UserRole, readonly Permission[]> = {
  owner: permissions,
  admin: permissions,
  // Read-only: sees sessions (addresses anonymised) and the audit trail, changes nothing.
  auditor: ['sessions:view', 'audit:read'],
  user: [],
};

/** The permissions a role holds (none for an unknown role). */
export function permissionsOf(role: string | undefined): readonly Permission[] {
  return role !== undefined && Object.hasOwn(rolePermissions, role) ? rolePermissions[role as UserRole] : [];
}

export const hasPermission = (actor: Pick<Actor, 'role'>, permission: Permission): boolean => permissionsOf(actor.role).includes(permission);

/**
 * Whether `actor` may change `target`'s account (disable, enable, policy override): `users:manage`, and only an
 * owner acts on an owner, so admins cannot lock the owners out.
 */
export const canManageUser = (actor: Pick<Actor, 'role'>, target: { role: UserRole }): boolean =>
  hasPermission(actor, 'users:manage') && (target.role !== 'owner' || actor.role === 'owner');

/**
 * The account an admin acts on (disable, enable, password reset, role change): 404 if there is none, 403 for an
 * owner unless the caller is one, and only an owner makes someone an owner (`newRole`).
 */
export async function manageableUser(
  users: { find(id: string): Promise<UserRecord | null> },
  actor: Pick<Actor, 'role'>,
  id: string,
  newRole?: UserRole,
): Promise<UserRecord> {
  const target = await users.find(id);
  if (!target) throw new SeshatError('not_found', 'No such user.');
  if (!canManageUser(actor, target) || (newRole === 'owner' && actor.role !== 'owner')) {
    throw new SeshatError('forbidden', 'Only an owner can change an owner or make someone one.');
  }
  return target;
}

/**
 * The permission policy of the server. Everyone sees and revokes their own sessions. Other people's:
 * - `sessions:view` shows them (full addresses only with `sessions:view-ip`), unless `teamSessionAccess` is `off`;
 * - `sessions:revoke` ends them one by one or by filter, only while `teamSessionAccess` is `full`;
 * - force sign-out of a person and sign-out of everyone need `sessions:revoke` whatever the access level (they
 *   show nothing of anyone's devices); settings need `sessions:manage-settings`;
 * - per-person counts need `sessions:view` or `users:manage`.
 * `settings` is read on every decision, so a change of the access level applies at once, on every node.
 */
export function teamPolicy(settings: () => Pick<SessionSettings, 'teamSessionAccess'>): PermissionPolicy {
  const access = () => settings().teamSessionAccess;
  const own = (actor: Actor, session: { userId: string }) => actor.userId === session.userId;
  const teamAction: Record<TeamAction, (actor: Actor) => boolean> = {
    'view-sessions': (a) => hasPermission(a, 'sessions:view') && access() !== 'off',
    'view-stats': (a) => hasPermission(a, 'sessions:view') || hasPermission(a, 'users:manage'),
    'sign-out-user': (a) => hasPermission(a, 'sessions:revoke'),
    'revoke-matching': (a) => hasPermission(a, 'sessions:revoke') && access() === 'full',
    'revoke-all': (a) => hasPermission(a, 'sessions:revoke'),
    'manage-settings': (a) => hasPermission(a, 'sessions:manage-settings'),
  };
  return {
    canView: (actor, session) => own(actor, session) || teamAction['view-sessions'](actor),
    canViewIp: (actor, session) => own(actor, session) || (teamAction['view-sessions'](actor) && hasPermission(actor, 'sessions:view-ip')),
    canRevoke: (actor, session) => own(actor, session) || (hasPermission(actor, 'sessions:revoke') && access() === 'full'),
    canManageTeam: (actor, action) => (action ? teamAction[action](actor) : permissionsOf(actor.role).length > 0),
  };
}
