import { mergePolicies, resolvePolicy, sessionPolicySchema, type PolicyAssignment, type ResolvedPolicy, type SessionPolicy, type SessionSettings, type StoreScope, type StoredSessionPolicy, type UserRole } from 'seshat';
import { roles } from './permissions.ts';

/**
 * Session policies on the server: one per role and one per person (an override). The library stores them by
 * subject and knows no roles; this module names the subjects and tells the manager who is under which policy.
 * First match wins, field by field: the person's override, then their role's policy, then the global settings.
 */
export const roleSubject = (role: UserRole): string => `role:${role}`;
export const userSubject = (userId: string): string => `user:${userId}`;

/** Whose policy a stored subject is, or null for a subject this server did not write. */
export function subjectOf(subject: string): { role: UserRole } | { userId: string } | null {
  if (subject.startsWith('role:')) {
    const role = subject.slice(5);
    return (roles as readonly string[]).includes(role) ? { role: role as UserRole } : null;
  }
  if (subject.startsWith('user:') && subject.length > 5) return { userId: subject.slice(5) };
  return null;
}

/** The stored policies split into roles and people; a document that no longer parses is ignored (global settings). */
export function splitPolicies(stored: readonly StoredSessionPolicy[]): { byRole: Map<UserRole, StoredSessionPolicy>; byUser: Map<string, StoredSessionPolicy> } {
  const byRole = new Map<UserRole, StoredSessionPolicy>();
  const byUser = new Map<string, StoredSessionPolicy>();
  for (const p of stored) {
    const subject = subjectOf(p.subject);
    const parsed = sessionPolicySchema.safeParse(p.policy);
    if (!subject || !parsed.success) continue;
    const policy = { ...p, policy: parsed.data };
    if ('role' in subject) byRole.set(subject.role, policy);
    else byUser.set(subject.userId, policy);
  }
  return { byRole, byUser };
}

/**
 * The manager's `assignPolicies`: read at start and on every settings or policy change (and a role change), never
 * per request. Everyone is taken to be a `user` unless listed: only the team (owners, admins, auditors) and people
 * with an override are named, so the map stays small however many accounts there are. No stored policy: one read.
 */
export async function assignRolePolicies(store: StoreScope): Promise<PolicyAssignment> {
  const { byRole, byUser } = splitPolicies(await store.listSessionPolicies());
  if (byRole.size === 0 && byUser.size === 0) return {};
  const team = await store.listUsersWithRoles(roles.filter((r) => r !== 'user'));
  const users = new Map<string, SessionPolicy>();
  // Team members are listed even without a policy of their own: the `user` role's policy must not reach them.
  for (const { id, role } of team) users.set(id, mergePolicies(byUser.get(id)?.policy, byRole.get(role)?.policy));
  const teamIds = new Set(team.map((u) => u.id));
  for (const [id, override] of byUser) if (!teamIds.has(id)) users.set(id, mergePolicies(override.policy, byRole.get('user')?.policy));
  return { everyone: byRole.get('user')?.policy ?? null, users };
}

/** Where each effective value of a person came from: their override, their role's policy, or the global settings. */
export type PolicySource = 'user' | 'role';

/** The settings in force for a person with this role and override, each field with its source. */
export function effectivePolicy(settings: SessionSettings, rolePolicy: SessionPolicy | null | undefined, override: SessionPolicy | null | undefined): ResolvedPolicy<PolicySource> {
  return resolvePolicy<PolicySource>(settings, [
    { source: 'user', policy: override },
    { source: 'role', policy: rolePolicy },
  ]);
}
