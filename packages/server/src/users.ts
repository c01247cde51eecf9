import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SeshatError, auditBy, reasonSchema, revokeApiKeysOf, type Actor, type CreatedSession, type SessionRecord, type SignInContext, type SessionManager, type StoreScope, type UserRecord, type UserStore } from 'seshat';
import { roles } from './permissions.ts';
import { DEFAULT_COST, dummyHash, generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { checkNewPassword, newPasswordSchema } from './password-policy.ts';

export const emailSchema = z.email().max(254).transform((e) => e.toLowerCase());
export const roleSchema = z.enum(roles);

export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  role: roleSchema.default('user'),
  password: newPasswordSchema,
});
export type NewUser = z.input<typeof newUserSchema>;

/** The server's own accounts (the library leaves users to the application). */
export class UserDirectory {
  readonly #store: UserStore;
  readonly #manager: SessionManager<StoreScope>;
  readonly #cost: typeof DEFAULT_COST;

  /** Accounts live in `store`; changes commit through `manager` (one transaction with their audit events). */
  constructor(store: UserStore, manager: SessionManager<StoreScope>, passwordCost = DEFAULT_COST) {
    this.#store = store;
    this.#manager = manager;
    this.#cost = passwordCost;
  }

  /** Creates an account; `passwordChangeRequired` for a password someone else chose (a generated first password). */
  async create(input: NewUser, actor: Actor | null = null, options: { passwordChangeRequired?: boolean } = {}): Promise<UserRecord> {
    const data = newUserSchema.parse(input);
    if (await this.#store.findUserByEmail(data.email)) throw new SeshatError('conflict', `A user with e-mail ${data.email} already exists.`);
    const user: UserRecord = {
      id: 'usr_' + randomBytes(12).toString('base64url'),
      email: data.email,
      name: data.name,
      role: data.role,
      passwordHash: await hashPassword(data.password, this.#cost),
      createdAt: this.#manager.clock.now(),
      disabledAt: null,
      passwordChangeRequired: options.passwordChangeRequired ?? false,
    };
    await this.#manager.change(async (change) => {
      await change.store.insertUser(user);
      await change.audit(auditBy(actor, 'user.created', { targetUserId: user.id, sessionId: null, details: { email: user.email, role: user.role } }));
    });
    // A new team member is named in the policy assignment (everyone else is a `user`; see assignRolePolicies).
    if (user.role !== 'user') await this.#manager.policiesChanged();
    return user;
  }

