import { describe, expect, it } from 'vitest';
import { unknownDevice, type SessionRecord } from '../../src/core/session.ts';
import { ValidationCache } from '../../src/core/validation-cache.ts';

const record = (id: string): SessionRecord => ({
  id, userId: 'usr_a', secretHash: new Uint8Array(32), tokenHint: 'abcd1234', persistent: false, createdAt: 1, lastActiveAt: 1,
  revokedAt: null, revokedReason: null, revokedNote: null, ip: null, signInIp: null, userAgent: null, device: unknownDevice, location: null,
  signInLocation: null, risk: null, requests: 0, lastPath: null, reauthenticatedAt: null, passwordChangeRequired: false,
});
const entry = (id: string) => ({ record: record(id) });

describe('ValidationCache', () => {
  it('caches a filled entry until it is invalidated', () => {
    const cache = new ValidationCache();
    cache.fill('ses_1', entry('ses_1'), cache.ticket());
    expect(cache.get('ses_1')?.record.id).toBe('ses_1');
    cache.invalidate('ses_1');
    expect(cache.get('ses_1')).toBeUndefined();
  });

  it('revoke-vs-refill race: a read that started before an invalidation does not cache its (stale) row', () => {
    const cache = new ValidationCache();
    // Request: cache miss, takes a ticket, starts reading the row (still unrevoked in what it reads)…
    const ticket = cache.ticket();
    const staleRow = entry('ses_1');
    // …meanwhile the session is revoked on this or another node: the entry is invalidated while absent…
    cache.invalidate('ses_1');
    // …then the slow read finishes and tries to cache what it read. The tombstone refuses it.
    cache.fill('ses_1', staleRow, ticket);
    expect(cache.get('ses_1')).toBeUndefined();
    // A read that starts after the invalidation (and so sees the revoked row) may cache.
    cache.fill('ses_1', entry('ses_1'), cache.ticket());
    expect(cache.get('ses_1')).toBeDefined();
  });

  it('the tombstone only blocks that id: other reads in flight still fill', () => {
    const cache = new ValidationCache();
    const ticket = cache.ticket();
    cache.invalidate('ses_1');
    cache.fill('ses_2', entry('ses_2'), ticket);
    expect(cache.get('ses_2')).toBeDefined();
  });

  it('a flush (channel reset, invalidate-all) refuses every fill whose read started before it', () => {
    const cache = new ValidationCache();
    cache.fill('ses_0', entry('ses_0'), cache.ticket());
    const before = cache.ticket();
    cache.flush();
    expect(cache.size).toBe(0);
    cache.fill('ses_1', entry('ses_1'), before);
    cache.fill('ses_2', entry('ses_2'), before);
    expect(cache.size).toBe(0);
    cache.fill('ses_3', entry('ses_3'), cache.ticket());
    expect(cache.size).toBe(1);
  });

  it('is bounded in size (least recently used go first)', () => {
    const cache = new ValidationCache({ max: 3 });
    for (const id of ['a', 'b', 'c']) cache.fill(id, entry(id), cache.ticket());
    cache.get('a');
    cache.fill('d', entry('d'), cache.ticket());
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('forgets entries after the TTL', async () => {
    const cache = new ValidationCache({ ttlMs: 30 });
    cache.fill('ses_1', entry('ses_1'), cache.ticket());
    expect(cache.get('ses_1')).toBeDefined();
    const deadline = Date.now() + 5000;
    while (cache.get('ses_1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(cache.get('ses_1')).toBeUndefined();
  });
});

describe('ValidationCache trust gate', () => {
  it('while untrusted, answers nothing and caches nothing; once trusted again, serves what is filled from then on', () => {
    let trusted = true;
    const cache = new ValidationCache({}, () => trusted);
    cache.fill('ses_1', entry('ses_1'), cache.ticket());
    expect(cache.get('ses_1')).toBeDefined();
    trusted = false; // the channel dropped: whatever is cached may be revoked elsewhere unheard
    expect(cache.get('ses_1')).toBeUndefined();
    cache.fill('ses_2', entry('ses_2'), cache.ticket());
    trusted = true;
    expect(cache.get('ses_2')).toBeUndefined(); // read while deaf: never cached
  });
});
