/**
 * The hand-written reference every benchmark row is compared with: what an application would write itself
 * to check a session cookie against a table of SHA-256 hashes — parse the token, hash the secret, one
 * indexed SQLite read, a constant-time comparison and an idle-timeout check. No cache, no activity writes,
 * no CSRF rule, no revocation channel: the least a correct check does, so "N× cheaper than this" is a
 * claim about Seshat's hot path and not about a strawman.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DatabaseSync } from 'node:sqlite';

const IDLE_MS = 7 * 86_400_000;
const TOKEN = /^(ses_[A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

export interface ReferenceSession {
  id: string;
  userId: string;
}

/** Opens the session table read-only and returns the per-request check. */
export function referenceValidator(file: string, cookieName = 'session_token'): (req: IncomingMessage) => ReferenceSession | null {
  const db = new DatabaseSync(file, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  const find = db.prepare('SELECT user_id, secret_hash, revoked_at, last_active_at FROM sessions WHERE id = ?');
  const prefix = `${cookieName}=`;

  return (req) => {
    const header = req.headers.cookie;
    if (!header) return null;
    // The cookie's value: after `name=` at the start or after "; ", up to the next ";".
    let at = header.startsWith(prefix) ? 0 : header.indexOf(`; ${prefix}`);
    if (at === -1) return null;
    if (at > 0) at += 2;
    const end = header.indexOf(';', at);
    const token = header.slice(at + prefix.length, end === -1 ? undefined : end);
    const m = TOKEN.exec(token);
    if (!m) return null;
    const row = find.get(m[1]!) as { user_id: string; secret_hash: Uint8Array; revoked_at: number | null; last_active_at: number } | undefined;
    if (!row || row.revoked_at !== null) return null;
    const presented = hash('sha256', m[2]!, 'buffer');
    if (row.secret_hash.length !== presented.length || !timingSafeEqual(presented, row.secret_hash)) return null;
    if (Date.now() - row.last_active_at > IDLE_MS) return null;
    return { id: m[1]!, userId: row.user_id };
  };
}
