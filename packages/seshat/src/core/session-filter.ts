import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { storableText, userIdSchema } from './text.ts';

const time = z.number().int().nonnegative();

/** "203.0.113.7", "203.0.113.0/24", "2001:db8::/32": one address or a CIDR block. */
export const ipOrCidrSchema = storableText.max(64).refine((text) => parseCidr(text) !== null, 'must be an IP address or a CIDR block');

/**
 * Which live sessions an operation covers (revoke-matching and its dry run). Every criterion given must hold;
 * an empty filter matches every live session. Times are epoch milliseconds: before = strictly earlier.
 * One schema: the runtime check at every boundary and the type.
 */
export const sessionFilterSchema = z
  .object({
    /** Sessions of these people only (an empty list matches nothing). */
    userIds: z.array(userIdSchema).max(10_000).optional(),
    /** The session's recorded address is this one or inside this block. */
    ip: ipOrCidrSchema.optional(),
    /** ISO 3166-1 alpha-2, upper case. */
    countryCodes: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code')).min(1).max(300).optional(),
    /** desktop | mobile | tablet | bot | unknown… */
    deviceTypes: z.array(storableText.min(1).max(40)).min(1).max(20).optional(),
    /** The device label exactly ("Chrome on macOS"). */
    deviceLabel: storableText.min(1).max(200).optional(),
    /** Flagged (or not) by the risk rules at sign-in. */
    suspicious: z.boolean().optional(),
    /** Remembered ("keep me signed in") sessions, or the others. */
    persistent: z.boolean().optional(),
    createdBefore: time.optional(),
    createdAfter: time.optional(),
    lastActiveBefore: time.optional(),
    lastActiveAfter: time.optional(),
  })
  .strict();
/** See `sessionFilterSchema`. */
export type SessionFilter = z.infer<typeof sessionFilterSchema>;

/** The part of a filter stores evaluate in SQL (everything but the address block, which the core checks). */
export type SessionMatch = Omit<SessionFilter, 'ip'>;

/** A block list for an address or CIDR, or null when it is neither. */
export function parseCidr(text: string): BlockList | null {
  const [address = '', bits, extra] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  const list = new BlockList();
  list.addSubnet(address, prefix, type);
  return list;
}

/** Whether a recorded address (full, or an anonymised prefix) lies in `block`. Missing or malformed never does. */
export function ipInBlock(ip: string | null, block: BlockList): boolean {
  if (ip === null) return false;
  const family = isIP(ip);
  return family !== 0 && block.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
