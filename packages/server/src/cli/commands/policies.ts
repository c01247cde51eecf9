import type { SessionPolicy, Store } from 'seshat';
import { roles } from '../../permissions.ts';
import { roleSubject, splitPolicies, userSubject } from '../../session-policies.ts';
import { iso, required, UsageError, type Command, type OptionValues } from '../command.ts';
import { table } from '../output.ts';
import { asUsage, confirmEnding, describePolicy, endedNote, optionHelp, patchOf, POLICY_OPTIONS } from '../setting-options.ts';
import { findUser, roleOption } from './users.ts';

/**
 * Session policies from a shell: a role's (everyone with that role) or one person's override, layered over the
 * global settings field by field (the person's, then the role's, then the settings), as the web UI's Policies page
 * and `/api/admin/policies` edit them. Audited (`policy.changed`, actor: none); running servers apply them at once.
 */

/** The policy a `--role` or `--user` option names, by its stored subject, and how to say whose it is. */
async function subjectOf(values: OptionValues, store: Store): Promise<{ subject: string; whose: string }> {
  const { role, user } = values;
  if ((role === undefined) === (user === undefined)) throw new UsageError('Give either --role or --user.', 'Example: seshat policies set --role admin --idle-timeout 15m');
  if (role !== undefined) {
    const named = roleOption(role);
    return { subject: roleSubject(named), whose: `the ${named} role` };
  }
  const person = await findUser(store, required(values, 'user'));
  return { subject: userSubject(person.id), whose: person.email };
}

/**
 * Makes a policy edit after the preview's confirmation; returns the exit code. `edit` returns what to say it did
 * (it may only know after the edit: `policies set` merges inside the transaction).
 */
async function afterPreview(preview: Promise<{ endingSessions: number }>, edit: () => Promise<string>, yes: boolean, out: (line: string) => void): Promise<number> {
  const { endingSessions } = await preview.catch(asUsage);
  if (!(await confirmEnding(endingSessions, yes))) {
    out('Nothing changed.');
    return 1;
  }
  const done = await edit().catch(asUsage);
  out(`${done}; running servers apply it at once.${endedNote(endingSessions)}`);
  return 0;
}

const whoOptions = `  --role R
      a role's policy (everyone with the role): ${roles.join(', ')}
  --user U
      one person's override, by id (usr_…) or e-mail`;

export const policyCommands: Command[] = [
  {
    path: ['policies', 'list'],
    summary: 'The session policies of roles and people (what each overrides of the settings)',
    synopsis: '[--json]',
    help: `Options:
  --json           one JSON object { roles: [...], users: [...] } like GET /api/admin/policies (times in ISO 8601 UTC)`,
    options: { json: { type: 'boolean' } },
    database: 'existing',
    async run({ values, store: openStore, out }) {
      const store = await openStore();
      const { byRole, byUser } = splitPolicies(await store.listSessionPolicies());
      const people = await Promise.all([...byUser.keys()].map((id) => store.findUserById(id)));
      const roleEntries = roles.flatMap((role) => {
        const p = byRole.get(role);
        return p ? [{ role, policy: p.policy, updatedAt: iso(p.updatedAt)! }] : [];
      });
      const userEntries = [...byUser.values()].map((p, i) => ({ userId: p.subject.slice(5), email: people[i]?.email ?? null, policy: p.policy, updatedAt: iso(p.updatedAt)! }));
      if (values.json) {
        out(JSON.stringify({ roles: roleEntries, users: userEntries }, null, 2));
        return 0;
      }
      const rows = [
        ...roleEntries.map((r) => ({ whose: `role ${r.role}`, policy: describePolicy(r.policy), updated: r.updatedAt })),
        ...userEntries.map((u) => ({ whose: `user ${u.email ?? u.userId}`, policy: describePolicy(u.policy), updated: u.updatedAt })),
      ];
      out(table(rows, ['whose', 'policy', 'updated']));
      out('Anything a policy does not set comes from the settings (`seshat settings show`); a person\'s override comes before their role\'s policy.');
      return 0;
    },
  },
  {
    path: ['policies', 'set'],
    summary: "Set fields of a role's session policy or a person's override (asks first when sessions would end)",
    synopsis: '(--role R | --user U) --<setting> <value> … [--yes]',
    help: `Options (--role or --user, and at least one setting; D is a duration: 90s, 30m, 12h, 7d):
${whoOptions}
${optionHelp(POLICY_OPTIONS)}
  --yes, -y
      apply even when the change signs sessions out at once (needed when stdin is not a terminal)

The settings given change those fields of the policy; its other fields stay as they are (\`seshat policies clear\`
removes a whole policy). A stricter policy applies to sessions already running: the command counts the sessions it
would end at once and asks first.`,
    options: {
      role: { type: 'string' },
      user: { type: 'string' },
      ...Object.fromEntries(POLICY_OPTIONS.map((o) => [o.option, { type: 'string' as const }])),
      yes: { type: 'boolean', short: 'y' },
    },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const patch = patchOf(values, POLICY_OPTIONS, 'seshat policies set --role admin --idle-timeout 15m') as SessionPolicy;
      const { subject, whose } = await subjectOf(values, await openStore());
      const m = await manager();
      // The preview merges over the policy stored now; the update merges again in its transaction, under the
      // policy's lock, so a `policies set` of other fields running at the same time is not lost.
      const update = async () => `Policy of ${whose} set: ${describePolicy((await m.updatePolicy(null, subject, patch)).policy)}`;
      return afterPreview(m.previewPolicyUpdate(null, subject, patch), update, values.yes === true, out);
    },
  },
  {
    path: ['policies', 'clear'],
    summary: "Remove a role's session policy or a person's override (the settings apply again)",
    synopsis: '(--role R | --user U) [--yes]',
    help: `Options:
${whoOptions}
  --yes, -y
      apply even when the change signs sessions out at once (a looser policy removed)`,
    options: { role: { type: 'string' }, user: { type: 'string' }, yes: { type: 'boolean', short: 'y' } },
    database: 'existing',
    async run({ values, store: openStore, manager, out }) {
      const store = await openStore();
      const { subject, whose } = await subjectOf(values, store);
      if (!(await store.findSessionPolicy(subject))) {
        out(`No policy for ${whose}: nothing changed.`);
        return 0;
      }
      const m = await manager();
      const remove = async () => {
        await m.savePolicy(null, subject, null);
        return `Policy of ${whose} removed`;
      };
      return afterPreview(m.previewPolicy(null, subject, null), remove, values.yes === true, out);
    },
  },
];
