import type { Command } from '../command.ts';
import { progressReporter, table } from '../output.ts';
import { asUsage, confirmEnding, describeSettings, endedNote, optionHelp, patchOf, SETTING_OPTIONS } from '../setting-options.ts';

/**
 * The session settings an administrator sets in the web UI (Settings page) or with `PATCH /api/admin/settings`,
 * for an operator at a shell: the same checks, the same audit event (`settings.changed`, actor: none), and running
 * servers apply the change at once (NOTIFY on PostgreSQL, the commit itself on SQLite).
 */
export const settingCommands: Command[] = [
  {
    path: ['settings', 'show'],
    summary: 'The session settings in force (timeouts, remember-me, limits, anonymisation, …)',
    synopsis: '[--json]',
    help: `Options:
  --json           the settings object, as GET /api/admin/settings returns it`,
    options: { json: { type: 'boolean' } },
    database: 'existing',
    async run({ values, manager, out }) {
      const settings = (await manager()).settings;
      out(values.json ? JSON.stringify(settings, null, 2) : table(describeSettings(settings), ['setting', 'value', 'meaning']));
      return 0;
    },
  },
  {
    path: ['settings', 'set'],
    summary: 'Change session settings; running servers apply them at once (asks first when sessions would end)',
    synopsis: '--<setting> <value> … [--yes] [--json]',
    help: `Options (at least one; D is a duration: 90s, 30m, 12h, 7d):
${optionHelp(SETTING_OPTIONS)}
  --yes, -y
      apply even when the change signs sessions out at once (needed when stdin is not a terminal)
  --json
      print the new settings as JSON

Shorter timeouts apply to sessions already running: the command counts the sessions the change would end at once
and asks first. The change is audited (settings.changed, with before and after) like one made in the web UI.`,
    options: {
      ...Object.fromEntries(SETTING_OPTIONS.map((o) => [o.option, { type: 'string' as const }])),
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
    },
    database: 'existing',
    async run({ values, manager, out }) {
      const patch = patchOf(values, SETTING_OPTIONS, 'seshat settings set --idle-timeout 30m --max-sessions 5');
      const m = await manager();
      const { endingSessions } = await m.previewSettings(null, patch).catch(asUsage);
      if (!(await confirmEnding(endingSessions, values.yes === true))) {
        out('Nothing changed.');
        return 1;
      }
      let progress: ReturnType<typeof progressReporter> | undefined;
      let last: { sessions: number; audit: number } = { sessions: 0, audit: 0 };
      m.events.on('ips.anonymizing', (p) => {
        progress ??= progressReporter('Anonymising stored addresses');
        last = { ...last, [p.table]: p.changed };
        progress.update(p.scanned, null, `${p.table === 'sessions' ? 'sessions' : 'audit events'} scanned, ${p.changed.toLocaleString('en')} rewritten`);
      });
      const settings = await m.updateSettings(null, patch).catch(asUsage);
      // Switching anonymisation on rewrites what is stored, in the background: stopping the manager waits for it.
      await m.stop();
      progress?.done();
      const rewritten = `Rewrote ${last.sessions.toLocaleString('en')} session and ${last.audit.toLocaleString('en')} audit-trail addresses to their prefixes.`;
      // With --json, standard output is the JSON alone (the summary goes with the progress, to stderr).
      if (progress) (values.json ? console.error : out)(rewritten);
      out(values.json ? JSON.stringify(settings, null, 2) : `Settings changed; running servers apply them at once.${endedNote(endingSessions)}`);
      return 0;
    },
  },
];
