import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LruTtlMap } from '../../src/core/lru.ts';

describe('LruTtlMap', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['performance'] }));
  afterEach(() => vi.useRealTimers());

  it('drops the least recently used entry when full; a read counts as a use', () => {
    const map = new LruTtlMap<string, number>({ max: 2, ttlMs: 1000 });
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // a is now newer than b
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('with jitter, entries set together expire apart, each between (1 - jitter) × TTL and the TTL', () => {
    const map = new LruTtlMap<number, number>({ max: 1000, ttlMs: 1000, jitter: 0.5 });
    for (let i = 0; i < 1000; i++) map.set(i, i);
    const alive = () => Array.from({ length: 1000 }, (_, i) => map.get(i)).filter((v) => v !== undefined).length;
    vi.advanceTimersByTime(499);
    expect(alive()).toBe(1000);
    vi.advanceTimersByTime(251); // 750 ms: about half are gone, not all and not none
    const half = alive();
    expect(half).toBeGreaterThan(300);
    expect(half).toBeLessThan(700);
    vi.advanceTimersByTime(250); // the TTL itself: none is ever older
    expect(alive()).toBe(0);
    expect(() => new LruTtlMap({ max: 1, ttlMs: 1, jitter: 1.5 })).toThrow(RangeError);
  });

  it('never returns an entry older than its TTL, counted from when it was set, not from reads', () => {
    const map = new LruTtlMap<string, number>({ max: 10, ttlMs: 1000 });
    map.set('a', 1);
    vi.advanceTimersByTime(600);
    expect(map.get('a')).toBe(1);
    vi.advanceTimersByTime(399);
    expect(map.get('a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(map.get('a')).toBeUndefined();
    map.set('a', 2); // a new set starts a new lifetime
    vi.advanceTimersByTime(999);
    expect(map.get('a')).toBe(2);
  });

  it('deletes and clears; refuses a size or TTL that cannot work', () => {
    const map = new LruTtlMap<string, number>({ max: 3, ttlMs: 1000 });
    map.set('a', 1);
    map.set('b', 2);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
    expect(() => new LruTtlMap({ max: 0, ttlMs: 1 })).toThrow(RangeError);
    expect(() => new LruTtlMap({ max: 1, ttlMs: 0 })).toThrow(RangeError);
  });
});

describe('LruTtlMap recency (approximate by at most half the size)', () => {
  it('keeps an entry read while it was in the older half; evicts the oldest untouched one', () => {
    const map = new LruTtlMap<number, number>({ max: 10, ttlMs: 60_000 });
    for (let i = 0; i < 10; i++) map.set(i, i);
    expect(map.get(0)).toBe(0); // oldest: moved to the end
    for (let i = 10; i < 15; i++) map.set(i, i); // evicts 1..5, not 0
    expect(map.get(0)).toBe(0);
    for (let i = 1; i <= 5; i++) expect(map.get(i)).toBeUndefined();
    for (let i = 6; i < 15; i++) expect(map.get(i)).toBe(i);
  });

  it('never evicts an entry among the most recently used half of the capacity', () => {
    const max = 100;
    const map = new LruTtlMap<number, number>({ max, ttlMs: 60_000 });
    let next = 0;
    const recent: number[] = [];
    for (let step = 0; step < 5000; step++) {
      // Mostly new keys, sometimes a read of a recent one.
      if (step % 3 === 0 && recent.length > 0) {
        const key = recent[Math.floor(Math.random() * recent.length)]!;
        expect(map.get(key)).toBe(key);
        recent.splice(recent.indexOf(key), 1);
        recent.push(key);
      } else {
        map.set(next, next);
        recent.push(next++);
      }
      if (recent.length > max / 2) recent.shift();
      expect(map.size).toBeLessThanOrEqual(max);
    }
  });
});
