import { createInterface } from 'node:readline/promises';
import type { SessionRecord } from 'seshat';
import { integerOption, iso, required, UsageError, type Command } from '../command.ts';
import { progressReporter, table } from '../output.ts';
import { sessionOwner } from './users.ts';

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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
    summary: "Sign a user out everywhere (every active session of theirs)",
    synopsis: '--user <id|email> [--reason R]',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --reason R       why, for the audit trail (1–500 characters; default "revoked from the CLI")

Running servers drop the sessions from their caches at once (PostgreSQL) or within the cache TTL (SQLite).`,
    options: { user: { type: 'string' }, reason: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat sessions revoke --user ops@example.com --reason "lost laptop"');
      const reason = values.reason === undefined ? 'revoked from the CLI' : String(values.reason).trim();
      if (reason.length < 1 || reason.length > 500) throw new UsageError('--reason must be 1 to 500 characters.');
      const m = await manager();
      const user = await sessionOwner(await openStore(), m, named);
      const { sessions: count, credentials } = await m.containUser(null, user.id, reason);
      out(`Signed out ${plural(count, 'session')} of ${user.label}${credentials > 0 ? ` and revoked ${plural(credentials, 'API key')}` : ''}.`);
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
      if (!values.yes) {
        if (!process.stdin.isTTY) throw new UsageError('Refusing to sign everyone out without confirmation: pass --yes.');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(`Sign out all ${active} active sessions? Everyone will have to sign in again. Type "yes" to continue: `);
        rl.close();
        if (answer.trim().toLowerCase() !== 'yes') {
          out('Nothing changed.');
          return 1;
        }
      }
      const { sessions: count, credentials } = await m.containAll(null, typeof values.reason === 'string' ? values.reason : 'invalidate-all from the CLI');
      out(`Signed out ${plural(count, 'session')}${credentials > 0 ? ` and revoked ${plural(credentials, 'API key')}` : ''}.`);
      return 0;
    },
  },
];
