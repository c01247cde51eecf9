import type { SessionManager } from './session-manager.ts';

/** How often background garbage collection runs. */
export interface GarbageCollectionSchedule {
  /** Mean time between passes. */
  intervalMs: number;
  /**
   * Spread around the mean, as a fraction (default 1/3: a 15-minute interval runs every 10–20 minutes).
   * Randomised so that several nodes sharing one database do not all collect at the same moment.
   */
  jitter?: number;
  /** Sessions looked at per store step (default 1000): each step is a short transaction. */
  batchSize?: number;
  /** A pass that failed (the store was down): the next pass runs on schedule anyway. */
  onError?: (error: unknown) => void;
  /** Test and logging hook, called after each pass. */
  onCollected?: (result: { scanned: number; deleted: number }) => void;
  /** Source of randomness for the jitter (default `Math.random`; tests pass a fixed one). */
  random?: () => number;
}

/** A running background garbage collection. */
export interface GarbageCollector {
  /** Cancels the next pass and waits for a running one, so the store can be closed safely afterwards. */
  stop(): Promise<void>;
}

/** The delay before the next pass: `intervalMs`, randomised by ±`jitter` (a fraction), so nodes spread out. */
export function nextDelay(intervalMs: number, jitter: number, random: () => number): number {
  return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
}

/**
 * Collects expired and revoked sessions in the background, on a randomised interval. The timer is unref'd:
 * it never keeps a process alive. A pass that fails is reported and the schedule goes on.
 */
export function scheduleGarbageCollection(manager: SessionManager, options: GarbageCollectionSchedule): GarbageCollector {
  const jitter = Math.min(Math.max(options.jitter ?? 1 / 3, 0), 1);
  const random = options.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const plan = () => {
    if (stopped) return;
    timer = setTimeout(run, nextDelay(options.intervalMs, jitter, random));
    timer.unref();
  };
  const run = () => {
    running = manager
      .collectGarbage({ batchSize: options.batchSize ?? 1000 })
      .then((result) => options.onCollected?.(result), (error) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        plan();
      });
  };
  plan();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
