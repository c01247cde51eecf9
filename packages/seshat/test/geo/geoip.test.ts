import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonymizeIp, bundledDatabasePaths, DBIP_ATTRIBUTION, geoLocator, localNetwork, openGeoIp, parseIp, recordToLocation } from '../../src/geo/index.ts';
import { writeMmdb } from '../helpers/mmdb-writer.ts';

/**
 * Addresses checked against the bundled DB-IP City Lite database (the version pinned in package-lock.json).
 * A database update may move a city; countries of these well-known networks are stable.
 */
describe('GeoIp over the bundled DB-IP database', async () => {
  const geo = await openGeoIp();

  it('locates IPv4 addresses with city, region, English country name and coordinates', () => {
    expect(geo.locate('81.2.69.160')).toEqual({ city: 'London', region: 'England', country: 'United Kingdom', countryCode: 'GB', latitude: 51.5143, longitude: -0.0912 });
    expect(geo.locate('133.242.0.3')).toMatchObject({ city: 'Chiyoda City', region: 'Tokyo', country: 'Japan', countryCode: 'JP' });
    expect(geo.locate('1.1.1.1')).toMatchObject({ city: 'Sydney', country: 'Australia', countryCode: 'AU' });
  });

  it('locates IPv6 addresses from the IPv6 file', () => {
    expect(geo.locate('2a00:1450:4001:830::200e')).toMatchObject({ city: 'Frankfurt am Main', region: 'Hesse', country: 'Germany', countryCode: 'DE' });
    expect(geo.locate('2001:4860:4860::8888')?.countryCode).toMatch(/^[A-Z]{2}$/);
  });

  it('treats IPv4-mapped IPv6 (a dual-stack socket) as the IPv4 address', () => {
    expect(geo.locate('::ffff:81.2.69.160')).toEqual(geo.locate('81.2.69.160'));
  });

  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.20', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['100.64.12.1', 'CGNAT'],
    ['203.0.113.77', 'documentation (reserved)'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd12:3456::1', 'IPv6 unique local'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:192.168.0.1', 'IPv4-mapped private'],
  ])('%s (%s) is the local network, not a city', (ip) => {
    expect(geo.locate(ip)).toEqual(localNetwork);
    expect(geo.locate(ip)?.countryCode).toBeNull();
  });

  it('answers null for anything that is not an address', () => {
    for (const junk of [null, undefined, '', 'localhost', '1', '0x7f.0.0.1', '300.1.1.1', '1.2.3.4.5', '::gg']) expect(geo.locate(junk)).toBeNull();
  });
});

describe('anonymizeIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['81.2.69.160', '81.2.69.0'],
    ['::ffff:81.2.69.160', '81.2.69.0'],
    ['2001:db8:1234:5678:9abc::1', '2001:db8:1234::'],
    ['2a00:1450:4001:830::200e', '2a00:1450:4001::'],
    ['::1', '::'],
  ])('%s → %s', (ip, prefix) => {
    expect(anonymizeIp(ip)).toBe(prefix);
  });

  it('returns null rather than storing something that is not an address', () => {
    expect(anonymizeIp('not-an-ip')).toBeNull();
    expect(anonymizeIp(null)).toBeNull();
  });

  it('parses strictly', () => {
    expect(parseIp('[2001:db8::1]')?.toString()).toBe('2001:db8::1');
    expect(parseIp('fe80::1%eth0')?.kind()).toBe('ipv6');
    expect(parseIp('010.1.1.1')).toBeNull();
  });
});

