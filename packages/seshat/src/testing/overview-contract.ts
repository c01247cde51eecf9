import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import { unknownDevice, type SessionRecord } from '../core/session.ts';
import { defaultSettings, expiryCutoffs } from '../core/settings.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

/**
 * The OverviewStore part of the store contract: the daily rollups behind the admin overview and the bounded
 * breakdowns of live sessions. `current` returns the store the enclosing suite opened.
 */
export function overviewStoreContract(current: () => Store, session: (overrides?: Partial<SessionRecord>) => SessionRecord): void {
  describe('overview rollups', () => {
    it('adds counters (parallel calls lose nothing), sets snapshots, lists a range of days summed, prunes old days', async () => {
      const store = current();
      await store.addDailyCounts('2026-05-30', [['signed-in', 2]]);
      await Promise.all(Array.from({ length: 20 }, () => store.addDailyCounts('2026-05-31', [['ended:sign-out', 1], ['signed-in', 3]])));
      await store.addDailyCounts('2026-06-01', []);
      await store.setDailyValues('2026-05-31', [['active', 40], ['bound', 4]]);
      await store.setDailyValues('2026-05-31', [['active', 42], ['bound', 5]]); // the day's last snapshot stands
      expect(await store.listDailyStats('2026-05-31', '2026-06-01')).toEqual([
        { day: '2026-05-31', metric: 'active', value: 42 },
        { day: '2026-05-31', metric: 'bound', value: 5 },
        { day: '2026-05-31', metric: 'ended:sign-out', value: 20 },
        { day: '2026-05-31', metric: 'signed-in', value: 60 },
      ]);
      expect(await store.pruneDailyStats('2026-05-31')).toBe(1);
      expect((await store.listDailyStats('2026-01-01', '2026-12-31')).map((s) => s.day)).not.toContain('2026-05-30');
    });

    it('adds counters with the transaction they belong to, and not at all when it fails', async () => {
      const store = current();
      await store.transaction(async (scope) => scope.addDailyCounts('2026-06-01', [['signed-in', 1]]));
      const failed = store.transaction(async (scope) => {
        await scope.addDailyCounts('2026-06-01', [['signed-in', 1]]);
        throw new Error('roll back');
      });
      await expect(failed).rejects.toThrow('roll back');
      expect(await store.listDailyStats('2026-06-01', '2026-06-01')).toEqual([{ day: '2026-06-01', metric: 'signed-in', value: 1 }]);
    });

    it('groups live sessions by country, device type and holder: largest first, unknown last, at most `limit`', async () => {
      const store = current();
      const place = (countryCode: string) => ({ city: null, region: null, country: countryCode, countryCode });
      const device = (deviceType: string) => ({ ...unknownDevice, deviceType });
      const rows = [
        session({ userId: 'usr_a', location: place('DE'), device: device('desktop') }),
        session({ userId: 'usr_a', location: place('DE'), device: device('mobile') }),
        session({ userId: 'usr_a', location: place('FR'), device: device('mobile') }),
        session({ userId: 'usr_b', location: place('ES'), device: device('mobile') }),
        session({ userId: 'usr_b', location: null, device: device('tablet') }),
        session({ userId: 'usr_c', location: place('DE'), revokedAt: NOW - HOUR, revokedReason: 'revoked' }),
        session({ userId: 'usr_c', location: place('DE'), createdAt: NOW - 400 * DAY }),
      ];
      for (const s of rows) await store.insertSession(s);
      const cutoffs = expiryCutoffs(defaultSettings({}), NOW);
      expect(await store.liveSessionBreakdown(cutoffs, 'country', 10)).toEqual([
        { key: 'DE', count: 2 },
        { key: 'ES', count: 1 },
        { key: 'FR', count: 1 },
        { key: null, count: 1 },
      ]);
      expect(await store.liveSessionBreakdown(cutoffs, 'country', 2)).toEqual([{ key: 'DE', count: 2 }, { key: 'ES', count: 1 }]);
      expect(await store.liveSessionBreakdown(cutoffs, 'deviceType', 10)).toEqual([
        { key: 'mobile', count: 3 },
        { key: 'desktop', count: 1 },
        { key: 'tablet', count: 1 },
      ]);
      expect(await store.liveSessionBreakdown(cutoffs, 'user', 10)).toEqual([{ key: 'usr_a', count: 3 }, { key: 'usr_b', count: 2 }]);
    });
  });
}
