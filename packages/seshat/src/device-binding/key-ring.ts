import { createSecretKey, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { BindingSecret, DeviceBindingStore } from '../core/ports.ts';
import type { SigningKey } from './signed-values.ts';

/** A loaded secret: its signing key and when it was made. */
type LoadedSecret = SigningKey & { createdAt: number };

/**
 * The HMAC secrets that sign bound cookies and challenges, shared by every node through the store and rotated:
 * signing uses the newest secret; verifying accepts any secret not yet retired, found by the id the signed value
 * carries. A value signed by a secret this node has not loaded yet (another node just rotated) triggers one
 * reload, rate-limited, so the hot path reads the store only in that rare case.
 *
 * Two nodes may rotate at the same moment and both add a secret: harmless, both verify everywhere.
 */
export class BindingKeyRing {
  readonly #store: Pick<DeviceBindingStore, 'listBindingSecrets' | 'insertBindingSecret'>;
  readonly #clock: Clock;
  readonly #rotateEveryMs: number;
  readonly #retainMs: number;
  #byId = new Map<string, LoadedSecret>();
  #newest: LoadedSecret | null = null;
  #rotating: Promise<void> | null = null;
  #lastReload = 0;

  /**
   * @param rotateEveryMs - a new secret after this long (default one day).
   * @param retainMs - secrets older than this verify nothing and are deleted at the next rotation; it must
   *   exceed `rotateEveryMs` plus the longest bound-cookie and challenge lifetimes.
   */
  constructor(store: Pick<DeviceBindingStore, 'listBindingSecrets' | 'insertBindingSecret'>, clock: Clock, rotateEveryMs: number, retainMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#rotateEveryMs = rotateEveryMs;
    this.#retainMs = retainMs;
  }

  /** Loads the stored secrets and makes sure a current one exists. Call once before serving. */
  async start(): Promise<void> {
    await this.reload();
    if (this.#needsRotation()) await this.#rotate();
  }

  /** Reads the secrets again from the store. */
  async reload(): Promise<void> {
    this.#lastReload = this.#clock.now();
    const secrets = (await this.#store.listBindingSecrets()).map((s): LoadedSecret => ({ id: s.id, key: createSecretKey(s.secret), createdAt: s.createdAt }));
    this.#byId = new Map(secrets.map((s) => [s.id, s]));
    this.#newest = secrets[0] ?? null;
  }

  /** The secret to sign with now. A due rotation starts in the background; until it lands the previous secret signs. */
  current(): SigningKey {
    if (!this.#newest) throw new Error('DeviceBinding is not started: call `await deviceBinding.start()` before serving.');
    if (this.#needsRotation() && !this.#rotating) {
      this.#rotating = this.#rotate().catch(() => undefined).finally(() => (this.#rotating = null));
    }
    return this.#newest;
  }

  /** A secret that may still verify, by id, without touching the store; undefined if unknown here or retired. */
  find(id: string): SigningKey | undefined {
    const secret = this.#byId.get(id);
    return secret && this.#clock.now() - secret.createdAt < this.#retainMs ? secret : undefined;
  }

  /** Like `find`, but an unknown id reloads the secrets first (at most once a second: garbage ids cost nothing). */
  async findFresh(id: string): Promise<SigningKey | undefined> {
    const known = this.find(id);
    if (known || this.#byId.has(id) || this.#clock.now() - this.#lastReload < 1000) return known;
    await this.reload();
    return this.find(id);
  }

  #needsRotation(): boolean {
    return this.#newest === null || this.#clock.now() - this.#newest.createdAt >= this.#rotateEveryMs;
  }

  async #rotate(): Promise<void> {
    const now = this.#clock.now();
    const secret: BindingSecret = { id: randomBytes(6).toString('base64url'), secret: new Uint8Array(randomBytes(32)), createdAt: now };
    await this.#store.insertBindingSecret(secret, now - this.#retainMs);
    await this.reload();
  }
}
