import { parseCidr, type SessionFilter, type SessionRecord } from 'seshat';
import { confirmed, integerOption, iso, required, UsageError, type Command, type OptionValues } from '../command.ts';
import { progressReporter, quoted, table } from '../output.ts';
import { roleOption, sessionOwner } from './users.ts';

/** A session as the CLI shows it: no secret hash, ISO times (the same in the table and in JSON). */
const sessionRow = (s: SessionRecord) => ({
  id: s.id,
  userId: s.userId,
  device: s.device.label,
  ip: s.ip,
  location: s.location ? [s.location.city, s.location.country].filter(Boolean).join(', ') || null : null,
  createdAt: iso(s.createdAt)!,
  lastActiveAt: iso(s.lastActiveAt)!,
  persistent: s.persistent,
  userAgent: s.userAgent,
  risk: s.risk,
  requests: s.requests,
});

const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString('en')} ${n === 1 ? word : many}`;

/** A date option: a day (2026-11-01, midnight UTC) or an ISO 8601 time. */
function timeOption(values: OptionValues, option: string): number | undefined {
  const raw = values[option];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--${option} must be a date (2026-11-01) or an ISO 8601 time (got ${quoted(text)}).`);
  return ms;
}

/** The session filter the options describe (people are added by the caller: they need the database). */
function filterOptions(values: OptionValues): SessionFilter {
  const list = (option: string) => (values[option] === undefined ? undefined : (values[option] as string[]).map((v) => String(v).trim()));
  const filter: SessionFilter = {};
  const countries = list('country');
  if (countries) {
    const bad = countries.find((c) => !/^[A-Za-z]{2}$/.test(c));
    if (bad !== undefined) throw new UsageError(`--country must be a two-letter country code such as DE (got ${quoted(bad)}).`);
    filter.countryCodes = countries.map((c) => c.toUpperCase());
  }
  if (values.ip !== undefined) {
    if (!parseCidr(String(values.ip))) throw new UsageError(`--ip must be an address or a CIDR block such as 203.0.113.0/24 (got ${quoted(values.ip)}).`);
    filter.ip = String(values.ip).trim();
  }
  const types = list('device-type');
  if (types) filter.deviceTypes = types;
  if (values.suspicious) filter.suspicious = true;
  if (values.remembered) filter.persistent = true;
  const times = { createdBefore: 'created-before', createdAfter: 'created-after', lastActiveBefore: 'active-before', lastActiveAfter: 'active-after' } as const;
  for (const [key, option] of Object.entries(times)) {
    const ms = timeOption(values, option);
    if (ms !== undefined) filter[key as keyof typeof times] = ms;
  }
  return filter;
}

