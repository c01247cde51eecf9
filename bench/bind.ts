/**
 * Binds seeded sessions to a device key the way a DBSC browser does (issue #15: the cost of enforcement), through
 * the library's own endpoint logic (`DeviceBinding`) and a `DbscClient` device:
 *
 * 1. The first session registers: the offer `startSession` would send, a proof over its challenge signed by the
 *    device (public key in the header), `DeviceBinding.register()`.
 * 2. The other sessions get that same registered key with `bindSessionKey` — what `register()` stores — in one
 *    transaction: a registration per session is an fsync'd transaction with an audit event (~6 ms here), a minute
 *    for 10,000, and one device key for every session changes nothing on the hot path, which checks only the
 *    bound cookie's HMAC.
 * 3. Every session's bound cookie comes from `DeviceBinding.refresh()` as a browser gets it: a 403 with a
 *    challenge, then a proof over it signed by the device key, then 200 with the cookie.
 *
 * Then the writes are settled (PostgreSQL: VACUUM ANALYZE; SQLite: a WAL checkpoint), so the rows measured next do
 * not pay for the binding's dead row versions and WAL. Returns the bound cookies, in token order.
 */
import { DatabaseSync } from 'node:sqlite';
import { parseSetCookie } from 'cookie';
import pg from 'pg';
import { DeviceBinding, openStore, SessionManager, type BindingAnswer } from 'seshat';
import { DbscClient, parseOffer } from 'seshat/testing';
import { parseList, serializeItem } from 'structured-headers';

/** The bound cookie's name with the default options (what the bench target's `DeviceBinding` uses too). */
export const BOUND_COOKIE = 'session_bound';

export async function bindSessions(databaseUrl: string, tokens: readonly string[]): Promise<string[]> {
  const store = await openStore(databaseUrl);
  const manager = await new SessionManager({ store }).start();
  const binding = await new DeviceBinding({ manager, store }).start();
  const device = await DbscClient.create('http://127.0.0.1');
  const idOf = (token: string) => token.slice(0, token.indexOf('.'));
  const cookieOf = (answer: BindingAnswer) => {
    const set = answer.headers['set-cookie'];
    if (answer.status !== 200 || !set) throw new Error(`device binding refused (${answer.status}): ${JSON.stringify(answer.body)}`);
    return parseSetCookie(set).value!;
  };
  const cookies: string[] = new Array(tokens.length);
  try {
    // 1. One real registration.
    const first = tokens[0]!;
    const offer = parseOffer(binding.registrationHeader((await store.findSession(idOf(first)))!)!);
    const proof = await device.proof(offer.challenge, { jwk: true, aud: new URL(offer.path, device.baseUrl).href });
    cookies[0] = cookieOf(await binding.register({ sessionCookie: first, proof: serializeItem(proof), sessionIdHeader: undefined }));
    const key = (await store.findSession(idOf(first)))!.deviceKey!;

    // 2. The same key for the others, in one transaction.
    const at = Date.now();
    await store.transaction(async (scope) => {
      for (const token of tokens.slice(1)) await scope.bindSessionKey(idOf(token), { key, at });
    });

    // 3. A bound cookie for each, by the refresh protocol.
    const refreshUrl = new URL(binding.paths.refresh, device.baseUrl).href;
    const refresh = async (token: string, i: number) => {
      const sessionIdHeader = serializeItem(idOf(token));
      const asked = await binding.refresh({ sessionCookie: token, proof: undefined, sessionIdHeader });
      const [[challenge]] = parseList(asked.headers['secure-session-challenge'] ?? '') as unknown as [[string]];
      const signed = await device.proof(challenge, { aud: refreshUrl });
      cookies[i] = cookieOf(await binding.refresh({ sessionCookie: token, proof: serializeItem(signed), sessionIdHeader }));
    };
    for (let i = 1; i < tokens.length; i += 50) await Promise.all(tokens.slice(i, i + 50).map((t, k) => refresh(t, i + k)));
  } finally {
    await manager.stop();
    await store.close();
  }
  await settle(databaseUrl);
  return cookies;
}

/** Leaves the database as a quiet one would be: no dead row versions (PostgreSQL) or WAL (SQLite) from the binding. */
async function settle(databaseUrl: string): Promise<void> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new DatabaseSync(databaseUrl.slice('sqlite:'.length));
    try {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE sessions');
  } finally {
    await client.end();
  }
}
