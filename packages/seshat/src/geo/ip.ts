import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * A strictly parsed address (dotted-quad IPv4 or IPv6; ipaddr.js alone would also take "0x7f.1"), with
 * IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what a dual-stack socket reports) turned into plain IPv4.
 */
export function parseIp(text: string | null | undefined): IpAddress | null {
  if (!text) return null;
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''); // [v6] and zone ids
  if (isIP(bare) === 0) return null;
  return ipaddr.process(bare);
}

/** IPv6 ranges that never leave a site: no GeoIP answer for them would be true. */
const localIpv6Ranges = new Set(['unspecified', 'linkLocal', 'multicast', 'loopback', 'uniqueLocal', 'deprecatedSiteLocal', 'discard', 'benchmarking', 'reserved']);

/**
 * Private, loopback, link-local, CGNAT, multicast and reserved (documentation, benchmarking) addresses.
 * A GeoIP database either has no row for them or a misleading one, so they are shown as "Local network".
 */
export function isLocalAddress(ip: IpAddress): boolean {
  const range = ip.range();
  if (ip.kind() === 'ipv4') return range !== 'unicast';
  return localIpv6Ranges.has(range);
}

/**
 * Keeps the network, drops the host: IPv4 → /24 (203.0.113.77 → 203.0.113.0), IPv6 → /48
 * (2001:db8:1234:5678::1 → 2001:db8:1234::). Enough to tell networks apart in a session list,
 * not enough to single out a subscriber. Null for anything that is not an address.
 */
export function anonymizeIp(text: string | null | undefined): string | null {
  const ip = parseIp(text);
  if (ip === null) return null;
  if (ip.kind() === 'ipv4') {
    const [a, b, c] = (ip as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0`;
  }
  const parts = (ip as ipaddr.IPv6).parts.map((part, i) => (i < 3 ? part : 0));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** The canonical text form (RFC 5952 for IPv6) used for lookups and storage. */
export function formatIp(ip: IpAddress): string {
  return ip.kind() === 'ipv4' ? ip.toString() : (ip as ipaddr.IPv6).toRFC5952String();
}
