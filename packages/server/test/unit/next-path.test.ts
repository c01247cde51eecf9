import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../web/src/next-path.ts';

const ORIGIN = 'https://seshat.example';
const HOME = '/settings/security/sessions';

describe('safeNextPath (issue 14.24: ?next= after sign-in)', () => {
  it('follows same-origin paths, with their query and fragment', () => {
    expect(safeNextPath('/admin/sessions?user=usr_x#top', ORIGIN, HOME)).toBe('/admin/sessions?user=usr_x#top');
    expect(safeNextPath(`${ORIGIN}/settings`, ORIGIN, HOME)).toBe('/settings');
  });

  it('refuses everything a browser would resolve to another origin, including what passed the old prefix check', () => {
    for (const next of ['/\\evil.com', '/\t/evil.com', '/\\/evil.com', '//evil.com', 'https://evil.com/x', '\\\\evil.com', 'javascript:alert(1)', 'http://seshat.example/x', 'https://seshat.example.evil.com/']) {
      expect(safeNextPath(next, ORIGIN, HOME), JSON.stringify(next)).toBe(HOME);
    }
  });

  it('never returns to the sign-in page, and falls back when next is missing or unparsable', () => {
    expect(safeNextPath('/sign-in?next=/x', ORIGIN, HOME)).toBe(HOME);
    expect(safeNextPath(null, ORIGIN, HOME)).toBe(HOME);
    expect(safeNextPath('', ORIGIN, HOME)).toBe(HOME);
  });
});
