import { resolve } from 'node:path';

/** The repository root and the server package, wherever a test runs from. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const SERVER_ROOT = resolve(import.meta.dirname, '../..');

/**
 * How to run the `seshat` command from the sources: the pinned Node 24, resolving `seshat` to the library's
 * TypeScript sources (the `seshat-source` export condition), as `npm run seshat` does.
 */
export function seshatCommand(args: string[]): { command: string; args: string[] } {
  return {
    command: resolve(REPO_ROOT, 'node_modules/.bin/node'),
    args: ['--conditions=seshat-source', resolve(SERVER_ROOT, 'bin/seshat.ts'), ...args],
  };
}
