import { afterEach, describe, expect, it } from 'vitest';
import { DAY, MINUTE, ManualClock, SessionManager, nextDelay, scheduleGarbageCollection } from 'seshat';
import { SqliteStore } from 'seshat/sqlite';
import { loadConfig } from '../../src/config.ts';
import { Client, startTestServer, type TestServer } from '../helpers/server.ts';

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Parses Prometheus text into `name{labels}` → value, checking every line's syntax on the way. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})?) (-?[0-9.e+]+)$/.exec(line);
    expect(match, line).not.toBeNull();
    out.set(match![1]!, Number(match![2]));
  }
  return out;
}

describe('background garbage collection', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('defaults to every 10–20 minutes in batches of 1000', () => {
    const config = loadConfig({});
    expect(config.gc).toEqual({ intervalMs: 15 * MINUTE, batchSize: 1000 });
    expect(nextDelay(config.gc.intervalMs, 1 / 3, () => 0)).toBe(10 * MINUTE);
    expect(nextDelay(config.gc.intervalMs, 1 / 3, () => 0.5)).toBe(15 * MINUTE);
    expect(nextDelay(config.gc.intervalMs, 1 / 3, () => 0.999999)).toBeLessThanOrEqual(20 * MINUTE);
    expect(loadConfig({ SESHAT_GC_INTERVAL_SECONDS: '0' }).gc.intervalMs).toBe(0);
    expect(() => loadConfig({ SESHAT_GC_INTERVAL_SECONDS: '-1' })).toThrow(/SESHAT_GC_INTERVAL_SECONDS/);
  });

  it('runs inside the server and deletes revoked and expired sessions, keeping live ones', async () => {
    // Retention 0: ended sessions go at the next pass (the 7-day default keeps them to tell their holders why).
    t = await startTestServer({ env: { SESHAT_GC_INTERVAL_SECONDS: '0.05', SESHAT_ENDED_RETENTION_DAYS: '0' } });
    await t.addUser('alice@example.com');
    const gone = new Client(t.url);
    await gone.login('alice@example.com');
    await gone.post('/api/auth/logout');
    const stale = new Client(t.url);
    await stale.login('alice@example.com');
    t.clock.advance(8 * DAY); // past the 7-day idle timeout
    const live = new Client(t.url);
    await live.login('alice@example.com');

    await until(async () => (await t!.store.countSessions()) === 1, 'garbage collection');
    expect((await live.get('/api/sessions')).status).toBe(200);
    const metrics = parseMetrics(await (await fetch(t.url + '/metrics')).text());
    expect(metrics.get('seshat_sessions_collected_total')).toBe(2);
  });

  it('stops on close and never runs afterwards', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store, clock: new ManualClock() }).start();
    let passes = 0;
    const collector = scheduleGarbageCollection(manager, { intervalMs: 10, onCollected: () => void passes++ });
    await until(async () => passes >= 2, 'two passes');
    await collector.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 100));
    expect(passes).toBe(after);
    await store.close(); // safe: no pass is running
  });

  it('a failing pass is reported and the schedule goes on', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const manager = await new SessionManager({ store, clock: new ManualClock() }).start();
    const errors: unknown[] = [];
    const collector = scheduleGarbageCollection(manager, { intervalMs: 10, batchSize: 0, onError: (e) => errors.push(e) });
    await until(async () => errors.length >= 2, 'two failed passes');
    await collector.stop();
    expect(errors[0]).toMatchObject({ code: 'invalid_input' });
    await store.close();
  });
});

describe('GET /metrics', () => {
  it('exposes sessions created, revoked by reason, expired, collected, validations and the active gauge', async () => {
    const t = await startTestServer();
    try {
      await t.addUser('admin@example.com', 'admin');
      const aliceId = (await t.addUser('alice@example.com')).id;
      const admin = new Client(t.url);
      await admin.login('admin@example.com');
      const a = new Client(t.url);
      await a.login('alice@example.com');
      const b = new Client(t.url);
      await b.login('alice@example.com');
      await b.post('/api/auth/logout');
      await new Client(t.url, { cookie: 'session_token=garbage' }).get('/api/sessions');
      await admin.post(`/api/admin/users/${aliceId}/sign-out`, { reason: 'test' }); // a miss: read from the store
      await admin.get('/api/sessions'); // a hit: served from the validation cache

      const res = await fetch(t.url + '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('# TYPE seshat_sessions_revoked_total counter');
      expect(text).toContain('# TYPE seshat_sessions_active gauge');
      const m = parseMetrics(text);
      expect(m.get('seshat_sessions_created_total')).toBe(3);
      expect(m.get('seshat_sessions_revoked_total{reason="sign-out"}')).toBe(1);
      expect(m.get('seshat_sessions_revoked_total{reason="force-sign-out"}')).toBe(1);
      expect(m.get('seshat_sessions_expired_total')).toBe(0);
      expect(m.get('seshat_sessions_collected_total')).toBe(0);
      expect(m.get('seshat_session_validations_total{result="rejected"}')).toBeGreaterThanOrEqual(1);
      expect(m.get('seshat_session_validations_total{result="hit"}')).toBeGreaterThanOrEqual(1);
      expect(m.has('seshat_session_validations_total{result="miss"}')).toBe(true);
      expect(m.get('seshat_sessions_active')).toBe(1); // the admin

      t.clock.advance(8 * DAY);
      await admin.get('/api/sessions');
      const later = parseMetrics(await (await fetch(t.url + '/metrics')).text());
      expect(later.get('seshat_sessions_expired_total')).toBe(1);
      expect(later.get('seshat_sessions_active')).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('OpenAPI document', () => {
  it('includes the admin, API-key and operations endpoints from their route schemas', async () => {
    const t = await startTestServer();
    try {
      const doc = (await (await fetch(t.url + '/api/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>> };
      for (const [path, method] of [
        ['/api/admin/sessions', 'get'], ['/api/admin/users', 'get'], ['/api/admin/sessions/{id}', 'delete'], ['/api/admin/users/{id}/sign-out', 'post'],
        ['/api/admin/sessions/revoke-all', 'post'], ['/api/admin/settings', 'get'], ['/api/admin/settings', 'patch'], ['/api/admin/audit', 'get'],
        ['/api/api-keys', 'get'], ['/api/api-keys', 'post'], ['/api/api-keys/{id}', 'delete'], ['/metrics', 'get'],
      ] as const) {
        expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      }
      expect(doc.paths['/api/admin/audit']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['action', 'cursor', 'limit', 'user']);
      expect(JSON.stringify(doc.paths['/api/admin/settings']!.patch!.requestBody)).toContain('sessionLimitAction');
    } finally {
      await t.close();
    }
  });
});
