import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/server.ts';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';

/**
 * One real server process (the CLI), logging at debug level, taken through a full flow: sign-ins, a failed
 * sign-in, listing, detail, revocation, password change, logout, malformed input. Then the database files
 * and every captured log line are searched for anything secret.
 */
const EMAIL = 'admin@example.com';
const PASSWORD = 'first-Secret-passw0rd';
const NEW_PASSWORD = 'second-Secret-passw0rd';

let dir: string;
let server: SpawnedServer;
const tokens: string[] = [];
const apiKeys: string[] = [];
let dbFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seshat-sec-'));
  dbFile = join(dir, 'seshat.db');
  server = await spawnServer({
    DATABASE_URL: `sqlite:${dbFile}`,
    LOG_LEVEL: 'debug',
    SESHAT_ADMIN_EMAIL: EMAIL,
    SESHAT_ADMIN_PASSWORD: PASSWORD,
  });
  const url = server.url;
  const a = new Client(url);
  const b = new Client(url);
  const c = new Client(url);
  await a.login(EMAIL, PASSWORD);
  await b.login(EMAIL, PASSWORD, true);
  await c.login(EMAIL, PASSWORD);
  tokens.push(a.token!, b.token!, c.token!);
  expect((await new Client(url).post('/api/auth/login', { email: EMAIL, password: PASSWORD + 'x' })).status).toBe(401);
  expect((await new Client(url).post('/api/auth/login', { email: 'nobody@example.com', password: PASSWORD })).status).toBe(401);
  // A body that is not JSON, carrying the password: parsers like to quote their input in error messages.
  const broken = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email":"${EMAIL}","password":"${PASSWORD}"` });
  expect(broken.status).toBe(400);
  expect((await a.get('/api/auth/session')).status).toBe(200);
  const list = (await (await a.get('/api/sessions')).json()) as { sessions: { id: string }[] };
  expect(list.sessions.length).toBe(3);
  const other = list.sessions[1]!.id;
  expect((await a.get(`/api/sessions/${other}`)).status).toBe(200);
  expect((await a.delete(`/api/sessions/${other}`)).status).toBe(204);
  expect((await a.post('/api/sessions/revoke-others')).status).toBe(200);
  // Tampered token (a real id with a wrong secret), and a request with the token where it does not belong.
  const [id] = a.token!.split('.');
  expect((await fetch(`${url}/api/auth/session`, { headers: { cookie: `session_token=${id}.${'A'.repeat(43)}` } })).status).toBe(401);
  expect((await fetch(`${url}/api/auth/session`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(401);
  // An API key: created (its only appearance is that response), used as a Bearer credential, revoked.
  const created = await a.post('/api/api-keys', { name: 'log-scan' });
  if (created.status !== 404) {
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    apiKeys.push(key);
    expect((await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${key}x` } })).status).toBe(401);
    expect((await a.delete(`/api/api-keys/${id}`)).status).toBe(204);
    expect((await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  }
  const changed = await a.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  expect(changed.status).toBe(200);
  expect((await a.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(400);
  const d = new Client(url);
  await d.login(EMAIL, NEW_PASSWORD);
  tokens.push(d.token!);
  expect((await d.post('/api/auth/logout')).status).toBe(204);
  expect((await a.post('/api/auth/logout')).status).toBe(204);
}, 60_000);

afterAll(async () => {
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

function secretsOf(token: string): string[] {
  const secret = token.split('.')[1]!;
  return [token, secret, secret.slice(0, 16), Buffer.from(secret, 'base64url').toString('hex')];
}

function passwordHashes(): string[] {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    return db.prepare('SELECT password_hash FROM users').all().flatMap((r) => {
      const hash = String(r.password_hash);
      return [hash, hash.split('$').at(-1)!];
    });
  } finally {
    db.close();
  }
}

describe('secrets', () => {
  it('only hashes are at rest: no token, secret, API key or password in the database file, its -wal or -shm', () => {
    const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`].filter(existsSync);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(tokens.length).toBe(4);
    for (const token of tokens) {
      for (const s of secretsOf(token)) expect(bytes.includes(Buffer.from(s)), s).toBe(false);
      const raw = Buffer.from(token.split('.')[1]!, 'base64url');
      expect(bytes.includes(raw)).toBe(false);
      // Positive control: the scan does see the data — SHA-256 of the secret is there, as is the public id.
      const hash = createHash('sha256').update(token.split('.')[1]!).digest();
      expect(bytes.includes(hash)).toBe(true);
      expect(bytes.includes(Buffer.from(token.split('.')[0]!))).toBe(true);
    }
    for (const password of [PASSWORD, NEW_PASSWORD]) expect(bytes.includes(Buffer.from(password))).toBe(false);
    for (const key of apiKeys) expect(bytes.includes(Buffer.from(key)), 'API key at rest').toBe(false);
  });

  it('no token, API key, password or password hash appears in any log line at debug level', () => {
    const lines = server.output().split('\n').filter(Boolean);
    // Positive control: debug-level request logging was captured for the whole flow.
    expect(lines.filter((l) => l.includes('incoming request')).length).toBeGreaterThan(10);
    const forbidden = [...tokens.flatMap(secretsOf), ...apiKeys, PASSWORD, NEW_PASSWORD, ...passwordHashes()];
    for (const line of lines) for (const secret of forbidden) expect(line.includes(secret), `log line leaks a secret: ${line.slice(0, 300)}`).toBe(false);
  });
});
