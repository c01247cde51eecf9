import { isIPv6 } from 'node:net';
import { SECOND, MINUTE, HOUR, SeshatError, type Clock, type SignInLimitStore } from 'seshat';

/** Options of `SignInThrottle`; every default is stated with its reason. */
export interface SignInThrottleOptions {
  /** Sign-in attempts per client network per minute (IPv4 address, IPv6 /64), counted across all nodes. */
  perIpPerMinute: number;
  /** Failures an account may have before it waits at all: typos are free (default 5). */
  freeFailures?: number;
  /** The first wait; each further failure doubles it (default 1 s). */
  baseDelayMs?: number;
  /**
   * The longest wait (default 60 s). A cap rather than a lockout: an attacker who fails on purpose can only ever
   * make the owner wait this long, and still gets no more than one guess per cap against the account.
   */
  maxDelayMs?: number;
  /** Failures are forgotten this long after a burst started (default 24 h), or at once by a successful sign-in. */
  failureWindowMs?: number;
}

/** Why a sign-in is refused for now, and when to try again. */
export class SignInThrottled extends SeshatError {
  readonly retryAfterSeconds: number;
  constructor(detail: string, retryAfterMs: number) {
    super('rate_limited', detail);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / SECOND));
  }
}

/** The e-mail as the account back-off keys it: whatever the case, spacing or Unicode form an attacker sends. */
export const normalisedEmail = (email: string) => email.normalize('NFKC').trim().toLowerCase();

/** An IPv4 address as is; an IPv6 address as its /64 (one subscriber's network hands out the whole prefix). */
export function ipNetwork(ip: string): string {
  if (!isIPv6(ip)) return ip;
  if (ip.toLowerCase().startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

/**
 * Sign-in throttling kept in the database, so N nodes allow what one allows (issue 14.18):
 * - per client network: at most `perIpPerMinute` attempts a minute, right or wrong (each costs a scrypt hash);
 * - per account (the normalised e-mail, known account or not, so the answer reveals nothing): after
 *   `freeFailures` failures, each attempt waits for `baseDelayMs · 2^(n − freeFailures − 1)` after the last failure,
 *   capped at `maxDelayMs`. Never a hard lockout. A network the account has signed in from before is not held back
 *   by the account's back-off (only by its own per-network limit), so an attacker failing on purpose cannot keep
 *   the owner out from where they usually work.
 * - while an account is backing off, attempts against it go one at a time (a one-second claim), so a burst of
 *   parallel guesses from many addresses does not all pass on the same read of the counter.
 */
export class SignInThrottle {
  readonly #store: SignInLimitStore;
  readonly #clock: Clock;
  readonly #perIp: number;
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #window: number;

  constructor(store: SignInLimitStore, clock: Clock, options: SignInThrottleOptions) {
    this.#store = store;
    this.#clock = clock;
    this.#perIp = options.perIpPerMinute;
    this.#free = options.freeFailures ?? 5;
    this.#base = options.baseDelayMs ?? SECOND;
    this.#max = options.maxDelayMs ?? MINUTE;
    this.#window = options.failureWindowMs ?? 24 * HOUR;
  }

  /** The wait after `failures` failures (0 while they are free). */
  delayAfter(failures: number): number {
    if (failures <= this.#free) return 0;
    return Math.min(this.#max, this.#base * 2 ** Math.min(30, failures - this.#free - 1));
  }

  /** Before the password is checked: throws `SignInThrottled` (429 with Retry-After) when this attempt must wait. */
  async admit(email: string, ip: string): Promise<void> {
    const now = this.#clock.now();
    const network = await this.#store.countSignInAttempt(`ip:${ipNetwork(ip)}`, now, MINUTE);
    if (network.count > this.#perIp) {
      throw new SignInThrottled('Too many sign-in attempts from your network. Try again in a minute.', network.windowStart + MINUTE - now);
    }
    const account = normalisedEmail(email);
    const failures = await this.#store.readSignInCounter(`account:${account}`);
    if (!failures || failures.count < this.#free) return;
    if (await this.#store.readSignInCounter(`known:${account}:${ipNetwork(ip)}`)) return;
    const wait = failures.lastAt + this.delayAfter(failures.count) - now;
    if (wait > 0) throw new SignInThrottled('Too many failed sign-ins for this account. Try again shortly.', wait);
    const claim = await this.#store.countSignInAttempt(`claim:${account}`, now, SECOND);
    if (claim.count > 1) throw new SignInThrottled('Another sign-in for this account is being checked. Try again shortly.', SECOND);
  }

  /** After a wrong password (or an unknown e-mail): returns the account's failures so far, this one included. */
  async failed(email: string): Promise<number> {
    return (await this.#store.countSignInAttempt(`account:${normalisedEmail(email)}`, this.#clock.now(), this.#window)).count;
  }

  /** After a successful sign-in: the account's failures are forgotten and this network is known to it. */
  async succeeded(email: string, ip: string): Promise<void> {
    const account = normalisedEmail(email);
    await this.#store.clearSignInCounter(`account:${account}`);
    await this.#store.countSignInAttempt(`known:${account}:${ipNetwork(ip)}`, this.#clock.now(), 30 * 24 * HOUR);
  }

  /** Deletes counters nobody has touched for longer than any window (the failure window, and 30 days for known networks). */
  prune(): Promise<number> {
    return this.#store.pruneSignInCounters(this.#clock.now() - Math.max(this.#window, 30 * 24 * HOUR));
  }
}

/**
 * Which failures get their own audit row: the first `free` one by one (the risk rules count them), then only the
 * 8th, 16th, 32nd…, each standing for the failures since the previous row (`details.attempts`). A credential-
 * stuffing run of 10,000 guesses leaves about 18 rows, not 10,000.
 */
export function auditedFailure(count: number, free = 5): { attempts: number } | null {
  if (count <= free) return { attempts: 1 };
  const isPowerOfTwo = (count & (count - 1)) === 0;
  if (!isPowerOfTwo) return null;
  const previous = count / 2 > free ? count / 2 : free;
  return { attempts: count - previous };
}
