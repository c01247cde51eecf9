import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under a directory (the UI's sources). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The browser tests drive the built UI as the server serves it, so build it when web/dist is
 * missing or older than its sources (a plain `vitest run` works, not only `npm test`).
 */
export default function buildWebUi(): void {
  const web = join(import.meta.dirname, '../web');
  const index = join(web, 'dist/index.html');
  const sources = Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs, statSync(join(web, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(import.meta.dirname, '../../../node_modules/.bin/vite');
  const result = spawnSync(vite, ['build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('Building the web UI failed');
}
