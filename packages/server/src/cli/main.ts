import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isSeshatError, SessionManager, systemClock, type Store, type StoreScope } from 'seshat';
import { containApiKeys } from '../containment.ts';
import { assignRolePolicies } from '../session-policies.ts';
import { loadConfig } from '../config.ts';
import { UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';
import { openForCommand } from './database.ts';
import { printable, quoted } from './output.ts';
import { describeConnectionFailure } from './failures.ts';

/**
 * `seshat <command> [options]`: finds the command in the table (commands/index.ts), answers `--help` and
 * `--version` without running anything, opens the database the way the command declares, and turns every
 * failure into one message and an exit code: 2 for a usage mistake (with one hint line), 1 for anything else.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    console.log(`seshat ${version()}`);
    return 0;
  }
  const helpAsked = argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
  const words = (argv[0] === 'help' ? argv.slice(1) : argv).filter((a) => a !== '--help' && a !== '-h');
  const command = findCommand(words);

  if (helpAsked) {
    // Help never runs anything: not `serve`, not `migrate`, whatever else is on the line.
    if (command) console.log(commandHelp(command));
    else if (words.length === 0 || (!words[0]!.startsWith('-') && groupOf(words[0]!).length > 0)) console.log(usage(words[0]));
    else return fail(new UsageError(`Unknown command: ${quoted(words.join(' '))}.`, 'Run `seshat --help` for the list of commands.'));
    return 0;
  }
  if (!command) {
    if (argv.length === 0) {
      console.error(usage());
      return 2;
    }
    const group = groupOf(argv[0]!);
    if (group.length > 0) return fail(new UsageError(`\`seshat ${argv[0]}\` needs a command: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}.`, `Run \`seshat ${argv[0]} --help\` for details.`));
    return fail(new UsageError(`Unknown command: ${quoted(argv.join(' '))}.`, 'Run `seshat --help` for the list of commands.'));
  }

  let databaseUrl: string | undefined;
  let opened: Promise<Store> | undefined;
  const managers: SessionManager<StoreScope>[] = [];
  const store = (): Promise<Store> => {
    if (command.database === 'none') throw new Error(`seshat ${command.path.join(' ')} declares no database`);
    const config = loadConfig();
    databaseUrl ??= config.databaseUrl;
    opened ??= openForCommand(databaseUrl, command.database, config.redis);
    return opened;
  };
  try {
    const { values } = parseOptions(command, argv.slice(command.path.length));
    return await command.run({
      values,
      store,
      manager: async () => {
        const s = await store();
        // The CLI's revocations reach running servers' caches at once: on PostgreSQL through the channel's NOTIFY,
        // on SQLite through the commit itself (servers check PRAGMA data_version before trusting their cache).
        const channel = s.createInvalidationChannel?.({ nodeId: `cli/${process.pid}` });
        // `sessions gc` keeps ended sessions as long as the servers do (SESHAT_ENDED_RETENTION_DAYS).
        // The touch interval too: the shortest idle timeout `settings set` accepts follows from it, as on the servers.
        const { endedRetentionMs, touchIntervalMs } = loadConfig();
        // Session policies as the servers apply them: `sessions gc` and `sessions list` judge each person by theirs.
        const manager = await new SessionManager<StoreScope>({
          store: s,
          endedRetentionMs,
          touchIntervalMs,
          contain: containApiKeys(systemClock),
          assignPolicies: assignRolePolicies,
          ...(channel ? { channel } : {}),
        }).start();
        managers.push(manager);
        return manager;
      },
      out: (line) => console.log(line),
    });
  } catch (error) {
    return fail(error, command, databaseUrl);
  } finally {
    for (const manager of managers) await manager.stop().catch(() => {});
    await opened?.then((s) => s.close()).catch(() => {});
  }
}

function parseOptions(command: Command, args: string[]) {
  try {
    return parseArgs({ args, options: command.options ?? {}, strict: true, allowPositionals: false });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // node:util's messages name the option already ("Unknown option '--x'", "Option '--user <value>' argument missing").
      // They repeat what was typed, so it is made printable and bounded like any echoed argument.
      throw new UsageError(`${printable(error.message.split('. ')[0]!.replace(/\.$/, ''))}.`, `Usage: ${synopsis(command)}`);
    }
    throw error;
  }
}

/** Prints one failure and returns its exit code. */
function fail(error: unknown, command?: Command, databaseUrl?: string): number {
  const hint = command ? `Run \`seshat ${command.path.join(' ')} --help\` for its options.` : undefined;
  if (error instanceof UsageError) {
    console.error(`seshat: ${error.message}\n${error.hint ?? hint ?? ''}`.trimEnd());
    return 2;
  }
  if (error instanceof z.ZodError) {
    // Input checked by a schema (e-mail, password): name the option it came from.
    const first = error.issues[0]!;
    const option = first.path.length > 0 ? `--${String(first.path[0])}: ` : '';
    console.error(`seshat: ${option}${first.message}\n${hint ?? ''}`.trimEnd());
    return 2;
  }
  if (isSeshatError(error) && error.code === 'invalid_input') {
    console.error(`seshat: ${error.detail}`);
    return 2;
  }
  const unreachable = databaseUrl !== undefined ? describeConnectionFailure(error, databaseUrl) : null;
  console.error(`seshat: ${unreachable ?? (error instanceof Error ? error.message : String(error))}`);
  return 1;
}

/** The command named by the longest run of leading words (options excluded). */
function findCommand(words: string[]): Command | undefined {
  const leading: string[] = [];
  for (const word of words) {
    if (word.startsWith('-')) break;
    leading.push(word);
  }
  return commands
    .filter((c) => c.path.every((w, i) => leading[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

const groupOf = (word: string) => commands.filter((c) => c.path.length > 1 && c.path[0] === word);

const synopsis = (c: Command) => `seshat ${c.path.join(' ')}${c.synopsis ? ' ' + c.synopsis : ''}`;

function commandHelp(c: Command): string {
  return [`Usage: ${synopsis(c)}`, '', c.summary + '.', ...(c.help ? ['', c.help] : []), '', `Environment: DATABASE_URL (default sqlite:./data/seshat.db, or postgres://…).`].join('\n');
}

function usage(group?: string): string {
  const listed = group ? commands.filter((c) => c.path[0] === group) : commands;
  const lines = listed.map((c) => {
    const head = synopsis(c).slice('seshat '.length);
    return head.length <= 38 ? `  ${head.padEnd(40)}${c.summary}` : `  ${head}\n  ${' '.repeat(40)}${c.summary}`;
  });
  return [
    `Usage: seshat <command> [options]`,
    '',
    'Commands:',
    ...lines,
    '',
    'Options: --help (on any command: its options, runs nothing), --version.',
    'Environment: DATABASE_URL (default sqlite:./data/seshat.db); see the README for the rest.',
  ].join('\n');
}

function version(): string {
  // ../../package.json from both src/cli and dist/cli: the server package's own manifest.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
