import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exerciseExample, startExample, stopExample } from './flow.ts';

/**
 * The README's quick-starts are these files (a test in readme.test.ts checks the README quotes them
 * verbatim). Each runs as its own process, as `npm run example:<name>` would.
 */
const EXAMPLES = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'seshat-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['express', 'fastify', 'hono'])('the %s quick-start', (name) => {
  it('signs in, lists, revokes one and the others, uses an API key, signs out, and shuts down cleanly', async () => {
    const app = await startExample([process.execPath, '--conditions=seshat-source', join(EXAMPLES, `${name}.ts`)], { DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}` }, dir);
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // binds 127.0.0.1 and logs the real port
      await exerciseExample(app.url);
    } finally {
      expect(await stopExample(app.child)).toBe(0);
    }
  });
});

describe('the minimal example', () => {
  it('signs in and knows who is signed in', async () => {
    const app = await startExample([process.execPath, '--conditions=seshat-source', join(EXAMPLES, 'minimal.ts')], {}, dir);
    try {
      const login = await fetch(`${app.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'correct horse' }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect(await (await fetch(`${app.url}/me`, { headers: { cookie } })).json()).toEqual({ userId: 'usr_alice' });
      expect(await (await fetch(`${app.url}/me`)).json()).toEqual({ userId: null });
    } finally {
      await stopExample(app.child);
    }
  });
});
