import ipaddr from 'ipaddr.js';

/**
 * A minimal MaxMind DB (MMDB v2) writer for tests: an IPv6 tree with 32-bit records, IPv4 networks mapped
 * into ::/96 as real MaxMind databases do. Lets the GeoLite2-City record layout be tested through the real
 * `maxmind` reader without shipping MaxMind's data. Overlapping networks are not supported.
 */
export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

const TYPE = { pointer: 1, string: 2, double: 3, uint32: 6, map: 7, array: 11, boolean: 14 } as const;

function control(type: number, size: number): Buffer {
  let sizeBits: number;
  let extra: number[];
  if (size < 29) [sizeBits, extra] = [size, []];
  else if (size < 285) [sizeBits, extra] = [29, [size - 29]];
  else if (size < 65_821) [sizeBits, extra] = [30, [(size - 285) >> 8, (size - 285) & 0xff]];
  else [sizeBits, extra] = [31, [((size - 65_821) >> 16) & 0xff, ((size - 65_821) >> 8) & 0xff, (size - 65_821) & 0xff]];
  const extended = type > 7;
  return Buffer.from(extended ? [sizeBits, type - 7, ...extra] : [(type << 5) | sizeBits, ...extra]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(TYPE.string, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(TYPE.boolean, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value);
      const trimmed = bytes.subarray(bytes.findIndex((b) => b !== 0) === -1 ? 4 : bytes.findIndex((b) => b !== 0));
      return Buffer.concat([control(TYPE.uint32, trimmed.length), trimmed]);
    }
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(TYPE.double, 8), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(TYPE.array, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(TYPE.map, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

type Slot = { node: number } | { data: number } | null;

function networkBits(cidr: string): number[] {
  const [address, length] = ipaddr.parseCIDR(cidr);
  // IPv4 lives under ::/96 (not ::ffff:0:0/96) in MaxMind's IPv6 trees.
  const bytes = address.kind() === 'ipv4' ? [...new Array<number>(12).fill(0), ...(address as ipaddr.IPv4).octets] : address.toByteArray();
  const prefix = address.kind() === 'ipv4' ? 96 + length : length;
  const bits: number[] = [];
  for (let i = 0; i < prefix; i++) bits.push((bytes[i >> 3]! >> (7 - (i & 7))) & 1);
  return bits;
}

export function writeMmdb(options: { databaseType: string; networks: [cidr: string, record: MmdbValue][] }): Buffer {
  const nodes: [Slot, Slot][] = [[null, null]];
  const data: Buffer[] = [];
  let dataLength = 0;
  for (const [cidr, record] of options.networks) {
    const encoded = encode(record);
    const offset = dataLength;
    data.push(encoded);
    dataLength += encoded.length;
    const bits = networkBits(cidr);
    let node = 0;
    for (let i = 0; i < bits.length - 1; i++) {
      const slot = nodes[node]![bits[i]!];
      if (slot && 'node' in slot) node = slot.node;
      else {
        nodes.push([null, null]);
        nodes[node]![bits[i]!] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
    nodes[node]![bits.at(-1)!] = { data: offset };
  }

  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 8);
  nodes.forEach((pair, i) =>
    pair.forEach((slot, side) => {
      const value = slot === null ? nodeCount : 'node' in slot ? slot.node : nodeCount + 16 + slot.data;
      tree.writeUInt32BE(value, i * 8 + side * 4);
    }),
  );
  const metadata = encode({
    node_count: nodeCount,
    record_size: 32,
    ip_version: 6,
    database_type: options.databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_767_225_600,
    description: { en: 'Seshat test database' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}
