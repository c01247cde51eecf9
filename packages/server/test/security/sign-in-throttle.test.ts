import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type Store } from 'seshat';
import { PostgresStore } from 'seshat/postgres';
import { SqliteStore } from 'seshat/sqlite';
import { createTestDatabase } from '../../../seshat/test/helpers/postgres.ts';
import { createServer, type SeshatServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { auditedFailure, ipNetwork } from '../../src/sign-in-throttle.ts';
import { PASSWORD, STORE_KINDS, TEST_PASSWORD_COST } from '../helpers/server.ts';

const login = (url: string, email: string, password: string, from = '198.51.100.7') =>
  fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ email, password }) });

describe('sign-in throttling rules', () => {
  it('keys IPv6 clients by their /64 and IPv4 clients by their address', () => {
    expect(ipNetwork('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipNetwork('2001:0db8:0001:0002::ffff')).toBe('2001:db8:1:2::/64');
    expect(ipNetwork('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ipNetwork('192.0.2.1')).toBe('192.0.2.1');
  });

  it('groups repeated failures in the audit trail: five rows, then one per doubling', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => auditedFailure(i + 1)).filter((r) => r !== null);
    expect(rows.length).toBe(5 + 11); // 8, 16, …, 8192
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(8192);
  });
});

/** Two server nodes on one database (PostgreSQL; SQLite: two stores on one file), with one manual clock. */
describe.each(STORE_KINDS)('sign-in throttling across nodes (%s)', (kind) => {
  let nodes: { url: string; server: SeshatServer }[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  const clock = new ManualClock(Date.now());

  async function twoNodes(env: Record<string, string> = {}): Promise<{ url: string; server: SeshatServer }[]> {
    const dir = mkdtempSync(join(tmpdir(), 'seshat-throttle-'));
    const db = kind === 'postgres' ? await createTestDatabase() : null;
    const databaseUrl = db?.url ?? join(dir, 'seshat.db');
    cleanup = async () => {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    };
    const config = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', SESHAT_TRUSTED_PROXIES: '127.0.0.1', SESHAT_LOGIN_RATE_LIMIT: '1000', ...env });
    for (let i = 0; i < 2; i++) {
      const store: Store = db ? new PostgresStore(db.url) : new SqliteStore(databaseUrl);
      const server = await createServer({ config, store, clock, passwordCost: TEST_PASSWORD_COST, logger: false, webRoot: false });
      nodes.push({ url: await server.app.listen({ port: 0, host: '127.0.0.1' }), server });
    }
    await nodes[0]!.server.users.create({ email: 'ann@example.com', name: 'Ann', password: PASSWORD });
    return nodes;
  }

  afterEach(async () => {
    for (const n of nodes) await n.server.close();
    nodes = [];
    await cleanup?.();
  });

  it('backs off per account across nodes and addresses: free failures, then 1 s, 2 s, 4 s … never more than 60 s', async () => {
    const [a, b] = await twoNodes();
    // Five failures are free, spread over both nodes and many addresses (credential stuffing).
    for (let i = 0; i < 6; i++) expect((await login((i % 2 ? a : b)!.url, 'ann@example.com', `guess number ${i}`, `203.0.113.${i}`)).status).toBe(401);
    // Six failures: the next attempt waits 1 s — on the other node, from another address, with any e-mail spelling.
    const held = await login(b!.url, '  ANN@Example.com ', PASSWORD, '203.0.113.99');
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('1');
    expect(held.headers.get('content-type')).toContain('application/problem+json');
    clock.advance(1000);
    expect((await login(a!.url, 'ann@example.com', 'guess seven', '203.0.113.7')).status).toBe(401);
    expect((await login(a!.url, 'ann@example.com', PASSWORD, '203.0.113.8')).headers.get('retry-after')).toBe('2');
    clock.advance(2000);
    expect((await login(b!.url, 'ann@example.com', 'guess eight', '203.0.113.9')).status).toBe(401);
    expect((await login(b!.url, 'ann@example.com', PASSWORD)).headers.get('retry-after')).toBe('4');
    // However long it goes on, the wait is capped: no lockout.
    for (let i = 0; i < 12; i++) {
      clock.advance(60_000);
      expect((await login(a!.url, 'ann@example.com', `more guesses ${i}`, `203.0.113.${20 + i}`)).status).toBe(401);
    }
    expect(Number((await login(a!.url, 'ann@example.com', PASSWORD)).headers.get('retry-after'))).toBe(60);
    clock.advance(60_000);
    expect((await login(a!.url, 'ann@example.com', PASSWORD)).status).toBe(200);
    // Success forgets the failures.
    expect((await login(b!.url, 'ann@example.com', 'one typo here', '203.0.113.50')).status).toBe(401);
    expect((await login(b!.url, 'ann@example.com', PASSWORD, '203.0.113.50')).status).toBe(200);
  });

  it('a network the owner signed in from before is not held back by an attacker\'s failures', async () => {
    const [a, b] = await twoNodes();
    expect((await login(a!.url, 'ann@example.com', PASSWORD, '192.0.2.10')).status).toBe(200);
    for (let i = 0; i < 10; i++) await login(b!.url, 'ann@example.com', `attacker guess ${i}`, `203.0.113.${i}`);
    expect((await login(b!.url, 'ann@example.com', PASSWORD, '203.0.113.200')).status).toBe(429);
    expect((await login(b!.url, 'ann@example.com', PASSWORD, '192.0.2.10')).status).toBe(200);
  });

  it('limits attempts per network in the database: two nodes allow what one allows', async () => {
    const [a, b] = await twoNodes({ SESHAT_LOGIN_RATE_LIMIT: '3' });
    expect((await login(a!.url, 'x@example.com', 'wrong password 1')).status).toBe(401);
    expect((await login(b!.url, 'y@example.com', 'wrong password 2')).status).toBe(401);
    expect((await login(a!.url, 'ann@example.com', PASSWORD)).status).toBe(200);
    const fourth = await login(b!.url, 'ann@example.com', PASSWORD);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another /64 (or address) has its own budget; a new minute a new one.
    expect((await login(b!.url, 'ann@example.com', PASSWORD, '2001:db8:9::1')).status).toBe(200);
    clock.advance(60_000);
    expect((await login(b!.url, 'ann@example.com', PASSWORD)).status).toBe(200);
  });

  it('groups repeated failures in the audit trail, and the risk rules still count each one', async () => {
    const [a] = await twoNodes();
    const annId = (await a!.server.users.findByEmail('ann@example.com'))!.id;
    for (let i = 0; i < 20; i++) {
      clock.advance(61_000);
      await login(a!.url, 'ann@example.com', `stuffed password ${i}`, `203.0.113.${i}`);
    }
    const rows = (await a!.server.store.listAudit({ userId: annId, action: 'auth.sign-in-failed' })).items;
    expect(rows.map((r) => r.details?.failures)).toEqual([16, 8, 5, 4, 3, 2, 1]);
    expect(rows.map((r) => r.details?.attempts ?? 1)).toEqual([8, 3, 1, 1, 1, 1, 1]);
  });
});