describe('record layouts', () => {
  it('reads MaxMind GeoIP2/GeoLite2-City records (nested, localised names)', () => {
    // The shape of a GeoLite2-City record, trimmed.
    const record = {
      city: { geoname_id: 2643743, names: { de: 'London', en: 'London', ja: 'ロンドン' } },
      continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
      country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom', fr: 'Royaume-Uni' } },
      location: { accuracy_radius: 10, latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
      postal: { code: 'EC2V' },
      registered_country: { geoname_id: 6252001, iso_code: 'US', names: { en: 'United States' } },
      subdivisions: [{ geoname_id: 6269131, iso_code: 'ENG', names: { en: 'England' } }],
    };
    expect(recordToLocation(record)).toEqual({ city: 'London', region: 'England', country: 'United Kingdom', countryCode: 'GB', latitude: 51.5142, longitude: -0.0931 });
  });

  it('falls back to the registered country and Intl names when a record has no country names', () => {
    expect(recordToLocation({ registered_country: { iso_code: 'de' } })).toMatchObject({ country: 'Germany', countryCode: 'DE', city: null, latitude: null });
  });

  it('reads the flat ip-location-db layout and names countries in English', () => {
    expect(recordToLocation({ country_code: 'JP', state1: 'Tokyo', state2: '', city: 'Chiyoda City', postcode: '', latitude: 35.694000244140625, longitude: 139.75399780273438, timezone: '' }))
      .toEqual({ city: 'Chiyoda City', region: 'Tokyo', country: 'Japan', countryCode: 'JP', latitude: 35.694, longitude: 139.754 });
    expect(recordToLocation({ country_code: 'FR' })).toMatchObject({ country: 'France', city: null });
  });

  it('ignores records that say nothing or have the wrong types', () => {
    expect(recordToLocation(null)).toBeNull();
    expect(recordToLocation({})).toBeNull();
    expect(recordToLocation({ country_code: 42 })).toBeNull();
    expect(recordToLocation({ country: 'GB' })).toBeNull();
  });
});

describe('geoLocator sources (SESHAT_GEOIP_DB)', () => {
  it('uses the bundled database by default and carries the DB-IP attribution', async () => {
    const locator = geoLocator();
    expect(locator.attribution).toBe(DBIP_ATTRIBUTION);
    expect(DBIP_ATTRIBUTION).toBe('IP geolocation by DB-IP (https://db-ip.com)');
    expect((await locator.locate('81.2.69.160'))?.city).toBe('London');
  });

  it('reads another mmdb path; an IPv4-only file answers nothing for IPv6', async () => {
    const [ipv4File] = bundledDatabasePaths();
    const locator = geoLocator([ipv4File!]);
    await locator.open();
    expect((await locator.locate('133.242.0.3'))?.countryCode).toBe('JP');
    expect(await locator.locate('2a00:1450:4001:830::200e')).toBeNull();
    expect(locator.attribution).toBeNull();
  });

  it('rejects a path that cannot be read, and "off" locates nothing', async () => {
    await expect(geoLocator(['/nonexistent/GeoLite2-City.mmdb']).open()).rejects.toThrow();
    expect(await geoLocator('off').locate('81.2.69.160')).toBeNull();
  });
});

describe('a GeoLite2-City database (MaxMind layout) through SESHAT_GEOIP_DB', () => {
  const london = {
    city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
    continent: { code: 'EU', names: { en: 'Europe' } },
    country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
    location: { accuracy_radius: 10, latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
    registered_country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
    subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
  };
  const frankfurt = {
    city: { names: { en: 'Frankfurt am Main' } },
    country: { iso_code: 'DE', names: { en: 'Germany' } },
    location: { latitude: 50.1188, longitude: 8.6843 },
    subdivisions: [{ iso_code: 'HE', names: { en: 'Hesse' } }],
  };

  it('reads nested records for IPv4 and IPv6 from one IPv6 file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seshat-geo-'));
    try {
      const path = join(dir, 'GeoLite2-City.mmdb');
      writeFileSync(path, writeMmdb({ databaseType: 'GeoLite2-City', networks: [['81.2.69.0/24', london], ['2a00:1450::/32', frankfurt]] }));
      const locator = geoLocator([path]);
      await locator.open();
      expect(await locator.locate('81.2.69.160')).toEqual({ city: 'London', region: 'England', country: 'United Kingdom', countryCode: 'GB', latitude: 51.5142, longitude: -0.0931 });
      expect(await locator.locate('::ffff:81.2.69.7')).toMatchObject({ city: 'London' });
      expect(await locator.locate('2a00:1450:4001:830::200e')).toEqual({ city: 'Frankfurt am Main', region: 'Hesse', country: 'Germany', countryCode: 'DE', latitude: 50.1188, longitude: 8.6843 });
      expect(await locator.locate('8.8.8.8')).toBeNull();
      expect(await locator.locate('10.0.0.1')).toEqual(localNetwork);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