export const sessionCommands: Command[] = [
  {
    path: ['sessions', 'list'],
    summary: "A user's active sessions",
    synopsis: '--user <id|email> [--json]',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --json           one JSON array (times in ISO 8601 UTC) instead of a table`,
    options: { user: { type: 'string' }, json: { type: 'boolean' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat sessions list --user ops@example.com');
      const m = await manager();
      const user = await sessionOwner(await openStore(), m, named);
      const sessions = (await m.listOwnSessions({ userId: user.id })).map(sessionRow);
      if (values.json) {
        out(JSON.stringify(sessions, null, 2));
        return 0;
      }
      const rows = sessions.map((s) => ({
        id: s.id,
        device: s.device,
        ip: s.ip ?? '',
        location: s.location ?? '',
        created: s.createdAt,
        'last active': s.lastActiveAt,
        remembered: s.persistent ? 'yes' : 'no',
      }));
      out(table(rows, ['id', 'device', 'ip', 'location', 'created', 'last active', 'remembered']));
      out(`${plural(sessions.length, 'active session')} for ${user.label}.`);
      return 0;
    },
  },
  {
    path: ['sessions', 'revoke'],
    summary: 'Sign out a user everywhere, or every session matching filters (with --dry-run to preview)',
    synopsis: '[--user <id|email>] [filters…] [--dry-run] [--reason R]',
    help: `Options:
  --user U              the account's id (usr_…) or e-mail
  --country CC          sessions signed in from this country (ISO code; repeat for several)
  --ip A                an address or a CIDR block (203.0.113.0/24)
  --device-type T       desktop, mobile, tablet, bot or unknown (repeat for several)
  --role R              sessions of people with this role (owner, admin, auditor, user)
  --suspicious          only sessions the risk rules flagged at sign-in
  --remembered          only "keep me signed in" sessions
  --created-before D    signed in before this date or time (2026-11-01, or ISO 8601)
  --created-after D     signed in after it
  --active-before D     last active before it
  --active-after D      last active after it
  --dry-run             count the matching sessions and show a few; change nothing
  --reason R            why, for the audit trail (1–500 characters; default "revoked from the CLI")

With --user alone, signs that person out everywhere. With filters, every live session matching all of them
ends in one transaction, recorded as one audit event. Running servers drop the sessions from their caches at
once (PostgreSQL) or within the cache TTL (SQLite).`,
    options: {
      user: { type: 'string' },
      reason: { type: 'string' },
      country: { type: 'string', multiple: true },
      ip: { type: 'string' },
      'device-type': { type: 'string', multiple: true },
      role: { type: 'string' },
      suspicious: { type: 'boolean' },
      remembered: { type: 'boolean' },
      'created-before': { type: 'string' },
      'created-after': { type: 'string' },
      'active-before': { type: 'string' },
      'active-after': { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const reason = values.reason === undefined ? 'revoked from the CLI' : String(values.reason).trim();
      if (reason.length < 1 || reason.length > 500) throw new UsageError('--reason must be 1 to 500 characters.');
      const filter = filterOptions(values);
      const filtered = Object.keys(filter).length > 0 || values.role !== undefined || values['dry-run'] === true;
      if (!filtered) {
        const named = required(values, 'user', 'Example: seshat sessions revoke --country DE --created-before 2026-11-01 --dry-run');
        const m = await manager();
        const user = await sessionOwner(await openStore(), m, named);
        const { sessions: count, credentials } = await m.containUser(null, user.id, reason);
        out(`Signed out ${plural(count, 'session')} of ${user.label}${credentials > 0 ? ` and revoked ${plural(credentials, 'API key')}` : ''}.`);
        return 0;
      }
      const m = await manager();
      const store = await openStore();
      if (typeof values.user === 'string') filter.userIds = [(await sessionOwner(store, m, values.user)).id];
      if (values.role !== undefined) {
        const role = roleOption(values.role);
        const withRole = new Set((await store.listUsers()).filter((u) => u.role === role).map((u) => u.id));
        filter.userIds = filter.userIds ? filter.userIds.filter((id) => withRole.has(id)) : [...withRole];
      }
      if (values['dry-run']) {
        const preview = await m.revokeMatching(null, filter, { reason, dryRun: true });
        if (preview.sample.length > 0) {
          out(table(preview.sample.map(sessionRow).map((s) => ({ id: s.id, user: s.userId, device: s.device, ip: s.ip ?? '', location: s.location ?? '', created: s.createdAt })), ['id', 'user', 'device', 'ip', 'location', 'created']));
        }
        out(`${plural(preview.matched, 'session')} of ${plural(preview.users, 'person', 'people')} would be signed out (dry run: nothing changed).`);
        return 0;
      }
      const { revoked } = await m.revokeMatching(null, filter, { reason });
      out(`Signed out ${plural(revoked, 'matching session')}.`);
      return 0;
    },
  },
  {
    path: ['sessions', 'gc'],
    summary: 'Delete expired and revoked sessions in batches, with progress',
    synopsis: '[--batch-size N]',
    help: `Options:
  --batch-size N   sessions looked at per step (1–100000, default 1000)`,
    options: { 'batch-size': { type: 'string' } },
    database: 'existing',
    async run({ values, manager, out }) {
      const batchSize = integerOption(values, 'batch-size', { min: 1, max: 100_000, fallback: 1000 });
      const progress = progressReporter('Scanning sessions');
      const result = await (await manager()).collectGarbage({ batchSize, onProgress: (p) => progress.update(p.scanned, p.total, `— ${p.deleted.toLocaleString('en')} deleted`) });
      progress.done();
      out(`Deleted ${result.deleted.toLocaleString('en')} expired or revoked sessions (scanned ${result.scanned.toLocaleString('en')}).`);
      return 0;
    },
  },
  {
    path: ['sessions', 'invalidate-all'],
    summary: 'Sign out every session (asks first unless --yes)',
    synopsis: '[--yes] [--reason R]',
    help: `Options:
  --yes, -y        do not ask (needed when stdin is not a terminal)
  --reason R       why, for the audit trail`,
    options: { yes: { type: 'boolean', short: 'y' }, reason: { type: 'string' } },
    database: 'existing',
    async run({ values, manager, out }) {
      const m = await manager();
      const active = await m.countActiveSessions();
      if (!values.yes && !(await confirmed(`Sign out all ${active} active sessions? Everyone will have to sign in again.`, 'Refusing to sign everyone out without confirmation: pass --yes.'))) {
        out('Nothing changed.');
        return 1;
      }
      const { sessions: count, credentials } = await m.containAll(null, typeof values.reason === 'string' ? values.reason : 'invalidate-all from the CLI');
      out(`Signed out ${plural(count, 'session')}${credentials > 0 ? ` and revoked ${plural(credentials, 'API key')}` : ''}.`);
      return 0;
    },
  },
];
