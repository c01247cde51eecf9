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
