import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SeshatError, auditBy, revokeApiKeysOf, type Actor, type SessionManager, type StoreScope, type UserRecord, type UserStore } from 'seshat';
import { DEFAULT_COST, dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export const emailSchema = z.email().max(254).transform((e) => e.toLowerCase());
export const newPasswordSchema = z.string().min(8, 'at least 8 characters').max(1024);
export const roleSchema = z.enum(['user', 'admin']);

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
      passwordChangeRequired: false,
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
    return user && ok ? user : null;
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
      // Signing the others out is the containment step: API keys (which a stolen cookie can mint) go with them.
      const keys = change.signOutOtherSessions ? await revokeApiKeysOf(c, user.id, { actor, cause: 'password-changed', at: this.#manager.clock.now() }) : [];
      await c.audit(auditBy(actor, 'password.changed', { targetUserId: user.id, details: { revokedOtherSessions: revoked.length, revokedApiKeys: keys.length } }));
      return revoked.length;
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

export const publicUser = (u: UserRecord) => ({ id: u.id, email: u.email, name: u.name, role: u.role });
