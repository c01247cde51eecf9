/**
 * Memory per 1,000 open live session streams (`GET /api/sessions/stream`): starts the real server as its own
 * process on a fresh SQLite file, issues N sessions straight into the file, opens one stream per session and reads
 * the server's resident memory (VmRSS) before and after (each after 2 s of quiet).
 * `npm run bench:streams -- [N=1000]`
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionManager } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';

const n = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'seshat-streams-'));
const file = join(dir, 'seshat.db');
const store = new SqliteStore(file);
await store.migrate();
const manager = await new SessionManager({ store }).start();
const cookies: string[] = [];
for (let i = 0; i < n; i++) cookies.push(`session_token=${(await manager.createSession({ userId: `usr_${i}`, remember: false, ip: null, userAgent: null })).token}`);
await manager.stop();
await store.close();

const child = spawn(process.execPath, ['--conditions=seshat-source', 'packages/server/bin/seshat.ts', 'serve'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn', SESHAT_GC_INTERVAL_SECONDS: '0', SESHAT_ADMIN_EMAIL: 'a@example.com', SESHAT_ADMIN_PASSWORD: 'bench password 1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c;
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
    if (m) resolve(m[1]!);
  });
});
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
const settle = () => new Promise((r) => setTimeout(r, 2000));
// Warm up: one stream opened and closed, so code paths are compiled before the baseline.
const open = (cookie: string) => new Promise<IncomingMessage>((resolve, reject) => get(`${url}/api/sessions/stream`, { agent: false, headers: { cookie } }, resolve).on('error', reject));
(await open(cookies[0]!)).destroy();
await settle();
const before = rss();
const streams: IncomingMessage[] = [];
for (let i = 0; i < n; i += 50) streams.push(...(await Promise.all(cookies.slice(i, i + 50).map(open))));
const opened = streams.filter((s) => s.statusCode === 200).length;
await settle();
const after = rss();
console.log(JSON.stringify({ streams: opened, rssBeforeMiB: +(before / 2 ** 20).toFixed(1), rssAfterMiB: +(after / 2 ** 20).toFixed(1), perThousandMiB: +(((after - before) / opened) * 1000 / 2 ** 20).toFixed(2), perStreamKiB: +((after - before) / opened / 1024).toFixed(1) }));
for (const s of streams) s.destroy();
child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
