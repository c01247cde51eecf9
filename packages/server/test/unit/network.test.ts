import { beforeAll, describe, expect, it } from 'vitest';
import { loadNetworks, networkOf } from '../../src/network.ts';

describe('network (ISP) names from the offline AS-organisation tables', () => {
  beforeAll(() => loadNetworks());

  it('names the network of IPv4 and IPv6 addresses, and nothing for private ones', () => {
    expect(networkOf('8.8.8.8')).toBe('Google LLC');
    expect(networkOf('::ffff:8.8.8.8')).toBe('Google LLC');
    expect(networkOf('2001:4860:4860::8888')).toBe('Google LLC');
    expect(networkOf('213.13.146.142')).toMatch(/^MEO/);
    // An anonymised address (/24) still names its network.
    expect(networkOf('213.13.146.0')).toMatch(/^MEO/);
    expect(networkOf('192.168.1.20')).toBeNull();
    expect(networkOf('10.0.0.1')).toBeNull();
    expect(networkOf(null)).toBeNull();
    expect(networkOf('not an address')).toBeNull();
  });
});
