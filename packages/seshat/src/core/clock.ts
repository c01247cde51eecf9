/** Time source in epoch milliseconds. Injected everywhere so timeouts are tested without sleeping. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The real time (`Date.now()`). */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests, demos and benchmarks. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  /** The current manual time (epoch milliseconds). */
  now(): number {
    return this.#now;
  }
  /** Moves the time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Sets the time to `ms` (epoch milliseconds). */
  set(ms: number): void {
    this.#now = ms;
  }
}

/** One second in milliseconds. */
export const SECOND = 1000;
/** One minute in milliseconds. */
export const MINUTE = 60 * SECOND;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** One day in milliseconds. */
export const DAY = 24 * HOUR;
