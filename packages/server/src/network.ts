import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * ISP / network names ("Telefonica de Espana SAU") for IP addresses, offline, from the AS-organisation tables of
 * @ip-location-db/asn (RouteViews and DB-IP data, CC BY 4.0; the UI credits both). A server dependency, never the
 * library's: it is 60 MB of CSV. Loaded in the background at start-up into sorted typed arrays (a binary search per
 * address, ~10 MB in memory); until it is loaded, or with SESHAT_NETWORK=off, sessions have no network.
 *
 * IPv6 ranges are compared on their upper 64 bits: routed prefixes are /64 or shorter, so that is exact.
 */
interface Table {
  starts: Float64Array | BigUint64Array;
  ends: Float64Array | BigUint64Array;
  names: Uint32Array;
}

let v4: { starts: Float64Array; ends: Float64Array; names: Uint32Array } | null = null;
let v6: { starts: BigUint64Array; ends: BigUint64Array; names: Uint32Array } | null = null;
let organisations: string[] = [];
let loading: Promise<void> | null = null;

function packageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
  } catch {
    return null;
  }
}

async function readTable(file: string, parse: (text: string) => number | bigint, big: boolean, names: Map<string, number>): Promise<Table> {
  const starts: (number | bigint)[] = [];
  const ends: (number | bigint)[] = [];
  const ids: number[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    // start,end,asn,"organisation, maybe with commas"
    const first = line.indexOf(',');
    const second = line.indexOf(',', first + 1);
    const third = line.indexOf(',', second + 1);
    if (third < 0) continue;
    let name = line.slice(third + 1);
    if (name.startsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
    let id = names.get(name);
    if (id === undefined) {
      id = organisations.length;
      organisations.push(name);
      names.set(name, id);
    }
    starts.push(parse(line.slice(0, first)));
    ends.push(parse(line.slice(first + 1, second)));
    ids.push(id);
  }
  return big
    ? { starts: BigUint64Array.from(starts as bigint[]), ends: BigUint64Array.from(ends as bigint[]), names: Uint32Array.from(ids) }
    : { starts: Float64Array.from(starts as number[]), ends: Float64Array.from(ends as number[]), names: Uint32Array.from(ids) };
}

const high64 = (text: string) => BigInt(text) >> 64n;

/** Starts loading the tables (once); resolves when they are in memory, or at once if the package is missing. */
export function loadNetworks(): Promise<void> {
  loading ??= (async () => {
    const dir = packageDir();
    if (!dir) return;
    const names = new Map<string, number>();
    organisations = [];
    v4 = (await readTable(join(dir, 'asn-ipv4-num.csv'), Number, false, names)) as typeof v4;
    v6 = (await readTable(join(dir, 'asn-ipv6-num.csv'), high64, true, names)) as typeof v6;
  })();
  return loading;
}

function find<T extends number | bigint>(starts: ArrayLike<T>, ends: ArrayLike<T>, value: T): number {
  let low = 0;
  let high = starts.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (starts[mid]! > value) high = mid - 1;
    else if (ends[mid]! < value) low = mid + 1;
    else return mid;
  }
  return -1;
}

function ipv4Number(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

function ipv6High64(ip: string): bigint {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  let value = 0n;
  for (const group of groups.slice(0, 4)) value = (value << 16n) + BigInt(parseInt(group || '0', 16));
  return value;
}

/** The network (AS organisation) an address belongs to, or null (unknown, private, or tables not loaded). */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(plain);
  if (family === 4 && v4) {
    const i = find(v4.starts, v4.ends, ipv4Number(plain));
    return i < 0 ? null : (organisations[v4.names[i]!] ?? null);
  }
  if (family === 6 && v6) {
    const i = find(v6.starts, v6.ends, ipv6High64(plain));
    return i < 0 ? null : (organisations[v6.names[i]!] ?? null);
  }
  return null;
}
