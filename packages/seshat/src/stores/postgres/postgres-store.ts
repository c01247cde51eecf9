import pg from 'pg';
import type { ApiKeyRecord } from '../../core/api-key.ts';
import type { AuditEvent } from '../../core/audit.ts';
import { SeshatError, isSeshatError } from '../../core/errors.ts';
import type { DeviceKey, RiskAssessment, SessionRecord } from '../../core/session.ts';
import type { ExpiryCutoffs } from '../../core/settings.ts';
import type { DueWebhookDelivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage } from '../../core/webhook.ts';
import { auditCursorSchema, deliveryCursorSchema, decodeCursor, encodeCursor, pageLimit, pageOf, sessionCursorSchema } from '../cursor.ts';
import { anonymized, jsonColumn as json, rowMappers, touchRowsJson, type Row } from '../rows.ts';
import { auditConditions, breakdownKey, liveSessionCondition, sessionMatchCondition, sessionOrderKey } from '../sql.ts';
import type { DailyStat } from '../../core/daily-stats.ts';
import type { SessionMatch } from '../../core/session-filter.ts';
import type {
  ActiveSessionQuery,
  ApiKeyUsage,
  AuditQuery,
  MatchedSession,
  BindingSecret,
  CollectResult,
  CollectStep,
  Page,
  Revocation,
  SessionTouch,
  BatchedTouch,
  AnonymizeStep,
  AnonymizeResult,
  Store,
  StoreScope,
  UserRecord,
  UserRole,
  StoredSessionPolicy,
  SessionAuthenticationUpdate,
  SignInCounter,
  UserSessionStats,
  SessionBreakdownKey,
  SessionGroup,
} from '../../core/ports.ts';
import { PgInvalidationChannel, type PgInvalidationOptions } from './invalidation.ts';
import { postgresMigrations } from './migrations.ts';
import { isConnectionFailure, isTimeout } from './errors.ts';
import { DEFAULT_POSTGRES_TIMEOUTS, type PostgresStoreOptions, type PostgresTimeouts } from './options.ts';

export { DEFAULT_POSTGRES_TIMEOUTS, type PostgresStoreOptions, type PostgresTimeouts } from './options.ts';


/**
 * The touch statement: writes only unindexed columns, so PostgreSQL can make it a HOT update.
 * Exported for the test that checks exactly that.
 */
export const TOUCH_SQL = 'UPDATE sessions SET last_active_at = $1, requests = requests + $2, last_path = $3 WHERE id = $4 AND revoked_at IS NULL';

/**
 * Runs one statement, on the pool or on a transaction's connection; driver errors leave translated. `bulk` marks a
 * statement whose work grows with the table: it runs under `bulkTimeoutMs` instead of the per-statement limits.
 */
type Run = (text: string, values?: unknown[], bulk?: 'bulk') => Promise<pg.QueryResult<Row>>;

/** The batched touch (`touchSessions`): one row per session of the batch, from one JSON parameter (`touchRowsJson`). */
export const TOUCH_BATCH_SQL = `UPDATE sessions s SET last_active_at = GREATEST(s.last_active_at, t.at), requests = s.requests + t.n,
    last_path = COALESCE(t.path, s.last_path), ip = COALESCE(t.ip, s.ip),
    location = CASE WHEN t.lk = 1 THEN t.loc ELSE s.location END
  FROM (SELECT v ->> 0 AS id, (v ->> 1)::bigint AS at, (v ->> 2)::bigint AS n, v ->> 3 AS path, v ->> 4 AS ip,
          NULLIF(v -> 5, 'null'::jsonb) AS loc, (v ->> 6)::int AS lk FROM jsonb_array_elements($1::jsonb) AS e(v)) AS t
  WHERE s.id = t.id AND s.revoked_at IS NULL`;


/** Serialises concurrent `migrate()` calls of several nodes (an arbitrary constant: "seshat" in ASCII). */
const MIGRATION_LOCK = 0x736573686174;
/** Rows per daily counter (`addDailyCounts`): enough that parallel changes rarely meet on one, few enough to add up. */
const DAILY_STAT_SHARDS = 8;
/** The advisory-lock namespace of per-user session locks (`lockUserSessions`): "sess" in ASCII. */
const USER_SESSIONS_LOCK = 0x73657373;
/** The advisory-lock namespace of per-subject policy locks (`lockSessionPolicy`): "poli" in ASCII. */
const SESSION_POLICY_LOCK = 0x706f6c69;
/** The advisory-lock namespace of the settings document's lock (`lockSettings`): "sett" in ASCII. */
const SETTINGS_LOCK = 0x73657474;

/**
 * The statements of every store method. `PostgresStore` runs them on its pool; a transaction runs the same ones
 * on its one connection, so a method means the same inside and outside a transaction.
 */
class PostgresStatements implements StoreScope {
  protected readonly query: Run;

  constructor(query: Run) {
    this.query = query;
  }

  async lockUserSessions(userId: string): Promise<void> {
    await this.#lockForTransaction(USER_SESSIONS_LOCK, userId);
  }

  async lockSessionPolicy(subject: string): Promise<void> {
    await this.#lockForTransaction(SESSION_POLICY_LOCK, subject);
  }

  async lockSettings(): Promise<void> {
    // Keyed by the document's row key: the one document there is.
    await this.#lockForTransaction(SETTINGS_LOCK, 'sessions');
  }

