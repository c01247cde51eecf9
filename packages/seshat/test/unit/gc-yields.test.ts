import { describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.ts';
import { managerForTest, signIn } from '../helpers/manager.ts';

describe('garbage collection under load', () => {
  it('yields to the event loop between batches, so requests are served while a long pass runs', async () => {
    const { manager, clock } = await managerForTest();
    for (let i = 0; i < 300; i++) await manager.createSession(signIn(`u${i % 7}`));
    clock.advance(100 * DAY); // all past the absolute lifetime
    const progress: number[] = [];
    let seenMidway: number | null = null;
    // Stands for an incoming request: I/O callbacks run in the event loop's check/poll phases, never
    // between microtasks. With a synchronous store (node:sqlite) a pass that never yields holds them all.
    setImmediate(() => (seenMidway = progress.at(-1) ?? 0));
    const result = await manager.collectGarbage({ batchSize: 20, onProgress: (p) => progress.push(p.scanned) });
    expect(result.deleted).toBe(300);
    expect(seenMidway).not.toBeNull();
    expect(seenMidway!).toBeLessThan(300);
  });
});
