import { ApiKeys, reasonSchema } from 'seshat';
import { iso, required, UsageError, type Command } from '../command.ts';
import { table } from '../output.ts';
import { findUser } from './users.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** API keys of any account, for an operator: find a key minted with a stolen cookie and end it. */
export const apiKeyCommands: Command[] = [
  {
    path: ['api-keys', 'list'],
    summary: "A user's live API keys (never the keys themselves)",
    synopsis: '--user <id|email> [--json]',
    help: `Options:
  --user U         the account's id (usr_…) or e-mail (required)
  --json           one JSON array (times in ISO 8601 UTC) instead of a table`,
    options: { user: { type: 'string' }, json: { type: 'boolean' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const named = required(values, 'user', 'Example: seshat api-keys list --user ops@example.com');
      const store = await openStore();
      const user = await findUser(store, named);
      const m = await manager();
      const keys = (await new ApiKeys({ store, audit: m.audit, policy: m.policy }).listOf(null, user.id)).map((k) => ({
        id: k.id, name: k.name, prefix: k.prefix, createdAt: iso(k.createdAt)!, lastUsedAt: iso(k.lastUsedAt), requests24h: k.requests24h,
      }));
      if (values.json) {
        out(JSON.stringify(keys, null, 2));
        return 0;
      }
      out(table(keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, created: k.createdAt, 'last used': k.lastUsedAt ?? 'never', 'requests 24h': String(k.requests24h) })),
        ['id', 'name', 'prefix', 'created', 'last used', 'requests 24h']));
      out(`${plural(keys.length, 'live API key')} for ${user.email}.`);
      return 0;
    },
  },
  {
    path: ['api-keys', 'revoke'],
    summary: 'Revoke one API key (--id) or all of a user\'s keys (--user)',
    synopsis: '(--id key_… | --user <id|email>) [--reason R]',
    help: `Options:
  --id K           the key's id (key_…, as \`seshat api-keys list\` shows it)
  --user U         revoke every live key of this account instead
  --reason R       why, for the audit trail (1–500 characters; default "revoked from the CLI")

Keys are refused from the moment this returns, on every server (each request reads the key's row).`,
    options: { id: { type: 'string' }, user: { type: 'string' }, reason: { type: 'string' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      if ((values.id === undefined) === (values.user === undefined)) throw new UsageError('Give either --id or --user.', 'Example: seshat api-keys revoke --id key_… --reason "leaked in CI logs"');
      const reason = reasonSchema.safeParse(values.reason === undefined ? 'revoked from the CLI' : String(values.reason));
      if (!reason.success) throw new UsageError('--reason must be 1 to 500 characters.');
      const store = await openStore();
      const m = await manager();
      if (typeof values.id === 'string') {
        const key = await new ApiKeys({ store, audit: m.audit, policy: m.policy }).revokeAny(null, values.id, reason.data);
        out(`Revoked API key ${key.id} ("${key.name}").`);
        return 0;
      }
      const user = await findUser(store, required(values, 'user'));
      const count = await m.change(async (change) => {
        const ids = await change.store.revokeUserApiKeys(user.id, m.clock.now());
        await change.audit({ action: 'api-keys.revoked', actorId: null, targetUserId: user.id, sessionId: null, reason: reason.data, ip: null, details: { count: ids.length, keyIds: ids.slice(0, 100) } });
        return ids.length;
      });
      out(`Revoked ${plural(count, 'API key')} of ${user.email}.`);
      return 0;
    },
  },
];
