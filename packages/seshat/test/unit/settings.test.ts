import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/core/clock.ts';
import { applySettingsPatch, cookieMaxAgeSeconds, defaultSettings, expiresAt, sessionSettingsPatchSchema } from '../../src/core/settings.ts';

describe('session settings', () => {
  it('default to a 7-day idle timeout, 30-day remember-me and a 90-day cap', () => {
    const s = defaultSettings({});
    expect(s.idleTimeoutSeconds).toBe(7 * 86400);
    expect(s.rememberMe).toEqual({ enabled: true, durationSeconds: 30 * 86400 });
    expect(s.absoluteLifetimeSeconds).toBe(90 * 86400);
  });

  it('take the idle default from idleTimeoutDays', () => {
    expect(defaultSettings({ idleTimeoutDays: 2 }).idleTimeoutSeconds).toBe(2 * 86400);
  });

  it('compute expiry: idle for browser sessions, fixed for remembered ones, capped by the absolute lifetime', () => {
    const s = defaultSettings({});
    const t0 = Date.UTC(2026, 0, 1);
    expect(expiresAt({ createdAt: t0, lastActiveAt: t0 + DAY, persistent: false }, s)).toBe(t0 + 8 * DAY);
    expect(expiresAt({ createdAt: t0, lastActiveAt: t0 + 20 * DAY, persistent: true }, s)).toBe(t0 + 30 * DAY);
    expect(expiresAt({ createdAt: t0, lastActiveAt: t0 + 89 * DAY, persistent: false }, s)).toBe(t0 + 90 * DAY);
    const never = { ...s, idleTimeoutSeconds: null };
    expect(expiresAt({ createdAt: t0, lastActiveAt: t0, persistent: false }, never)).toBe(t0 + 90 * DAY);
    const rememberOff = { ...s, rememberMe: { enabled: false, durationSeconds: 30 * 86400 } };
    expect(expiresAt({ createdAt: t0, lastActiveAt: t0 + HOUR, persistent: true }, rememberOff)).toBe(t0 + HOUR + 7 * DAY);
  });

  it('give a Max-Age only to remembered sessions', () => {
    const s = defaultSettings({});
    expect(cookieMaxAgeSeconds(false, s)).toBeUndefined();
    expect(cookieMaxAgeSeconds(true, s)).toBe(30 * 86400);
  });

  it('patch partially and reject nonsense', () => {
    const s = defaultSettings({});
    const next = applySettingsPatch(s, sessionSettingsPatchSchema.parse({ rememberMe: { enabled: false }, idleTimeoutSeconds: null }));
    expect(next.rememberMe).toEqual({ enabled: false, durationSeconds: 30 * 86400 });
    expect(next.idleTimeoutSeconds).toBeNull();
    expect(sessionSettingsPatchSchema.safeParse({ idleTimeoutSeconds: -5 }).success).toBe(false);
    expect(sessionSettingsPatchSchema.safeParse({ surprise: true }).success).toBe(false);
  });
});