  /** Transaction-scoped: released at COMMIT or ROLLBACK. Two 32-bit keys: a namespace and the key's hash. */
  async #lockForTransaction(namespace: number, key: string): Promise<void> {
    await this.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [namespace, key]);
  }

  // ── sessions ──────────────────────────────────────────────────────────────────────────────────────

  async insertSession(s: SessionRecord): Promise<void> {
    await this.query(
      `INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, revoked_at,
        revoked_reason, revoked_note, ip, sign_in_ip, user_agent, device, location, sign_in_location, risk, requests, last_path,
        reauthenticated_at, password_change_required)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        s.id, s.userId, Buffer.from(s.secretHash), s.tokenHint, s.persistent, s.createdAt, s.lastActiveAt, s.revokedAt,
        s.revokedReason, s.revokedNote, s.ip, s.signInIp, s.userAgent, JSON.stringify(s.device), json(s.location),
        json(s.signInLocation), json(s.risk), s.requests, s.lastPath, s.reauthenticatedAt, s.passwordChangeRequired,
      ],
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const { rows } = await this.query('SELECT * FROM sessions WHERE id = $1', [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  async findSessions(ids: readonly string[]): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query('SELECT * FROM sessions WHERE id = ANY($1::text[])', [ids]);
    return rows.map(toSession);
  }

  async touchSession(id: string, t: SessionTouch): Promise<boolean> {
    // Conditional update, never an upsert: a touch that loses the race with a revocation (or a GC delete)
    // updates nothing. Under READ COMMITTED a touch blocked by a concurrent revoke re-checks
    // `revoked_at IS NULL` on the new row version, so it cannot resurrect it either.
    const { rowCount } = await this.query(TOUCH_SQL, [t.lastActiveAt, t.requests, t.lastPath, id]);
    return rowCount === 1;
  }

  async touchSessions(touches: BatchedTouch[]): Promise<string[]> {
    if (touches.length === 0) return [];
    // One statement for the whole batch (a JSON array as one parameter), the same condition per row as TOUCH_SQL,
    // and only unindexed columns written, so each row stays a HOT update.
    const { rowCount } = await this.query(TOUCH_BATCH_SQL, [touchRowsJson(touches)]);
    // The usual answer: every row updated. No RETURNING: parsing thousands of id rows each second was most of
    // this node's own cost of the batch. Otherwise the live ones are asked for: a row the update skipped was
    // revoked or deleted, and ended sessions never come back, so a later read gives the same answer (a session
    // revoked in between is reported gone, which it is).
    if (rowCount === touches.length) return touches.map((t) => t.id);
    const { rows } = await this.query('SELECT id FROM sessions WHERE id = ANY($1::text[]) AND revoked_at IS NULL', [touches.map((t) => t.id)]);
    return rows.map((r) => String(r.id));
  }

  async listActiveSessions(q: ActiveSessionQuery): Promise<Page<SessionRecord>> {
    const values: unknown[] = [];
    const param = placeholders(values);
    // A user's few sessions: exact order (the user index, then a sort). Everyone's: the minute of last activity,
    // then id, which `sessions_live_by_activity` serves (migration 11), so a page reads ~limit rows at any depth.
    const key = q.userId !== undefined ? 'last_active_at' : 'last_active_minute';
    let sql = `SELECT * FROM sessions WHERE ${live(q.cutoffs, param)}`;
    if (q.userId !== undefined) sql += ` AND user_id = ${param(q.userId)}`;
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, sessionCursorSchema);
      sql += ` AND (${key}, id) < (${param(at)}, ${param(id)})`;
    }
    sql += ` ORDER BY ${key} DESC, id DESC`;
    const limit = q.limit === undefined ? undefined : pageLimit(q.limit);
    if (limit !== undefined) sql += ` LIMIT ${param(limit + 1)}`;
    const { rows } = await this.query(sql, values);
    return pageOf(rows.map(toSession), limit, (s) => encodeCursor([sessionOrderKey(s, q.userId), s.id]));
  }

  async countActiveSessions(cutoffs: ExpiryCutoffs, userId?: string, atMost?: number): Promise<number> {
    const values: unknown[] = [];
    const param = placeholders(values);
    let where = live(cutoffs, param);
    if (userId !== undefined) where += ` AND user_id = ${param(userId)}`;
    const sql = atMost === undefined
      ? `SELECT count(*) AS n FROM sessions WHERE ${where}`
      : `SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE ${where} LIMIT ${param(atMost)}) AS live`;
    const { rows } = await this.query(sql, values);
    return Number(rows[0]!.n);
  }

  async activeSessionStats(cutoffs: ExpiryCutoffs): Promise<UserSessionStats[]> {
    const values: unknown[] = [];
    const sql = `SELECT user_id, count(*) AS n, max(last_active_at) AS last FROM sessions WHERE ${live(cutoffs, placeholders(values))}
      GROUP BY user_id ORDER BY last DESC, user_id`;
    const { rows } = await this.query(sql, values);
    return rows.map((r) => ({ userId: String(r.user_id), activeSessions: Number(r.n), lastActiveAt: Number(r.last) }));
  }

  async revokeSession(id: string, r: Revocation): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE sessions SET revoked_at = $1, revoked_reason = $2, revoked_note = $3 WHERE id = $4 AND revoked_at IS NULL', [r.at, r.reason, r.note ?? null, id]);
    return rowCount === 1;
  }

  async revokeUserSessions(userId: string, r: Revocation & { exceptSessionId?: string }): Promise<string[]> {
    const { rows } = await this.query(
      `UPDATE sessions SET revoked_at = $1, revoked_reason = $2, revoked_note = $5
        WHERE user_id = $3 AND revoked_at IS NULL AND id IS DISTINCT FROM $4::text RETURNING id`,
      [r.at, r.reason, userId, r.exceptSessionId ?? null, r.note ?? null],
    );
    return rows.map((row) => String(row.id));
  }

  async revokeAllSessions(r: Revocation): Promise<number> {
    const { rowCount } = await this.query('UPDATE sessions SET revoked_at = $1, revoked_reason = $2, revoked_note = $3 WHERE revoked_at IS NULL', [r.at, r.reason, r.note ?? null], 'bulk');
    return rowCount ?? 0;
  }

  async findMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs): Promise<MatchedSession[]> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const where = sessionMatchCondition(match, param, PG_MATCH);
    const { rows } = await this.query(`SELECT id, user_id, ip FROM sessions WHERE ${live(cutoffs, param)} AND ${where}`, values, 'bulk');
    return rows.map(toMatched);
  }

  async revokeMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs, r: Revocation & { exceptSessionId?: string }): Promise<MatchedSession[]> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const sql = `UPDATE sessions SET revoked_at = ${param(r.at)}, revoked_reason = ${param(r.reason)}, revoked_note = ${param(r.note ?? null)}::text
      WHERE ${live(cutoffs, param)} AND ${sessionMatchCondition(match, param, PG_MATCH)} AND id IS DISTINCT FROM ${param(r.exceptSessionId ?? null)}::text
      RETURNING id, user_id, ip`;
    // Work that grows with the table (100,000 matches): the bulk limits, like revoke-all.
    const { rows } = await this.query(sql, values, 'bulk');
    return rows.map(toMatched);
  }

  async revokeSessions(ids: readonly string[], r: Revocation): Promise<string[]> {
    if (ids.length === 0) return [];
    // One statement whatever the number of ids: an array parameter, not a list of placeholders.
    const { rows } = await this.query(
      'UPDATE sessions SET revoked_at = $1, revoked_reason = $2, revoked_note = $4 WHERE id = ANY($3::text[]) AND revoked_at IS NULL RETURNING id',
      [r.at, r.reason, ids, r.note ?? null],
      'bulk',
    );
    return rows.map((row) => String(row.id));
  }

  async updateSessionAuthentication(id: string, u: SessionAuthenticationUpdate): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE sessions SET reauthenticated_at = $1, password_change_required = coalesce($2::boolean, password_change_required)
        WHERE id = $3 AND revoked_at IS NULL`,
      [u.reauthenticatedAt, u.passwordChangeRequired ?? null, id],
    );
    return rowCount === 1;
  }

  async collectExpiredSessions(step: CollectStep): Promise<CollectResult> {
    const values: unknown[] = [];
    const param = placeholders(values);
    // One statement: the batch window (keyset by primary key), its size and last id, and the delete of the
    // dead rows in it. A row touched or revoked concurrently is re-checked by DELETE after its lock.
    const sql = `
      WITH batch AS (SELECT id FROM sessions WHERE id > ${param(step.afterId ?? '')} ORDER BY id LIMIT ${param(step.limit)}),
      removed AS (
        DELETE FROM sessions WHERE id IN (SELECT id FROM batch) AND NOT (${live(step.cutoffs, param)})${
          step.endedBefore !== undefined ? ` AND (revoked_at IS NULL OR revoked_at <= ${param(step.endedBefore)})` : ''} RETURNING revoked_at IS NULL AS expired
      )
      SELECT (SELECT count(*) FROM batch) AS scanned, (SELECT max(id) FROM batch) AS last, (SELECT count(*) FROM removed) AS deleted,
        (SELECT count(*) FROM removed WHERE expired) AS expired`;
    const { rows } = await this.query(sql, values);
    const scanned = Number(rows[0]!.scanned);
    return { scanned, deleted: Number(rows[0]!.deleted), expired: Number(rows[0]!.expired), lastId: scanned < step.limit ? null : String(rows[0]!.last) };
  }

  async setSessionRisk(id: string, risk: RiskAssessment): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE sessions SET risk = $1 WHERE id = $2 AND revoked_at IS NULL', [JSON.stringify(risk), id]);
    return rowCount === 1;
  }

  async anonymizeSessionIps(step: AnonymizeStep): Promise<AnonymizeResult> {
    const { rows } = await this.query('SELECT id, ip, sign_in_ip FROM sessions WHERE id > $1 ORDER BY id LIMIT $2', [step.after ?? '', step.limit]);
    const changes = rows
      .map((r) => ({ id: String(r.id), old: r.ip, oldSignIn: r.sign_in_ip, ip: anonymized(r.ip, step), signIn: anonymized(r.sign_in_ip, step) }))
      .filter((c) => c.ip !== c.old || c.signIn !== c.oldSignIn);
    if (changes.length > 0) {
      // One statement; a column changed meanwhile (a touch wrote a newer address) is left as it is now.
      await this.query(
        `UPDATE sessions s SET ip = CASE WHEN s.ip IS NOT DISTINCT FROM t.old THEN t.ip ELSE s.ip END,
           sign_in_ip = CASE WHEN s.sign_in_ip IS NOT DISTINCT FROM t.old_sign_in THEN t.sign_in ELSE s.sign_in_ip END
         FROM jsonb_to_recordset($1::jsonb) AS t(id text, old text, ip text, old_sign_in text, sign_in text) WHERE s.id = t.id`,
        [JSON.stringify(changes.map((c) => ({ id: c.id, old: c.old, ip: c.ip, old_sign_in: c.oldSignIn, sign_in: c.signIn })))],
      );
    }
    return { scanned: rows.length, changed: changes.length, last: rows.length < step.limit ? null : String(rows.at(-1)!.id) };
  }

  async anonymizeAuditIps(step: AnonymizeStep): Promise<AnonymizeResult> {
    const { rows } = await this.query('SELECT seq, ip FROM audit_events WHERE seq > $1 AND ip IS NOT NULL ORDER BY seq LIMIT $2', [Number(step.after ?? 0), step.limit]);
    const changes = rows.map((r) => ({ seq: Number(r.seq), ip: anonymized(r.ip, step), old: r.ip })).filter((c) => c.ip !== c.old);
    if (changes.length > 0) {
      await this.query('UPDATE audit_events a SET ip = t.ip FROM jsonb_to_recordset($1::jsonb) AS t(seq bigint, ip text) WHERE a.seq = t.seq',
        [JSON.stringify(changes.map(({ seq, ip }) => ({ seq, ip })))]);
    }
    return { scanned: rows.length, changed: changes.length, last: rows.length < step.limit ? null : String(rows.at(-1)!.seq) };
  }

  async countSessions(): Promise<number> {
    const { rows } = await this.query('SELECT count(*) AS n FROM sessions');
    return Number(rows[0]!.n);
  }

  // ── overview rollups ──────────────────────────────────────────────────────────────────────────────

  async addDailyCounts(day: string, counts: readonly (readonly [string, number])[]): Promise<void> {
    if (counts.length === 0) return;
    // A random shard per call: parallel transactions mostly lock different rows. The rows are written in the
    // given (sorted) order, so two transactions never wait on each other's rows crosswise.
    const shard = Math.floor(Math.random() * DAILY_STAT_SHARDS);
    await this.query(
      `INSERT INTO daily_stats (day, metric, shard, value)
        SELECT $1, t.metric, $2, t.n FROM unnest($3::text[], $4::bigint[]) WITH ORDINALITY AS t(metric, n, i) ORDER BY t.i
        ON CONFLICT (day, metric, shard) DO UPDATE SET value = daily_stats.value + excluded.value`,
      [day, shard, counts.map(([m]) => m), counts.map(([, n]) => n)],
    );
  }

  async setDailyValues(day: string, values: readonly (readonly [string, number])[]): Promise<void> {
    if (values.length === 0) return;
    await this.query(
      `INSERT INTO daily_stats (day, metric, shard, value)
        SELECT $1, t.metric, 0, t.v FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS t(metric, v, i) ORDER BY t.i
        ON CONFLICT (day, metric, shard) DO UPDATE SET value = excluded.value`,
      [day, values.map(([m]) => m), values.map(([, v]) => v)],
    );
  }

  async listDailyStats(from: string, to: string): Promise<DailyStat[]> {
    const { rows } = await this.query(
      'SELECT day, metric, sum(value) AS value FROM daily_stats WHERE day >= $1 AND day <= $2 GROUP BY day, metric ORDER BY day, metric',
      [from, to],
    );
    return rows.map((r) => ({ day: String(r.day), metric: String(r.metric), value: Number(r.value) }));
  }

  async pruneDailyStats(day: string): Promise<number> {
    const { rowCount } = await this.query('DELETE FROM daily_stats WHERE day < $1', [day]);
    return rowCount ?? 0;
  }

  async liveSessionBreakdown(cutoffs: ExpiryCutoffs, by: SessionBreakdownKey, limit: number): Promise<SessionGroup[]> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const key = breakdownKey(by, PG_MATCH.jsonText);
    const sql = `SELECT k, n FROM (SELECT ${key} AS k, count(*) AS n FROM sessions WHERE ${live(cutoffs, param)} GROUP BY 1) AS g
      ORDER BY n DESC, k IS NULL, k COLLATE "C" LIMIT ${param(limit)}`;
    const { rows } = await this.query(sql, values);
    return rows.map((r) => ({ key: r.k === null ? null : String(r.k), count: Number(r.n) }));
  }

  // ── device binding ────────────────────────────────────────────────────────────────────────────────

  async bindSessionKey(id: string, b: { key: DeviceKey; at: number }): Promise<boolean> {
    const { rowCount } = await this.query(
      'UPDATE sessions SET device_key = $1, bound_at = $2 WHERE id = $3 AND revoked_at IS NULL AND device_key IS NULL',
      [JSON.stringify(b.key), b.at, id],
    );
    return rowCount === 1;
  }

  async countBoundSessions(cutoffs: ExpiryCutoffs): Promise<number> {
    const values: unknown[] = [];
    const sql = `SELECT count(*) AS n FROM sessions WHERE ${live(cutoffs, placeholders(values))} AND device_key IS NOT NULL`;
    const { rows } = await this.query(sql, values);
    return Number(rows[0]!.n);
  }

  async listBindingSecrets(): Promise<BindingSecret[]> {
    const { rows } = await this.query('SELECT * FROM device_binding_secrets ORDER BY created_at DESC, id DESC');
    return rows.map((r) => ({ id: String(r.id), secret: new Uint8Array(r.secret as Buffer), createdAt: Number(r.created_at) }));
  }

  async insertBindingSecret(k: BindingSecret, retireBefore: number): Promise<void> {
    // One statement: atomic without a pooled transaction.
    await this.query(
      `WITH added AS (INSERT INTO device_binding_secrets (id, secret, created_at) VALUES ($1, $2, $3))
       DELETE FROM device_binding_secrets WHERE created_at < $4`,
      [k.id, Buffer.from(k.secret), k.createdAt, retireBefore],
    );
  }

  // ── settings ──────────────────────────────────────────────────────────────────────────────────────

  async loadSettings(): Promise<unknown> {
    const { rows } = await this.query("SELECT value FROM settings WHERE key = 'sessions'");
    return rows[0] ? rows[0].value : null;
  }

  async saveSettings(settings: unknown): Promise<void> {
    await this.query(
      "INSERT INTO settings (key, value) VALUES ('sessions', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [JSON.stringify(settings)],
    );
  }

  // ── session policies ──────────────────────────────────────────────────────────────────────────────

  async listSessionPolicies(): Promise<StoredSessionPolicy[]> {
    const { rows } = await this.query('SELECT * FROM session_policies ORDER BY subject');
    return rows.map(toStoredPolicy);
  }

  async findSessionPolicy(subject: string): Promise<StoredSessionPolicy | null> {
    const { rows } = await this.query('SELECT * FROM session_policies WHERE subject = $1', [subject]);
    return rows[0] ? toStoredPolicy(rows[0]) : null;
  }

  async saveSessionPolicy(p: StoredSessionPolicy): Promise<void> {
    await this.query(
      `INSERT INTO session_policies (subject, policy, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`,
      [p.subject, JSON.stringify(p.policy), p.updatedAt],
    );
  }

  async deleteSessionPolicy(subject: string): Promise<boolean> {
    const { rowCount } = await this.query('DELETE FROM session_policies WHERE subject = $1', [subject]);
    return rowCount === 1;
  }

  // ── audit ─────────────────────────────────────────────────────────────────────────────────────────

  async appendAudit(e: AuditEvent): Promise<void> {
    await this.query(
      `INSERT INTO audit_events (id, at, action, actor_id, target_user_id, session_id, reason, ip, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.id, e.at, e.action, e.actorId, e.targetUserId, e.sessionId, e.reason, e.ip, json(e.details)],
    );
  }

  async listAudit(q: AuditQuery): Promise<Page<AuditEvent>> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const where = auditConditions(q, param, (column, text) => `strpos(lower(${column}), lower(${param(text)})) > 0`);
    if (q.cursor) where.push(`seq < ${param(decodeCursor(q.cursor, auditCursorSchema))}`);
    const limit = pageLimit(q.limit);
    const sql = `SELECT * FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ${param(limit + 1)}`;
    const { rows } = await this.query(sql, values);
    const page = pageOf(rows, limit, (r) => encodeCursor(Number(r.seq)));
    return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
  }

  async deleteAuditBefore(before: number, limit: number): Promise<number> {
    // Oldest first by sequence (append-only, so also by time): each batch reads from the start of the table.
    const { rowCount } = await this.query(
      'DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events WHERE at < $1 ORDER BY seq LIMIT $2)',
      [before, limit],
    );
    return rowCount ?? 0;
  }

  // ── API keys ──────────────────────────────────────────────────────────────────────────────────────

  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.query(
      `INSERT INTO api_keys (id, user_id, name, secret_hash, prefix, created_at, last_used_at, revoked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [k.id, k.userId, k.name, Buffer.from(k.secretHash), k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt],
    );
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async listApiKeys(userId: string, usageSinceMinute: number): Promise<(ApiKeyRecord & { requests24h: number })[]> {
    const { rows } = await this.query(
      `SELECT k.*, (SELECT coalesce(sum(u.requests), 0) FROM api_key_usage u WHERE u.key_id = k.id AND u.minute >= $1) AS requests24h
        FROM api_keys k WHERE k.user_id = $2 AND k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id DESC`,
      [usageSinceMinute, userId],
    );
    return rows.map((r) => ({ ...toApiKey(r), requests24h: Number(r.requests24h) }));
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
    return rowCount === 1;
  }

  async revokeUserApiKeys(userId: string | 'all', at: number): Promise<string[]> {
    const { rows } = userId === 'all'
      ? await this.query('UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NULL RETURNING id', [at])
      : await this.query('UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL RETURNING id', [at, userId]);
    return rows.map((row) => String(row.id));
  }

  async recordApiKeyUsage(usage: ApiKeyUsage[]): Promise<void> {
    if (usage.length === 0) return;
    // One statement, so one batch is atomic without a pooled transaction. Rows are summed per (key, minute)
    // first: ON CONFLICT may not touch the same row twice in one statement. last_used_at is never lowered.
    await this.query(
      `WITH batch AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS t(key_id, minute, requests, last_used_at)
       ),
       counted AS (
         INSERT INTO api_key_usage (key_id, minute, requests)
         SELECT key_id, minute, sum(requests) FROM batch GROUP BY key_id, minute
         ON CONFLICT (key_id, minute) DO UPDATE SET requests = api_key_usage.requests + excluded.requests
         RETURNING 1
       )
       UPDATE api_keys k SET last_used_at = greatest(coalesce(k.last_used_at, 0), latest.at)
         FROM (SELECT key_id, max(last_used_at) AS at FROM batch GROUP BY key_id) latest
        WHERE k.id = latest.key_id`,
      [usage.map((u) => u.keyId), usage.map((u) => u.minute), usage.map((u) => u.requests), usage.map((u) => u.lastUsedAt)],
    );
  }

  async pruneApiKeyUsage(beforeMinute: number): Promise<number> {
    const { rowCount } = await this.query('DELETE FROM api_key_usage WHERE minute < $1', [beforeMinute]);
    return rowCount ?? 0;
  }

  // ── webhooks ──────────────────────────────────────────────────────────────────────────────────────

  /** Stores a new endpoint. */
  async insertWebhookEndpoint(e: WebhookEndpoint): Promise<void> {
    await this.query('INSERT INTO webhook_endpoints (id, url, secret, events, enabled, description, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      e.id, e.url, e.secret, json(e.events), e.enabled, e.description, e.createdAt,
    ]);
  }

  async listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
    const { rows } = await this.query('SELECT * FROM webhook_endpoints ORDER BY created_at, id');
    return rows.map(toWebhookEndpoint);
  }

  /** One endpoint by id, or null. */
  async findWebhookEndpoint(id: string): Promise<WebhookEndpoint | null> {
    const { rows } = await this.query('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
    return rows[0] ? toWebhookEndpoint(rows[0]) : null;
  }

  async updateWebhookEndpoint(id: string, patch: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description'>>): Promise<boolean> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const set: string[] = [];
    if (patch.url !== undefined) set.push(`url = ${param(patch.url)}`);
    if (patch.events !== undefined) set.push(`events = ${param(json(patch.events))}`);
    if (patch.enabled !== undefined) set.push(`enabled = ${param(patch.enabled)}`);
    if (patch.description !== undefined) set.push(`description = ${param(patch.description)}`);
    if (set.length === 0) return (await this.findWebhookEndpoint(id)) !== null;
    const { rowCount } = await this.query(`UPDATE webhook_endpoints SET ${set.join(', ')} WHERE id = ${param(id)}`, values);
    return rowCount === 1;
  }

  async deleteWebhookEndpoint(id: string): Promise<boolean> {
    // Its deliveries go with it (ON DELETE CASCADE); messages left without deliveries go at the next prune.
    const { rowCount } = await this.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
    return rowCount === 1;
  }

  async insertWebhookMessage(m: WebhookMessage, deliveries: WebhookDelivery[]): Promise<void> {
    // One statement: atomic on the pool too (inside a change it is part of the change's transaction anyway).
    const values: unknown[] = [m.id, m.type, m.at, m.payload];
    const param = placeholders(values);
    const rows = deliveries.map((d) => `(${[d.id, d.messageId, d.endpointId, d.eventType, d.status, d.attempts, d.nextAttemptAt, d.expiresAt, d.createdAt].map(param).join(', ')})`);
    await this.query(
      `WITH message AS (INSERT INTO webhook_messages (id, type, at, payload) VALUES ($1, $2, $3, $4))
        INSERT INTO webhook_deliveries (id, message_id, endpoint_id, event_type, status, attempts, next_attempt_at, expires_at, created_at)
        VALUES ${rows.join(', ')}`,
      values,
    );
  }

  async insertWebhookMessages(messages: readonly WebhookMessage[], deliveries: readonly WebhookDelivery[]): Promise<void> {
    if (messages.length === 0) return;
    // One statement for the whole batch: a column array per field, unnested (no placeholder per value).
    const column = <T>(rows: readonly T[], pick: (row: T) => unknown) => rows.map(pick);
    await this.query(
      `WITH message AS (INSERT INTO webhook_messages (id, type, at, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]))
        INSERT INTO webhook_deliveries (id, message_id, endpoint_id, event_type, status, attempts, next_attempt_at, expires_at, created_at)
        SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::bigint[], $12::bigint[], $13::bigint[])`,
      [
        column(messages, (m) => m.id), column(messages, (m) => m.type), column(messages, (m) => m.at), column(messages, (m) => m.payload),
        column(deliveries, (d) => d.id), column(deliveries, (d) => d.messageId), column(deliveries, (d) => d.endpointId),
        column(deliveries, (d) => d.eventType), column(deliveries, (d) => d.status), column(deliveries, (d) => d.attempts),
        column(deliveries, (d) => d.nextAttemptAt), column(deliveries, (d) => d.expiresAt), column(deliveries, (d) => d.createdAt),
      ],
      'bulk',
    );
  }

  async dueWebhookDeliveries(now: number, limit: number): Promise<DueWebhookDelivery[]> {
    const { rows } = await this.query(
      `SELECT d.*, e.url, e.secret, m.payload FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_messages m ON m.id = d.message_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.enabled
        ORDER BY d.next_attempt_at, d.seq LIMIT $2`,
      [now, limit],
    );
    return rows.map(toDueWebhookDelivery);
  }

  async recordWebhookAttempt(id: string, a: WebhookAttempt): Promise<void> {
    await this.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1, next_attempt_at = $2, last_attempt_at = $3,
        last_status_code = $4, last_error = $5 WHERE id = $6`,
      [a.status, a.nextAttemptAt, a.at, a.statusCode, a.error, id],
    );
  }

  async listWebhookDeliveries(q: { endpointId?: string; limit?: number; cursor?: string | null }): Promise<Page<WebhookDelivery>> {
    const values: unknown[] = [];
    const param = placeholders(values);
    const where: string[] = [];
    if (q.endpointId !== undefined) where.push(`endpoint_id = ${param(q.endpointId)}`);
    if (q.cursor) where.push(`seq < ${param(decodeCursor(q.cursor, deliveryCursorSchema))}`);
    const limit = pageLimit(q.limit);
    const { rows } = await this.query(`SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ${param(limit + 1)}`, values);
    const page = pageOf(rows, limit, (r) => encodeCursor(Number(r.seq)));
    return { items: page.items.map(toWebhookDelivery), nextCursor: page.nextCursor };
  }

  /** One delivery by id, or null. */
  async findWebhookDelivery(id: string): Promise<WebhookDelivery | null> {
    const { rows } = await this.query('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
    return rows[0] ? toWebhookDelivery(rows[0]) : null;
  }

  async requeueWebhookDelivery(id: string, at: number, expiresAt: number): Promise<boolean> {
    const { rowCount } = await this.query("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, expires_at = $2 WHERE id = $3", [at, expiresAt, id]);
    return rowCount === 1;
  }

  async claimWebhookLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    // Taken if free, expired or already ours. One statement: under concurrent claims the row lock makes the
    // second re-check the WHERE against the first one's row, so only one node wins.
    const { rows } = await this.query(
      `INSERT INTO webhook_lease (name, holder, expires_at) VALUES ('deliver', $1, $2)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE webhook_lease.holder = excluded.holder OR webhook_lease.expires_at < $3
        RETURNING holder`,
      [holder, now + ttlMs, now],
    );
    return rows.length === 1;
  }

  async releaseWebhookLease(holder: string): Promise<void> {
    await this.query("DELETE FROM webhook_lease WHERE name = 'deliver' AND holder = $1", [holder]);
  }

  async pruneWebhookDeliveries(before: number): Promise<number> {
    const { rowCount } = await this.query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1", [before]);
    await this.query('DELETE FROM webhook_messages m WHERE m.at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = m.id)', [before]);
    return rowCount ?? 0;
  }

  // ── users ─────────────────────────────────────────────────────────────────────────────────────────

  async insertUser(u: UserRecord): Promise<void> {
    try {
      await this.query('INSERT INTO users (id, email, name, role, password_hash, created_at, password_change_required) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        u.id, u.email.toLowerCase(), u.name, u.role, u.passwordHash, u.createdAt, u.passwordChangeRequired,
      ]);
    } catch (error) {
      // Two nodes creating the same account at once: the loser gets the same answer as a sequential duplicate.
      if (error instanceof pg.DatabaseError && error.code === '23505') {
        throw new SeshatError('conflict', `A user with e-mail ${u.email.toLowerCase()} already exists.`, { cause: error });
      }
      throw error;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const { rows } = await this.query('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const { rows } = await this.query('SELECT * FROM users WHERE email = $1', [email.toLowerCase()]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    const { rows } = await this.query('SELECT * FROM users ORDER BY email');
    return rows.map(toUser);
  }

  async countUsers(): Promise<number> {
    const { rows } = await this.query('SELECT count(*) AS n FROM users');
    return Number(rows[0]!.n);
  }

  async updatePasswordHash(userId: string, passwordHash: string, changeRequired = false): Promise<void> {
    await this.query('UPDATE users SET password_hash = $1, password_change_required = $2 WHERE id = $3', [passwordHash, changeRequired, userId]);
  }

  async upgradePasswordHash(userId: string, oldHash: string, newHash: string): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3', [newHash, userId, oldHash]);
    return rowCount === 1;
  }

  async requirePasswordChange(userId: string): Promise<void> {
    await this.query('UPDATE users SET password_change_required = true WHERE id = $1', [userId]);
  }

  async updateUserRole(userId: string, role: UserRecord['role']): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE users SET role = $1 WHERE id = $2', [role, userId]);
    return rowCount === 1;
  }

  async listUsersWithRoles(roles: readonly UserRole[]): Promise<Pick<UserRecord, 'id' | 'role'>[]> {
    if (roles.length === 0) return [];
    const { rows } = await this.query('SELECT id, role FROM users WHERE role = ANY($1::text[]) ORDER BY id', [roles]);
    return rows.map((r) => ({ id: String(r.id), role: r.role as UserRole }));
  }

  // ── sign-in limits ────────────────────────────────────────────────────────────────────────────────

  async countSignInAttempt(key: string, at: number, windowMs: number): Promise<SignInCounter> {
    // One statement (the row lock serialises concurrent hits from every node): a new window starts when the old
    // one is over; otherwise the count goes up.
    const { rows } = await this.query(
      `INSERT INTO sign_in_limits (key, count, window_start, last_at) VALUES ($1, 1, $2, $2)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN sign_in_limits.window_start <= excluded.window_start - $3 THEN 1 ELSE sign_in_limits.count + 1 END,
          window_start = CASE WHEN sign_in_limits.window_start <= excluded.window_start - $3 THEN excluded.window_start ELSE sign_in_limits.window_start END,
          last_at = excluded.last_at
        RETURNING count, window_start, last_at`,
      [key, at, windowMs],
    );
    return toCounter(rows[0]!);
  }

  async readSignInCounter(key: string): Promise<SignInCounter | null> {
    const { rows } = await this.query('SELECT count, window_start, last_at FROM sign_in_limits WHERE key = $1', [key]);
    return rows[0] ? toCounter(rows[0]) : null;
  }

  async clearSignInCounter(key: string): Promise<void> {
    await this.query('DELETE FROM sign_in_limits WHERE key = $1', [key]);
  }

  async pruneSignInCounters(before: number): Promise<number> {
    const { rowCount } = await this.query('DELETE FROM sign_in_limits WHERE last_at < $1', [before]);
    return rowCount ?? 0;
  }

  async setUserDisabled(userId: string, at: number | null): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE users SET disabled_at = $1::bigint WHERE id = $2 AND (disabled_at IS NULL) <> ($1::bigint IS NULL)`,
      [at, userId],
    );
    return rowCount === 1;
  }
}

