import { SeshatError, type SessionManager, type Store, type StoreScope, type UserRecord, type UserRole } from 'seshat';
import { roles } from '../../permissions.ts';
import { generatePassword } from '../../passwords.ts';
import { roleSchema, UserDirectory } from '../../users.ts';
import { iso, required, UsageError, type Command } from '../command.ts';
import { oneOf, quoted, table } from '../output.ts';


/** A `--role` option's value, or a usage error listing the roles. */
export function roleOption(raw: unknown): UserRole {
  const role = roleSchema.safeParse(raw);
  if (!role.success) throw new UsageError(`--role must be ${oneOf(roles)} (got ${quoted(raw)}).`);
  return role.data;
}

/**
 * The account an id or e-mail names, or a `not_found` error that says so: a typo must not look like
 * "this user has no sessions".
 */
export async function findUser(store: Store, idOrEmail: string): Promise<UserRecord> {
  const user = idOrEmail.includes('@') ? await store.findUserByEmail(idOrEmail) : await store.findUserById(idOrEmail);
  if (!user) throw new SeshatError('not_found', `No such user: ${quoted(idOrEmail)}. \`seshat users list\` shows the accounts.`);
  return user;
}

/**
 * Whose sessions a `--user` names: an account (by id or e-mail), or a bare user id that has active sessions
 * but no account here (sessions an app made through the library). Anything else is "no such user".
 */
export async function sessionOwner(store: Store, manager: SessionManager<StoreScope>, idOrEmail: string): Promise<{ id: string; label: string }> {
  try {
    const user = await findUser(store, idOrEmail);
    return { id: user.id, label: user.email };
  } catch (error) {
    if (!idOrEmail.includes('@') && (await manager.countActiveSessions(idOrEmail)) > 0) return { id: idOrEmail, label: idOrEmail };
    throw error;
  }
}

const publicUser = (u: UserRecord) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: iso(u.createdAt), disabledAt: iso(u.disabledAt) });

export const userCommands: Command[] = [
  {
    path: ['users', 'create'],
    summary: 'Create an account (a password is generated and printed if omitted)',
    synopsis: '--email E [--name N] [--role owner|admin|auditor|user] [--password P]',
    help: `Options:
  --email E        the e-mail address to sign in with (required)
  --name N         display name (default: the part of the e-mail before @)
  --role R         user (default), auditor, admin or owner
  --password P     at least 15 characters, not a common one; without it one is generated and printed once`,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
    database: 'create',
    async run({ values, store: openStore, manager, out }) {
      const email = required(values, 'email', 'Example: seshat users create --email ops@example.com --role admin');
      const role = roleOption(values.role ?? 'user');
      const m = await manager();
      const password = typeof values.password === 'string' ? values.password : generatePassword();
      const user = await new UserDirectory(await openStore(), m).create({
        email,
        name: typeof values.name === 'string' ? values.name : email.split('@')[0]!,
        role,
        password,
      });
      out(`Created ${user.role} ${user.email} (${user.id}).`);
      if (values.password === undefined) out(`Password: ${password}`);
      return 0;
    },
  },
  {
    path: ['users', 'list'],
    summary: 'List accounts',
    synopsis: '[--json]',
    help: `Options:
  --json           one JSON array (times in ISO 8601 UTC) instead of a table`,
    options: { json: { type: 'boolean' } },
    database: 'existing',
    async run({ values, store: openStore, out }) {
      const users = (await (await openStore()).listUsers()).map(publicUser);
      if (values.json) out(JSON.stringify(users, null, 2));
      else out(table(users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, created: u.createdAt ?? '', disabled: u.disabledAt ?? '' })), ['id', 'email', 'name', 'role', 'created', 'disabled']));
      return 0;
    },
  },
  {
    path: ['users', 'disable'],
    summary: 'Disable an account: all its sessions end, sign-in and its API keys are refused',
    synopsis: '--user <id|email> --reason R',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --reason R       why, for the audit trail (1–500 characters, required)

The sessions end at once on every node (PostgreSQL) or within the cache TTL (SQLite). \`seshat users enable\`
lets the person sign in again; nothing ended meanwhile comes back.`,
    options: { user: { type: 'string' }, reason: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat users disable --user ann@example.com --reason "left the company"');
      const reason = required(values, 'reason', 'The reason goes to the audit trail.').trim();
      if (reason.length > 500) throw new UsageError('--reason must be 1 to 500 characters.');
      const m = await manager();
      const store = await openStore();
      const user = await findUser(store, named);
      const { revoked, apiKeysRevoked, changed } = await new UserDirectory(store, m).disable(null, user.id, reason);
      out(changed ? `Disabled ${user.email}; signed out ${revoked} session${revoked === 1 ? '' : 's'}${apiKeysRevoked > 0 ? ` and revoked ${apiKeysRevoked} API key${apiKeysRevoked === 1 ? '' : 's'}` : ''}.` : `${user.email} was already disabled.`);
      return 0;
    },
  },
  {
    path: ['users', 'enable'],
    summary: 'Enable a disabled account (it signs in afresh: nothing ended comes back)',
    synopsis: '--user <id|email> [--reason R]',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --reason R       why, for the audit trail`,
    options: { user: { type: 'string' }, reason: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat users enable --user ann@example.com');
      const m = await manager();
      const store = await openStore();
      const user = await findUser(store, named);
      const changed = await new UserDirectory(store, m).enable(null, user.id, typeof values.reason === 'string' ? values.reason : null);
      out(changed ? `Enabled ${user.email}.` : `${user.email} was not disabled.`);
      return 0;
    },
  },
  {
    path: ['users', 'set-password'],
    summary: 'Set a new password the person must change at the next sign-in (ends their sessions and API keys)',
    synopsis: '--user <id|email> [--password P]',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --password P     the temporary password; without it one is generated and printed once

For a password an attacker may know: every session and API key of the account ends at once, and the next
sign-in can do nothing but choose a new password.`,
    options: { user: { type: 'string' }, password: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat users set-password --user ops@example.com');
      const store = await openStore();
      const user = await findUser(store, named);
      const result = await new UserDirectory(store, await manager()).resetPassword(null, user.id, typeof values.password === 'string' ? values.password : undefined);
      out(`New password set for ${user.email}: signed out ${result.revoked} session${result.revoked === 1 ? '' : 's'}, revoked ${result.apiKeysRevoked} API key${result.apiKeysRevoked === 1 ? '' : 's'}. It must be changed at the next sign-in.`);
      if (result.generated) out(`Password: ${result.password}`);
      return 0;
    },
  },
  {
    path: ['users', 'set-role'],
    summary: "Change an account's role",
    synopsis: `--user <id|email> --role ${roleSchema.options.join('|')}`,
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --role R         ${roleSchema.options.join(' or ')} (required); the last admin cannot be demoted`,
    options: { user: { type: 'string' }, role: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat users set-role --user ops@example.com --role admin');
      const role = roleOption(values.role);
      const store = await openStore();
      const user = await findUser(store, named);
      const updated = await new UserDirectory(store, await manager()).setRole(null, user.id, role);
      out(user.role === role ? `${user.email} is already ${role}.` : `${user.email} is now ${updated.role} (was ${user.role}).`);
      return 0;
    },
  },
];
