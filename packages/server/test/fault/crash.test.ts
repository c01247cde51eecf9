import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/server.ts';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.ts';

const EMAIL = 'load@example.com';
const PASSWORD = 'load-test-password';
const dir = mkdtempSync(join(tmpdir(), 'seshat-crash-'));
const env = {
  DATABASE_URL: `sqlite:${join(dir, 'seshat.db')}`,
  LOG_LEVEL: 'warn',
  SESHAT_ADMIN_EMAIL: EMAIL,
  SESHAT_ADMIN_PASSWORD: PASSWORD,
  SESHAT_LOGIN_RATE_LIMIT: '1000000',
};
let server: SpawnedServer | undefined;
afterAll(async () => {
  await server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Tracked {
  cookie: string;
  id: string;
  /** A revocation of it was sent and not answered: it may or may not have happened. */
  uncertain: boolean;
  /** A revocation of it was acknowledged (204). */
  revoked: boolean;
}

describe('crash', () => {
  it('keeps every acknowledged revocation and every acknowledged session across kill -9 during load', async () => {
    server = await spawnServer(env);
    const url = server.url;
    const sessions: Tracked[] = [];
    let stop = false;

    async function worker(seed: number): Promise<void> {
      let step = seed;
      while (!stop) {
        step++;
        try {
          const c = new Client(url);
          const { session } = await c.login(EMAIL, PASSWORD, step % 3 === 0);
          const mine: Tracked = { cookie: c.cookie!, id: session.id, uncertain: false, revoked: false };
          sessions.push(mine);
          if (step % 2 === 0) {
            // Revoke another live session of the same user through this one…
            // (…while keeping a few alive, so both kinds of acknowledgement are there to check.)
            const candidates = sessions.filter((s) => s !== mine && !s.revoked && !s.uncertain);
            const victim = candidates.length > 4 ? candidates[0] : undefined;
            if (victim) {
              victim.uncertain = true;
              const res = await c.delete(`/api/sessions/${victim.id}`);
              if (res.status === 204) Object.assign(victim, { revoked: true, uncertain: false });
              else if (res.status === 404) victim.uncertain = false; // already ended (not by us)
            }
          } else if (step % 5 === 1) {
            // …or sign this one out.
            mine.uncertain = true;
            const res = await c.post('/api/auth/logout');
            if (res.status === 204) Object.assign(mine, { revoked: true, uncertain: false });
          }
        } catch {
          return; // the server died under us: whatever was in flight is unacknowledged
        }
      }
    }

    const workers = [1, 2, 3, 4].map((i) => worker(i * 100));
    // Let the load run until enough has been acknowledged, then pull the plug mid-flight.
    // Each sign-in costs a full scrypt (N=2^17): on a busy machine that takes a while, so allow for it.
    const deadline = Date.now() + 90_000;
    const enough = () => sessions.filter((s) => s.revoked).length >= 8 && sessions.filter((s) => !s.revoked && !s.uncertain).length >= 8;
    while (!enough() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(server.process.signalCode).toBe('SIGKILL');

    server = await spawnServer(env);
    const revoked = sessions.filter((s) => s.revoked);
    const live = sessions.filter((s) => !s.revoked && !s.uncertain);
    expect(revoked.length).toBeGreaterThanOrEqual(8);
    expect(live.length).toBeGreaterThanOrEqual(4);
    for (const s of revoked) {
      const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: s.cookie } });
      expect(res.status, `revoked ${s.id}`).toBe(401);
    }
    for (const s of live) {
      const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: s.cookie } });
      expect(res.status, `live ${s.id}`).toBe(200);
    }
  }, 180_000);
});
