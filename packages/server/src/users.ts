import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SeshatError, auditBy, reasonSchema, type Actor, type SessionManager, type StoreScope, type UserRecord, type UserStore } from 'seshat';
import { roles } from './permissions.ts';
import { DEFAULT_COST, dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export const emailSchema = z.email().max(254).transform((e) => e.toLowerCase());
export const newPasswordSchema = z.string().min(8, 'at least 8 characters').max(1024);
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

  async create(input: NewUser, actor: Actor | null = null): Promise<UserRecord> {
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
    };
    await this.#manager.change(async (change) => {
      await change.store.insertUser(user);
      await change.audit(auditBy(actor, 'user.created', { targetUserId: user.id, sessionId: null, details: { email: user.email, role: user.role } }));
    });
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
    return user && ok && user.disabledAt === null ? user : null;
  }

  /**
   * Changes the actor's password: the new hash, the end of their other sessions (unless kept) and the audit event
   * commit together. Returns how many sessions were signed out.
   */
  async changePassword(user: UserRecord, actor: Actor, change: { currentPassword: string; newPassword: string; signOutOtherSessions: boolean }): Promise<number> {
    if (!(await verifyPassword(change.currentPassword, user.passwordHash))) {
      throw new SeshatError('invalid_input', 'The current password is not correct.');
    }
    const hash = await hashPassword(newPasswordSchema.parse(change.newPassword), this.#cost);
    return this.#manager.change(async (c) => {
      await c.store.updatePasswordHash(user.id, hash);
      const revoked = change.signOutOtherSessions ? await c.revokeUserSessions(user.id, 'password-changed', user.id, actor.sessionId) : [];
      await c.audit(auditBy(actor, 'password.changed', { targetUserId: user.id, details: { revokedOtherSessions: revoked.length } }));
      return revoked.length;
    });
  }

  /**
   * Disables an account: the flag, the end of all its sessions and the audit event commit together; the ended
   * sessions leave every node's cache through the normal revocation path. Sign-in and API keys are refused from
   * then on. `actor` null = an operator at the CLI. Returns how many sessions ended (0 if it was already disabled).
   */
  async disable(actor: Actor | null, userId: string, reason: string): Promise<{ revoked: number; changed: boolean }> {
    const text = checkedReason(reason);
    return this.#manager.change(async (c) => {
      if (!(await c.store.setUserDisabled(userId, this.#manager.clock.now()))) return { revoked: 0, changed: false };
      const ended = await c.revokeUserSessions(userId, 'account-disabled', actor?.userId ?? null, undefined, text);
      await c.audit(auditBy(actor, 'user.disabled', { targetUserId: userId, reason: text, details: { revoked: ended.length } }));
      return { revoked: ended.length, changed: true };
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
