import { parseItem, parseList } from 'structured-headers';

/**
 * User-Agent Client Hints (Sec-CH-UA-*): Chromium browsers freeze much of the User-Agent string
 * ("Windows NT 10.0" for both Windows 10 and 11, "Android 10; K" for every phone) and send the real
 * values in these structured headers instead. The low-entropy ones (brands, mobile, platform) come with
 * every request; the others only after the server asks for them with `Accept-CH`.
 */
export const CLIENT_HINT_HEADERS = [
  'Sec-CH-UA',
  'Sec-CH-UA-Mobile',
  'Sec-CH-UA-Platform',
  'Sec-CH-UA-Platform-Version',
  'Sec-CH-UA-Model',
] as const;

/** The `Accept-CH` response header value asking browsers for the hints above on later requests. */
export const ACCEPT_CH = CLIENT_HINT_HEADERS.join(', ');

/** The User-Agent Client Hints a browser sent (`Sec-CH-UA*`), parsed. */
export interface ClientHints {
  /** Brand list without GREASE entries, in the order sent: `[{brand: "Google Chrome", version: "131"}]`. */
  brands: { brand: string; version: string | null }[];
  mobile: boolean | null;
  platform: string | null;
  platformVersion: string | null;
  model: string | null;
}

/** Request headers as Node gives them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  const text = Array.isArray(value) ? value.join(', ') : value;
  // Client hints are short; anything huge is not a browser talking and is not worth parsing.
  return text.length > 0 && text.length <= 1024 ? text : null;
}

/** An sf-string item, or null when absent, malformed or empty. Malformed hints are ignored, never an error. */
function stringItem(headers: HeaderBag, name: string): string | null {
  const raw = header(headers, name);
  if (raw === null) return null;
  try {
    const [value] = parseItem(raw);
    return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : null;
  } catch {
    return null;
  }
}

function booleanItem(headers: HeaderBag, name: string): boolean | null {
  const raw = header(headers, name);
  if (raw === null) return null;
  try {
    const [value] = parseItem(raw);
    return typeof value === 'boolean' ? value : null;
  } catch {
    return null;
  }
}

/**
 * GREASE brands ("Not_A Brand", "Not A(Brand", ";Not A Brand") are random noise browsers add so that
 * servers do not hard-code the list; they always contain "Not" and "Brand".
 */
function isGrease(brand: string): boolean {
  return /not.?a.?brand/i.test(brand);
}

function brandList(headers: HeaderBag): ClientHints['brands'] {
  const raw = header(headers, 'Sec-CH-UA');
  if (raw === null) return [];
  let list;
  try {
    list = parseList(raw);
  } catch {
    return [];
  }
  const brands: ClientHints['brands'] = [];
  for (const [value, params] of list) {
    if (typeof value !== 'string' || isGrease(value)) continue;
    const version = params.get('v');
    brands.push({ brand: value.slice(0, 100), version: typeof version === 'string' ? version.slice(0, 50) : null });
  }
  return brands;
}

/** Reads the client hints from request headers (lower-cased names, as Node gives them). */
export function readClientHints(headers: HeaderBag | undefined): ClientHints | null {
  if (!headers) return null;
  const hints: ClientHints = {
    brands: brandList(headers),
    mobile: booleanItem(headers, 'Sec-CH-UA-Mobile'),
    platform: stringItem(headers, 'Sec-CH-UA-Platform'),
    platformVersion: stringItem(headers, 'Sec-CH-UA-Platform-Version'),
    model: stringItem(headers, 'Sec-CH-UA-Model'),
  };
  const empty = hints.brands.length === 0 && hints.mobile === null && hints.platform === null && hints.platformVersion === null && hints.model === null;
  return empty ? null : hints;
}
