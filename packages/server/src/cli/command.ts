import { createInterface } from 'node:readline/promises';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { SessionManager, Store, StoreScope } from 'seshat';
import { quoted } from './output.ts';

/**
 * One CLI command. Commands live in small modules per group (commands/users.ts, commands/sessions.ts, …) and
 * are listed in commands/index.ts; main.ts parses, prints help, opens the database and maps failures.
 * A new command is one entry: its words, its options, its help text and `run`.
 */
export interface Command {
  /** The words that name it: `['sessions', 'list']`. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** The options part of the synopsis: `--user <id|email> [--json]`. */
  synopsis?: string;
  /** More help, shown by `seshat <command> --help`: each option and what the command does. */
  help?: string;
  /** Options for node:util parseArgs (strict: unknown options are usage errors). */
  options?: ParseArgsOptionsConfig;
  /**
   * What the command needs of the database:
   * - `none`: it opens nothing itself (`serve` opens its own store);
   * - `create`: it may create the database and applies pending migrations first (`migrate`, `users create`);
   * - `existing`: it works on a database that exists and is migrated, and never creates or migrates one
   *   (read-only commands and routine operations: a typo in DATABASE_URL must not make a new empty database).
   */
  database: 'none' | 'create' | 'existing';
  run(context: CommandContext): Promise<number>;
}

/** Parsed option values: strings, booleans, or lists of them for `multiple` options. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  /**
   * The database, opened on first use as the command's `database` says (so options are checked before
   * anything is opened: check them first in `run`). Closed after the command.
   */
  store(): Promise<Store>;
  /** A session manager on the store (started on first use, stopped after the command). */
  manager(): Promise<SessionManager<StoreScope>>;
  out(line: string): void;
}

/**
 * A mistake in how the command was called: main.ts prints `message` and one `hint` line (not the whole
 * usage) and exits 2. Name the option in the message: "--batch-size must be a whole number from 1 to 100000".
 */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/**
 * Asks `question` on a terminal and answers whether the person typed "yes"; off a terminal (a script, a pipe) nobody
 * can answer, so it refuses with `withoutTerminal` (a usage error that names --yes).
 */
export async function confirmed(question: string, withoutTerminal: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError(withoutTerminal);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} Type "yes" to continue: `);
  rl.close();
  return answer.trim().toLowerCase() === 'yes';
}

/** A string option that must be given. */
export function required(values: OptionValues, option: string, hint?: string): string {
  const value = values[option];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} is required.`, hint);
  return value;
}

/** An optional whole-number option within bounds. */
export function integerOption(values: OptionValues, option: string, { min, max, fallback }: { min: number; max: number; fallback: number }): number {
  const raw = values[option];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${option} must be a whole number from ${min} to ${max} (got ${quoted(raw)}).`);
  return n;
}

/** Times in machine-readable output: ISO 8601 UTC, like the tables and the HTTP API. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