const toCounter = (r: Record<string, unknown>): SignInCounter => ({ count: Number(r.count), windowStart: Number(r.window_start), lastAt: Number(r.last_at) });

/**
 * The multi-node store: several server processes share one PostgreSQL database through `pg` pools.
 * Every statement is a point query, an indexed scan or a bounded batch; revocations commit before the call
 * returns (durable before the API answers), together with their audit events.
 */
export class PostgresStore extends PostgresStatements implements Store {
  readonly dialect = 'postgres' as const;
  readonly connectionString: string;
  /** The timeouts in force (options over `DEFAULT_POSTGRES_TIMEOUTS`). */
  readonly timeouts: PostgresTimeouts;
  readonly #pool: pg.Pool;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    const timeouts: PostgresTimeouts = {
      connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULT_POSTGRES_TIMEOUTS.connectionTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_POSTGRES_TIMEOUTS.queryTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_POSTGRES_TIMEOUTS.statementTimeoutMs,
      bulkTimeoutMs: options.bulkTimeoutMs ?? DEFAULT_POSTGRES_TIMEOUTS.bulkTimeoutMs,
    };
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: timeouts.connectionTimeoutMs,
      query_timeout: timeouts.queryTimeoutMs,
      statement_timeout: timeouts.statementTimeoutMs,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'seshat',
      keepAlive: true,
      keepAliveInitialDelayMillis: options.keepAliveInitialDelayMs ?? 10_000,
    });
    let inTransaction!: <T>(work: (run: Run) => Promise<T>) => Promise<T>;
    // Connection-level failures become `unavailable` (HTTP 503), never "not signed in"; anything else (a bad
    // statement) stays what it is, a bug. pool.query discards a connection whose statement failed.
    super(async (text, values = [], bulk) => {
      // A bulk statement needs its own limits, which only a transaction can scope (SET LOCAL).
      if (bulk) return inTransaction((run) => run(text, values, bulk));
      try {
        return await pool.query<Row>(text, values);
      } catch (error) {
        throw translate(error, timeouts);
      }
    });
    inTransaction = (work) => this.#inTransaction(work);
    this.connectionString = connectionString;
    this.timeouts = timeouts;
    this.#pool = pool;
    // An idle connection that dies (server restart, pg_terminate_backend) is dropped by the pool and
    // replaced on the next query; without a listener the 'error' event would crash the process.
    this.#pool.on('error', () => {});
  }

  async transaction<T>(work: (scope: StoreScope) => Promise<T>): Promise<T> {
    return this.#inTransaction((run) => work(new PostgresStatements(run)));
  }

  /** BEGIN … COMMIT on one pooled connection, `work` running its statements through `run`. */
  async #inTransaction<T>(work: (run: Run) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    const timeouts = this.timeouts;
    /** Set when the connection cannot be trusted any more: it is destroyed, not returned to the pool. */
    let broken = false;
    const run: Run = async (text, values = [], bulk) => {
      try {
        if (bulk) await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeouts.bulkTimeoutMs)}`);
        // query_timeout per query is read by pg's Client.query but missing from @types/pg's QueryConfig.
        const config: pg.QueryConfig & { query_timeout?: number } = { text, values, ...(bulk ? { query_timeout: timeouts.bulkTimeoutMs + 1000 } : {}) };
        return await client.query<Row>(config);
      } catch (error) {
        const translated = translate(error, timeouts);
        if (isSeshatError(translated) && translated.code === 'unavailable') broken = true;
        throw translated;
      }
    };
    try {
      await run('BEGIN');
      const result = await work(run);
      await run('COMMIT');
      return result;
    } catch (error) {
      // A connection that timed out or failed is not asked to roll back (on a silent link that would wait another
      // query timeout): destroying it ends the transaction on the server, which rolls it back.
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw translate(error, this.timeouts);
    }
  }

  /** Cross-node cache invalidation over LISTEN/NOTIFY on this database. */
  createInvalidationChannel(options: PgInvalidationOptions = {}): PgInvalidationChannel {
    return new PgInvalidationChannel(this.connectionString, (sql, values) => this.query(sql, values).then((r) => r.rows), options);
  }

  async migrate(): Promise<number[]> {
    // Its own connection, without the per-statement limits: DDL on a large table may legitimately take minutes.
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: this.timeouts.connectionTimeoutMs, application_name: 'seshat-migrate', keepAlive: true });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      throw translate(error, this.timeouts);
    }
    const applied: number[] = [];
    try {
      await client.query('BEGIN');
      // Transactional DDL: all pending versions apply together or not at all; the lock makes a second node
      // wait and then find nothing left to do.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const m of postgresMigrations) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw translate(error, this.timeouts);
    } finally {
      await client.end().catch(() => {});
    }
    return applied;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}

/** A parameter builder for `$n` placeholders over one values array (see src/store/sql.ts). */
function placeholders(values: unknown[]): (value: unknown) => string {
  return (value) => {
    values.push(value);
    return `$${values.length}`;
  };
}

/** How PostgreSQL reads the JSON columns a session filter looks at. */
const PG_MATCH = { jsonText: (column: string, field: string) => `(${column} ->> '${field}')`, persistentTrue: 'TRUE', truthy: "'true'" };

const toMatched = (r: Row): MatchedSession => ({ id: String(r.id), userId: String(r.user_id), ip: r.ip === null ? null : String(r.ip) });

function live(cutoffs: ExpiryCutoffs, param: (value: unknown) => string): string {
  return liveSessionCondition(cutoffs, param, 'TRUE');
}

function translate(error: unknown, timeouts: PostgresTimeouts): unknown {
  if (isTimeout(error)) {
    return new SeshatError('unavailable', `The PostgreSQL database did not answer in time (query timeout ${timeouts.queryTimeoutMs} ms, connection timeout ${timeouts.connectionTimeoutMs} ms).`, { cause: error });
  }
  if (isConnectionFailure(error)) {
    return new SeshatError('unavailable', 'The PostgreSQL database is not reachable.', { cause: error });
  }
  return error;
}

const { toSession, toAuditEvent, toApiKey, toUser, toWebhookEndpoint, toWebhookDelivery, toDueWebhookDelivery } = rowMappers({
  bool: (value) => value === true,
  // pg parses jsonb itself.
  json: <T>(value: unknown) => (value ?? null) as T | null,
});

function toStoredPolicy(row: Row): StoredSessionPolicy {
  return { subject: String(row.subject), policy: row.policy as StoredSessionPolicy['policy'], updatedAt: Number(row.updated_at) };
}