  /**
   * The user for these credentials, or null. An unknown e-mail costs the same scrypt work as a wrong
   * password, so response time does not reveal which accounts exist.
   */
  async authenticate(email: string, password: string): Promise<UserRecord | null> {
    const user = await this.#store.findUserByEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash(this.#cost)));
    // A disabled account gets the same answer as a wrong password: nothing tells a guesser it exists.
    if (!user || !ok || user.disabledAt !== null) return null;
    // The only moment the plain password is at hand: upgrade a hash made with weaker parameters. Conditional on
    // the old hash, so a password changed meanwhile (another node) is never overwritten.
    if (needsRehash(user.passwordHash, this.#cost)) {
      const upgraded = await hashPassword(password, this.#cost);
      if (await this.#store.upgradePasswordHash(user.id, user.passwordHash, upgraded)) return { ...user, passwordHash: upgraded };
    }
    return user;
  }

  /**
   * Changes the actor's password: the new hash, the end of their other sessions and their API keys (unless the
   * others are kept) and the audit event commit together. A wrong current password is audited
   * (`password.change-failed`: someone holding the session may be guessing) and changes nothing.
   * With `session` (the one the change is made through), that session ends too and a new one replaces it: the
   * token that was in use when the password was (perhaps) known to someone else is never valid again.
   * Returns how many other sessions and keys were ended, and the replacement session.
   */
  async changePassword(
    user: UserRecord,
    actor: Actor,
    change: { currentPassword: string; newPassword: string; signOutOtherSessions: boolean },
    session?: { record: SessionRecord; signIn: Omit<SignInContext, 'userId' | 'remember' | 'passwordChangeRequired'> },
  ): Promise<{ revoked: number; apiKeysRevoked: number; replacement: CreatedSession | null }> {
    if (!(await verifyPassword(change.currentPassword, user.passwordHash))) {
      await this.#manager.audit.record(auditBy(actor, 'password.change-failed', { targetUserId: user.id }));
      throw new SeshatError('invalid_input', 'The current password is not correct.');
    }
    await checkNewPassword(change.newPassword, { email: user.email, name: user.name, current: change.currentPassword });
    const hash = await hashPassword(change.newPassword, this.#cost);
    const ended = await this.#manager.change(async (c) => {
      await c.store.updatePasswordHash(user.id, hash);
      const revoked = change.signOutOtherSessions ? await c.revokeUserSessions(user.id, 'password-changed', user.id, actor.sessionId) : [];
      // Signing the others out is the containment step: API keys (which a stolen cookie can mint) go with them.
      const keys = change.signOutOtherSessions ? await revokeApiKeysOf(c, user.id, { actor, cause: 'password-changed', at: this.#manager.clock.now() }) : [];
      // The session in use ends in the same commit; its replacement is created right after.
      if (session) await c.revokeSession(session.record, 'password-changed', user.id);
      await c.audit(auditBy(actor, 'password.changed', { targetUserId: user.id, details: { revokedOtherSessions: revoked.length, revokedApiKeys: keys.length, newToken: session !== undefined } }));
      return { revoked: revoked.length, apiKeysRevoked: keys.length };
    });
    // A fresh sign-in: new id and secret, and `createdAt` now, so the step-up window starts again too.
    const replacement = session ? await this.#manager.createSession({ ...session.signIn, userId: user.id, remember: session.record.persistent }) : null;
    return { ...ended, replacement };
  }

  /**
   * An administrator (or, with `actor` null, an operator at the CLI) sets a new password for someone whose
   * password may be known to an attacker: every session and API key of theirs ends in the same transaction, and
   * they must choose their own password at the next sign-in. Without `password` one is generated; the caller
   * shows it once. Audited as `password.reset`.
   */
  async resetPassword(actor: Actor | null, userId: string, password?: string): Promise<{ user: UserRecord; password: string; generated: boolean; revoked: number; apiKeysRevoked: number }> {
    const user = await this.#store.findUserById(userId);
    if (!user) throw new SeshatError('not_found', 'No such user.');
    const chosen = password ?? generatePassword();
    // Temporary, but it still must not be guessable; the owner replaces it at once.
    if (password !== undefined) await checkNewPassword(password, { email: user.email, name: user.name });
    const hash = await hashPassword(chosen, this.#cost);
    return this.#manager.change(async (c) => {
      await c.store.updatePasswordHash(user.id, hash, true);
      const revoked = await c.revokeUserSessions(user.id, 'password-changed', actor?.userId ?? null);
      const keys = await revokeApiKeysOf(c, user.id, { actor, cause: 'password-reset', at: this.#manager.clock.now() });
      await c.audit(auditBy(actor, 'password.reset', { targetUserId: user.id, sessionId: actor?.sessionId ?? null, details: { generated: password === undefined, revokedSessions: revoked.length, revokedApiKeys: keys.length } }));
      return { user, password: chosen, generated: password === undefined, revoked: revoked.length, apiKeysRevoked: keys.length };
    });
  }

  /**
   * Changes someone's role, audited with before and after. The last administrator cannot be demoted: nobody
   * could then manage the team (or undo it) from the UI.
   */
  async setRole(actor: Actor | null, userId: string, role: UserRecord['role']): Promise<UserRecord> {
    const parsed = roleSchema.safeParse(role);
    if (!parsed.success) throw new SeshatError('invalid_input', `The role must be one of ${roleSchema.options.join(', ')}.`);
    const user = await this.#store.findUserById(userId);
    if (!user) throw new SeshatError('not_found', 'No such user.');
    if (user.role === parsed.data) return user;
    const changed = await this.#manager.change(async (c) => {
      if (user.role === 'admin') {
        const admins = (await c.store.listUsers()).filter((u) => u.role === 'admin');
        if (admins.length <= 1) throw new SeshatError('conflict', 'This is the last administrator: make someone else an administrator first.');
      }
      await c.store.updateUserRole(user.id, parsed.data);
      await c.audit(auditBy(actor, 'user.role-changed', { targetUserId: user.id, sessionId: actor?.sessionId ?? null, details: { before: user.role, after: parsed.data } }));
      return { ...user, role: parsed.data };
    });
    // The person now falls under another role's session policy, on every node.
    await this.#manager.policiesChanged();
    return changed;
  }

  /**
   * Disables an account: the flag, the end of all its sessions and the audit event commit together; the ended
   * sessions leave every node's cache through the normal revocation path. Sign-in and API keys are refused from
   * then on. `actor` null = an operator at the CLI. Returns how many sessions ended (0 if it was already disabled).
   */
  async disable(actor: Actor | null, userId: string, reason: string): Promise<{ revoked: number; apiKeysRevoked: number; changed: boolean }> {
    const text = checkedReason(reason);
    return this.#manager.change(async (c) => {
      const now = this.#manager.clock.now();
      if (!(await c.store.setUserDisabled(userId, now))) return { revoked: 0, apiKeysRevoked: 0, changed: false };
      const ended = await c.revokeUserSessions(userId, 'account-disabled', actor?.userId ?? null, undefined, text);
      // Keys end too (not only refused while disabled): enabling the account brings no credential back.
      const keys = await revokeApiKeysOf(c, userId, { actor, cause: 'account-disabled', at: now });
      await c.audit(auditBy(actor, 'user.disabled', { targetUserId: userId, reason: text, details: { revoked: ended.length, apiKeysRevoked: keys.length } }));
      return { revoked: ended.length, apiKeysRevoked: keys.length, changed: true };
    });
  }

  /** Enables a disabled account. Nothing ended while it was disabled comes back: the person signs in afresh. */
  async enable(actor: Actor | null, userId: string, reason: string | null = null): Promise<boolean> {
    const text = reason === null ? null : checkedReason(reason);
    return this.#manager.change(async (c) => {
      if (!(await c.store.setUserDisabled(userId, null))) return false;
      await c.audit(auditBy(actor, 'user.enabled', { targetUserId: userId, reason: text }));
      return true;
    });
  }

  /** Whether `password` is this account's (for step-up: the account is known, so no dummy hash is needed). */
  verify(user: UserRecord, password: string): Promise<boolean> {
    return verifyPassword(password, user.passwordHash);
  }

  find(id: string): Promise<UserRecord | null> {
    return this.#store.findUserById(id);
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.#store.findUserByEmail(email);
  }

  list(): Promise<UserRecord[]> {
    return this.#store.listUsers();
  }

  count(): Promise<number> {
    return this.#store.countUsers();
  }
}

function checkedReason(reason: string): string {
  const parsed = reasonSchema.safeParse(reason);
  if (!parsed.success) throw new SeshatError('invalid_input', `The reason ${parsed.error.issues[0]?.message ?? 'is not valid'}.`);
  return parsed.data;
}

export const publicUser = (u: UserRecord) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null });
