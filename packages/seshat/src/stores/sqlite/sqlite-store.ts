import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { ApiKeyRecord } from '../../core/api-key.ts';
import type { AuditEvent } from '../../core/audit.ts';
import { SeshatError } from '../../core/errors.ts';
import type { DeviceKey, RiskAssessment, SessionRecord } from '../../core/session.ts';
import type { ExpiryCutoffs } from '../../core/settings.ts';
import type { DueWebhookDelivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage } from '../../core/webhook.ts';
import { auditCursorSchema, deliveryCursorSchema, decodeCursor, encodeCursor, pageLimit, pageOf, sessionCursorSchema } from '../cursor.ts';
import { anonymized, jsonColumn as json, rowMappers } from '../rows.ts';
import { ACTIVITY_ORDER_MS, activityMinute, auditConditions, breakdownKey, liveSessionCondition, sessionMatchCondition, sessionOrderKey } from '../sql.ts';
import type { SessionMatch } from '../../core/session-filter.ts';
import type {
  ActiveSessionQuery,
  AnonymizeResult,
  AnonymizeStep,
  ApiKeyUsage,
  AuditQuery,
  MatchedSession,
  BatchedTouch,
  BindingSecret,
  CollectResult,
  CollectStep,
  Page,
  Revocation,
  SessionTouch,
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
import type { DailyStat } from '../../core/daily-stats.ts';
import { SqliteChangeChannel } from './invalidation.ts';
import { sqliteMigrations, type SchemaReader } from './migrations.ts';

/**
 * node:sqlite is loaded when a store is opened, not when a module is imported: a static import fails at link
 * time, before any code runs, so on an old Node `import 'seshat/sqlite'` would say "No such built-in module"
 * instead of the version check's sentence (node-version.ts), and anything importing this file would need it.
 */
const sqlite = () => process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');

/**
 * The embedded store: one SQLite file in WAL mode through node:sqlite (no native addon).
 * node:sqlite is synchronous; every statement here is an indexed point query or a bounded batch,
 * so the event loop is held for microseconds. One process per file (use PostgreSQL for several nodes).
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, Statement>();
  /** The transaction in progress (`transaction()`), settled when it ends. */
  #open: { ended: Promise<void> } | null = null;
  /** True while a method runs on behalf of the open transaction (called through its scope). */
  #inScope = false;
  /** This store as a transaction's work sees it: the same methods, marked as belonging to the transaction. */
  readonly #scope: StoreScope;

  /** `path` is a file path or ':memory:'. Parent folders are created. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new (sqlite().DatabaseSync)(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;  -- a revocation is on disk before the API answers
      PRAGMA busy_timeout = 5000;
      PRAGMA foreign_keys = ON;
      -- Up to 64 MiB of pages in SQLite's own cache (default 2 MiB): the sessions a server serves stay there, so a
      -- touch or a cache miss does not copy its page in from the OS each time; at 10,000 sessions in use this
      -- made a batched touch about a third cheaper (bench/run.ts, in-process row with the touch batch).
      PRAGMA cache_size = -65536;
    `);
    this.#scope = new Proxy(this, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          // The methods run their SQL synchronously, before their first await: the mark covers exactly that.
          this.#inScope = true;
          try {
            return value.apply(target, args);
          } finally {
            this.#inScope = false;
          }
        };
      },
    });
  }

  #sql(sql: string): Statement {
    // A closed handle (shutdown under way, or an operator closed it) is an unavailable store, not a bug:
    // callers answer 503 rather than 500, and never treat it as "no such session".
    if (!this.#db.isOpen) throw new SeshatError('unavailable', 'The SQLite database is closed.');
    let statement = this.#statements.get(sql);
    if (!statement) {
      const prepared = this.#db.prepare(sql);
      statement = {
        run: (...params) => translated(() => prepared.run(...params)),
        get: (...params) => translated(() => prepared.get(...params)),
        all: (...params) => translated(() => prepared.all(...params)),
      };
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Writes outside the open transaction wait for it to end: on one connection they would otherwise become part
   * of it (committed or rolled back with someone else's change). Reads need not wait.
   */
  #writable(): Promise<void> | void {
    if (this.#inScope || !this.#open) return;
    return (async () => {
      while (this.#open) await this.#open.ended;
    })();
  }

  /** Runs synchronous work atomically: its own transaction, or a savepoint inside the open one. */
  #atomically<T>(work: () => T): T {
    const nested = this.#open !== null;
    this.#db.exec(nested ? 'SAVEPOINT atomically' : 'BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec(nested ? 'RELEASE atomically' : 'COMMIT');
      return result;
    } catch (error) {
      this.#db.exec(nested ? 'ROLLBACK TO atomically; RELEASE atomically' : 'ROLLBACK');
      throw error;
    }
  }

  /**
   * One transaction at a time on the one connection. node:sqlite is synchronous, so work that waits only on its
   * scope's calls runs start to finish without the event loop turning; writes from elsewhere wait for it to end.
   * Work that pauses (a timer, the network) would hold every writer meanwhile: it is rolled back and refused.
   */
  async transaction<T>(work: (scope: StoreScope) => Promise<T>): Promise<T> {
    while (this.#open) await this.#open.ended;
    if (!this.#db.isOpen) throw new SeshatError('unavailable', 'The SQLite database is closed.');
    let end!: () => void;
    this.#open = { ended: new Promise<void>((resolve) => (end = resolve)) };
    let paused = false;
    const watch = setImmediate(() => (paused = true));
    try {
      translated(() => this.#db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await work(this.#scope);
        if (paused) throw new Error('A SQLite transaction paused for the event loop; its work must wait only on its scope (see Transactional).');
        translated(() => this.#db.exec('COMMIT'));
        return result;
      } catch (error) {
        rollback(this.#db);
        throw error;
      }
    } finally {
      clearImmediate(watch);
      this.#open = null;
      end();
    }
  }

  /** BEGIN IMMEDIATE already takes the database's write lock: every writing transaction runs alone. */
  async lockUserSessions(): Promise<void> {}

  /** As `lockUserSessions`: the write lock already makes a policy's read-merge-save run alone. */
  async lockSessionPolicy(): Promise<void> {}

  /** As `lockUserSessions`: the write lock already makes a read-merge-save of the settings run alone. */
  async lockSettings(): Promise<void> {}

  async migrate(): Promise<number[]> {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set(this.#db.prepare('SELECT version FROM schema_migrations').all().map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of sqliteMigrations) {
      if (done.has(m.version)) continue;
      this.#atomically(() => {
        this.#db.exec(typeof m.sql === 'string' ? m.sql : m.sql(this.#schemaReader()));
        this.#db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      });
      applied.push(m.version);
    }
    return applied;
  }

  #schemaReader(): SchemaReader {
    const master = (type: string, table: string) =>
      this.#db.prepare('SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL').all(type, table).map((r) => String(r.sql));
    return {
      definition: (table) => master('table', table)[0] ?? '',
      indexes: (table) => master('index', table),
    };
  }

  /**
   * Changes other processes commit to this file (the CLI) reach this process's cache before its next use: see
   * `SqliteChangeChannel`. Read on this store's own connection, which does not count its own commits.
   */
  createInvalidationChannel(options: { recheckMs?: number; nodeId?: string; onError?: (error: unknown) => void } = {}): SqliteChangeChannel {
    // nodeId and onError (the PostgreSQL channel's) have nothing to name or report here.
    const statement = this.#db.prepare('PRAGMA data_version');
    return new SqliteChangeChannel(() => Number(statement.get()!.data_version), { ...(options.recheckMs !== undefined ? { recheckMs: options.recheckMs } : {}) });
  }

  async ping(): Promise<void> {
    // Reads a real page: `SELECT 1` answers from memory even when the file underneath is unreadable.
    this.#sql('SELECT count(*) FROM schema_migrations').get();
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  // ── sessions ──────────────────────────────────────────────────────────────────────────────────────

  async insertSession(s: SessionRecord): Promise<void> {
    await this.#writable();
    this.#sql(`INSERT INTO sessions (id, user_id, secret_hash, token_hint, persistent, created_at, last_active_at, revoked_at,
        revoked_reason, revoked_note, ip, sign_in_ip, user_agent, device, location, sign_in_location, risk, requests, last_path,
        reauthenticated_at, password_change_required, last_active_minute)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      s.id, s.userId, s.secretHash, s.tokenHint, s.persistent ? 1 : 0, s.createdAt, s.lastActiveAt, s.revokedAt,
      s.revokedReason, s.revokedNote, s.ip, s.signInIp, s.userAgent, JSON.stringify(s.device), json(s.location), json(s.signInLocation),
      json(s.risk), s.requests, s.lastPath, s.reauthenticatedAt, s.passwordChangeRequired ? 1 : 0, activityMinute(s.lastActiveAt),
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const row = this.#sql('SELECT * FROM sessions WHERE id = ?').get(id);
    return row ? toSession(row) : null;
  }

  async findSessions(ids: readonly string[]): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    return this.#sql('SELECT * FROM sessions WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)).map(toSession);
  }

  async touchSession(id: string, t: SessionTouch): Promise<boolean> {
    await this.#writable();
    // An activity timestamp need not survive a power cut, so this one commit skips the fsync (WAL +
    // synchronous=NORMAL: still atomic, still durable across a process crash). node:sqlite is synchronous,
    // so the event loop would otherwise wait on the disk for every touch (~1 ms). The next FULL commit
    // (a revocation, a sign-in) syncs the WAL, these frames included.
    return this.#unsynced(() => {
      const { changes } = this.#sql(
        'UPDATE sessions SET last_active_at = ?, requests = requests + ?, last_path = ?, last_active_minute = ? WHERE id = ? AND revoked_at IS NULL',
      ).run(t.lastActiveAt, t.requests, t.lastPath, activityMinute(t.lastActiveAt), id);
      return Number(changes) === 1;
    });
  }

  async touchSessions(touches: BatchedTouch[]): Promise<string[]> {
    if (touches.length === 0) return [];
    await this.#writable();
    // One transaction, one prepared UPDATE per row, unsynced like `touchSession`, each with the touch condition.
    // node:sqlite runs in this process, so a statement per row costs no round trip, and it is the cheapest form
    // measured: ~2.5 µs a row against ~4 for one UPDATE … FROM json_each over the batch and ~5.5 for that plus a
    // second statement for the minute (10,000 sessions, measured in process). Only a row entering a new minute
    // (once a minute for a session in use) also sets `last_active_minute`: SQLite rewrites the index entry of any
    // indexed column that is SET, even to the same value, which made every touch ~40% dearer.
    const plain = this.#sql('UPDATE sessions SET last_active_at = max(last_active_at, ?1), requests = requests + ?2, last_path = coalesce(?3, last_path) WHERE id = ?4 AND revoked_at IS NULL');
    const minute = this.#sql(`UPDATE sessions SET last_active_at = max(last_active_at, ?1), requests = requests + ?2, last_path = coalesce(?3, last_path),
        last_active_minute = max(last_active_at, ?1) / ${ACTIVITY_ORDER_MS} WHERE id = ?4 AND revoked_at IS NULL`);
    const moved = this.#sql(`UPDATE sessions SET last_active_at = max(last_active_at, ?1), requests = requests + ?2, last_path = coalesce(?3, last_path),
        last_active_minute = max(last_active_at, ?1) / ${ACTIVITY_ORDER_MS}, ip = ?5, location = CASE WHEN ?6 = 1 THEN ?7 ELSE location END
        WHERE id = ?4 AND revoked_at IS NULL`);
    return this.#unsynced(() =>
      this.#atomically(() => {
        // A row not updated was revoked or deleted meanwhile (on any node): it is left out of the answer.
        const live: string[] = [];
        for (const t of touches) {
          let changes: number | bigint;
          if (typeof t.ip === 'string') {
            const located = t.location !== undefined;
            ({ changes } = moved.run(t.lastActiveAt, t.requests, t.lastPath, t.id, t.ip, located ? 1 : 0, located ? json(t.location) : null));
          } else {
            const sameMinute = t.previousActiveAt !== undefined && activityMinute(t.previousActiveAt) === activityMinute(t.lastActiveAt);
            ({ changes } = (sameMinute ? plain : minute).run(t.lastActiveAt, t.requests, t.lastPath, t.id));
          }
          if (Number(changes) === 1) live.push(t.id);
        }
        return live;
      }),
    );
  }

  /** Runs writes that may be lost in a power cut (never a revocation) without waiting for the disk. */
  #unsynced<T>(work: () => T): T {
    // The safety level cannot change inside a transaction; there the transaction's own commit decides.
    if (this.#open) return work();
    this.#sql('PRAGMA synchronous = NORMAL').run();
    try {
      return work();
    } finally {
      this.#sql('PRAGMA synchronous = FULL').run();
    }
  }

  #live(cutoffs: ExpiryCutoffs, params: SQLInputValue[]): string {
    return liveSessionCondition(cutoffs, (v) => (params.push(v as SQLInputValue), '?'), '1');
  }

  async listActiveSessions(q: ActiveSessionQuery): Promise<Page<SessionRecord>> {
    const params: SQLInputValue[] = [];
    // The same order as on PostgreSQL: a user's sessions exactly by last activity; everyone's by its minute,
    // then id, which the index `sessions_by_activity` (migration 11) serves.
    const key = q.userId !== undefined ? 'last_active_at' : 'last_active_minute';
    let sql = `SELECT * FROM sessions WHERE ${this.#live(q.cutoffs, params)}`;
    if (q.userId !== undefined) (sql += ' AND user_id = ?'), params.push(q.userId);
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, sessionCursorSchema);
      // `key <= ?` first: a range SQLite seeks to in the index (an OR alone made it scan from the top).
      sql += ` AND ${key} <= ? AND (${key} < ? OR id < ?)`;
      params.push(at, at, id);
    }
    sql += ` ORDER BY ${key} DESC, id DESC`;
    const limit = q.limit === undefined ? undefined : pageLimit(q.limit);
    if (limit !== undefined) (sql += ' LIMIT ?'), params.push(limit + 1);
    const rows = this.#sql(sql).all(...params).map(toSession);
    return pageOf(rows, limit, (s) => encodeCursor([sessionOrderKey(s, q.userId), s.id]));
  }

  async countActiveSessions(cutoffs: ExpiryCutoffs, userId?: string, atMost?: number): Promise<number> {
    const params: SQLInputValue[] = [];
    let where = this.#live(cutoffs, params);
    if (userId !== undefined) (where += ' AND user_id = ?'), params.push(userId);
    let sql = `SELECT count(*) AS n FROM sessions WHERE ${where}`;
    if (atMost !== undefined) (sql = `SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE ${where} LIMIT ?)`), params.push(atMost);
    return Number(this.#sql(sql).get(...params)!.n);
  }

  async activeSessionStats(cutoffs: ExpiryCutoffs): Promise<UserSessionStats[]> {
    const params: SQLInputValue[] = [];
    const sql = `SELECT user_id, count(*) AS n, max(last_active_at) AS last FROM sessions WHERE ${this.#live(cutoffs, params)}
      GROUP BY user_id ORDER BY last DESC`;
    return this.#sql(sql)
      .all(...params)
      .map((r) => ({ userId: String(r.user_id), activeSessions: Number(r.n), lastActiveAt: Number(r.last) }));
  }

  async revokeSession(id: string, r: Revocation): Promise<boolean> {
    await this.#writable();
    const { changes } = this.#sql('UPDATE sessions SET revoked_at = ?, revoked_reason = ?, revoked_note = ? WHERE id = ? AND revoked_at IS NULL').run(r.at, r.reason, r.note ?? null, id);
    return Number(changes) === 1;
  }

  async revokeUserSessions(userId: string, r: Revocation & { exceptSessionId?: string }): Promise<string[]> {
    await this.#writable();
    const rows = this.#sql(
      `UPDATE sessions SET revoked_at = ?, revoked_reason = ?, revoked_note = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ? RETURNING id`,
    ).all(r.at, r.reason, r.note ?? null, userId, r.exceptSessionId ?? null);
    return rows.map((row) => String(row.id));
  }

  async revokeAllSessions(r: Revocation): Promise<number> {
    await this.#writable();
    const { changes } = this.#sql('UPDATE sessions SET revoked_at = ?, revoked_reason = ?, revoked_note = ? WHERE revoked_at IS NULL').run(r.at, r.reason, r.note ?? null);
    return Number(changes);
  }

  async findMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs): Promise<MatchedSession[]> {
    const params: SQLInputValue[] = [];
    const live = this.#live(cutoffs, params);
    const where = sessionMatchCondition(match, (v) => (params.push(v as SQLInputValue), '?'), SQLITE_MATCH);
    return this.#sql(`SELECT id, user_id, ip FROM sessions WHERE ${live} AND ${where}`).all(...params).map(toMatched);
  }

  async revokeMatchingSessions(match: SessionMatch, cutoffs: ExpiryCutoffs, r: Revocation & { exceptSessionId?: string }): Promise<MatchedSession[]> {
    await this.#writable();
    const params: SQLInputValue[] = [r.at, r.reason, r.note ?? null];
    const live = this.#live(cutoffs, params);
    const where = sessionMatchCondition(match, (v) => (params.push(v as SQLInputValue), '?'), SQLITE_MATCH);
    params.push(r.exceptSessionId ?? null);
    return this.#sql(`UPDATE sessions SET revoked_at = ?, revoked_reason = ?, revoked_note = ? WHERE ${live} AND ${where} AND id IS NOT ? RETURNING id, user_id, ip`)
      .all(...params)
      .map(toMatched);
  }

  async revokeSessions(ids: readonly string[], r: Revocation): Promise<string[]> {
    await this.#writable();
    if (ids.length === 0) return [];
    // One statement whatever the number of ids: a JSON array parameter, not a list of placeholders.
    return this.#sql('UPDATE sessions SET revoked_at = ?, revoked_reason = ?, revoked_note = ? WHERE id IN (SELECT value FROM json_each(?)) AND revoked_at IS NULL RETURNING id')
      .all(r.at, r.reason, r.note ?? null, JSON.stringify(ids))
      .map((row) => String(row.id));
  }

  async updateSessionAuthentication(id: string, u: SessionAuthenticationUpdate): Promise<boolean> {
    await this.#writable();
    const { changes } = this.#sql(`UPDATE sessions SET reauthenticated_at = ?, password_change_required = coalesce(?, password_change_required)
      WHERE id = ? AND revoked_at IS NULL`).run(u.reauthenticatedAt, u.passwordChangeRequired === undefined ? null : u.passwordChangeRequired ? 1 : 0, id);
    return Number(changes) === 1;
  }

  async collectExpiredSessions(step: CollectStep): Promise<CollectResult> {
    await this.#writable();
    // Deleting dead rows needs no fsync per batch: a batch lost to a power cut is collected next time.
    return this.#unsynced(() => this.#atomically(() => {
      const window = 'SELECT id FROM sessions WHERE id > ? ORDER BY id LIMIT ?';
      const after = step.afterId ?? '';
      const span = this.#sql(`SELECT count(*) AS n, max(id) AS last FROM (${window})`).get(after, step.limit)!;
      const scanned = Number(span.n);
      const params: SQLInputValue[] = [after, step.limit];
      let sql = `DELETE FROM sessions WHERE id IN (${window}) AND NOT (${this.#live(step.cutoffs, params)})`;
      if (step.endedBefore !== undefined) (sql += ' AND (revoked_at IS NULL OR revoked_at <= ?)'), params.push(step.endedBefore);
      // Each removed row says whether it had ended (revoked) or only expired: the overview counts the latter.
      const removed = this.#sql(sql + ' RETURNING revoked_at IS NULL AS expired').all(...params);
      const changes = removed.length;
      const expired = removed.filter((r) => Number(r.expired) === 1).length;
      return { scanned, deleted: Number(changes), expired, lastId: scanned < step.limit ? null : String(span.last) };
    }));
  }

  async countSessions(): Promise<number> {
    return Number(this.#sql('SELECT count(*) AS n FROM sessions').get()!.n);
  }

  // ── overview rollups ──────────────────────────────────────────────────────────────────────────────

  async addDailyCounts(day: string, counts: readonly (readonly [string, number])[]): Promise<void> {
    if (counts.length === 0) return;
    await this.#writable();
    // One writer at a time: no row contention, so one shard.
    const add = this.#sql('INSERT INTO daily_stats (day, metric, shard, value) VALUES (?, ?, 0, ?) ON CONFLICT (day, metric, shard) DO UPDATE SET value = value + excluded.value');
    this.#atomically(() => {
      for (const [metric, n] of counts) add.run(day, metric, n);
    });
  }

  async setDailyValues(day: string, values: readonly (readonly [string, number])[]): Promise<void> {
    if (values.length === 0) return;
    await this.#writable();
    const set = this.#sql('INSERT INTO daily_stats (day, metric, shard, value) VALUES (?, ?, 0, ?) ON CONFLICT (day, metric, shard) DO UPDATE SET value = excluded.value');
    this.#atomically(() => {
      for (const [metric, value] of values) set.run(day, metric, value);
    });
  }

  async listDailyStats(from: string, to: string): Promise<DailyStat[]> {
    return this.#sql('SELECT day, metric, sum(value) AS value FROM daily_stats WHERE day >= ? AND day <= ? GROUP BY day, metric ORDER BY day, metric')
      .all(from, to)
      .map((r) => ({ day: String(r.day), metric: String(r.metric), value: Number(r.value) }));
  }

  async pruneDailyStats(day: string): Promise<number> {
    await this.#writable();
    return Number(this.#sql('DELETE FROM daily_stats WHERE day < ?').run(day).changes);
  }

  async liveSessionBreakdown(cutoffs: ExpiryCutoffs, by: SessionBreakdownKey, limit: number): Promise<SessionGroup[]> {
    const params: SQLInputValue[] = [];
    const key = breakdownKey(by, SQLITE_MATCH.jsonText);
    const sql = `SELECT ${key} AS k, count(*) AS n FROM sessions WHERE ${this.#live(cutoffs, params)} GROUP BY k ORDER BY n DESC, k IS NULL, k LIMIT ?`;
    params.push(limit);
    return this.#sql(sql).all(...params).map((r) => ({ key: r.k === null ? null : String(r.k), count: Number(r.n) }));
  }

  // ── device binding ────────────────────────────────────────────────────────────────────────────────

  async bindSessionKey(id: string, b: { key: DeviceKey; at: number }): Promise<boolean> {
    await this.#writable();
    const { changes } = this.#sql('UPDATE sessions SET device_key = ?, bound_at = ? WHERE id = ? AND revoked_at IS NULL AND device_key IS NULL')
      .run(JSON.stringify(b.key), b.at, id);
    return Number(changes) === 1;
  }

  async countBoundSessions(cutoffs: ExpiryCutoffs): Promise<number> {
    const params: SQLInputValue[] = [];
    const sql = `SELECT count(*) AS n FROM sessions WHERE ${this.#live(cutoffs, params)} AND device_key IS NOT NULL`;
    return Number(this.#sql(sql).get(...params)!.n);
  }

  async listBindingSecrets(): Promise<BindingSecret[]> {
    return this.#sql('SELECT * FROM device_binding_secrets ORDER BY created_at DESC, id DESC').all()
      .map((r) => ({ id: String(r.id), secret: r.secret as Uint8Array, createdAt: Number(r.created_at) }));
  }

  async insertBindingSecret(k: BindingSecret, retireBefore: number): Promise<void> {
    await this.#writable();
    this.#atomically(() => {
      this.#sql('INSERT INTO device_binding_secrets (id, secret, created_at) VALUES (?, ?, ?)').run(k.id, k.secret, k.createdAt);
      this.#sql('DELETE FROM device_binding_secrets WHERE created_at < ?').run(retireBefore);
    });
  }

  async setSessionRisk(id: string, risk: RiskAssessment): Promise<boolean> {
    await this.#writable();
    return Number(this.#sql('UPDATE sessions SET risk = ? WHERE id = ? AND revoked_at IS NULL').run(JSON.stringify(risk), id).changes) === 1;
  }

  async anonymizeSessionIps(step: AnonymizeStep): Promise<AnonymizeResult> {
    await this.#writable();
    return this.#atomically(() => {
      const rows = this.#sql('SELECT id, ip, sign_in_ip FROM sessions WHERE id > ? ORDER BY id LIMIT ?').all(step.after ?? '', step.limit);
      let changed = 0;
      for (const r of rows) {
        const [ip, signInIp] = [anonymized(r.ip, step), anonymized(r.sign_in_ip, step)];
        if (ip === r.ip && signInIp === r.sign_in_ip) continue;
        this.#sql('UPDATE sessions SET ip = ?, sign_in_ip = ? WHERE id = ?').run(ip, signInIp, String(r.id));
        changed++;
      }
      return { scanned: rows.length, changed, last: rows.length < step.limit ? null : String(rows.at(-1)!.id) };
    });
  }

  // ── settings ──────────────────────────────────────────────────────────────────────────────────────

  async loadSettings(): Promise<unknown> {
    const row = this.#sql("SELECT value FROM settings WHERE key = 'sessions'").get();
    return row ? JSON.parse(String(row.value)) : null;
  }

  async saveSettings(settings: unknown): Promise<void> {
    await this.#writable();
    this.#sql("INSERT INTO settings (key, value) VALUES ('sessions', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(settings));
  }

  // ── session policies ──────────────────────────────────────────────────────────────────────────────

  async listSessionPolicies(): Promise<StoredSessionPolicy[]> {
    return this.#sql('SELECT * FROM session_policies ORDER BY subject').all().map(toStoredPolicy);
  }

  async findSessionPolicy(subject: string): Promise<StoredSessionPolicy | null> {
    const row = this.#sql('SELECT * FROM session_policies WHERE subject = ?').get(subject);
    return row ? toStoredPolicy(row) : null;
  }

  async saveSessionPolicy(p: StoredSessionPolicy): Promise<void> {
    await this.#writable();
    this.#sql(`INSERT INTO session_policies (subject, policy, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (subject) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`).run(p.subject, JSON.stringify(p.policy), p.updatedAt);
  }

  async deleteSessionPolicy(subject: string): Promise<boolean> {
    await this.#writable();
    return Number(this.#sql('DELETE FROM session_policies WHERE subject = ?').run(subject).changes) === 1;
  }

  // ── audit ─────────────────────────────────────────────────────────────────────────────────────────

  async appendAudit(e: AuditEvent): Promise<void> {
    await this.#writable();
    this.#sql(`INSERT INTO audit_events (id, at, action, actor_id, target_user_id, session_id, reason, ip, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.id, e.at, e.action, e.actorId, e.targetUserId, e.sessionId, e.reason, e.ip, json(e.details));
  }

  async anonymizeAuditIps(step: AnonymizeStep): Promise<AnonymizeResult> {
    await this.#writable();
    return this.#atomically(() => {
      const rows = this.#sql('SELECT seq, ip FROM audit_events WHERE seq > ? AND ip IS NOT NULL ORDER BY seq LIMIT ?').all(Number(step.after ?? 0), step.limit);
      let changed = 0;
      for (const r of rows) {
        const ip = anonymized(r.ip, step);
        if (ip === r.ip) continue;
        this.#sql('UPDATE audit_events SET ip = ? WHERE seq = ?').run(ip, Number(r.seq));
        changed++;
      }
      return { scanned: rows.length, changed, last: rows.length < step.limit ? null : String(rows.at(-1)!.seq) };
    });
  }

  async listAudit(q: AuditQuery): Promise<Page<AuditEvent>> {
    const params: SQLInputValue[] = [];
    const param = (v: unknown) => (params.push(v as SQLInputValue), '?');
    const where = auditConditions(q, param, (column, text) => `instr(lower(${column}), lower(${param(text)})) > 0`);
    if (q.cursor) where.push('seq < ?'), params.push(decodeCursor(q.cursor, auditCursorSchema));
    const limit = pageLimit(q.limit);
    const sql = `SELECT * FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.#sql(sql).all(...params, limit + 1);
    const page = pageOf(rows, limit, (r) => encodeCursor(Number(r.seq)));
    return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
  }

  async deleteAuditBefore(before: number, limit: number): Promise<number> {
    await this.#writable();
    // Oldest first by sequence (append-only, so also by time); no fsync needed for deleting old history.
    return this.#unsynced(() =>
      Number(this.#sql('DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events WHERE at < ? ORDER BY seq LIMIT ?)').run(before, limit).changes),
    );
  }

  // ── API keys ──────────────────────────────────────────────────────────────────────────────────────

  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.#writable();
    this.#sql(`INSERT INTO api_keys (id, user_id, name, secret_hash, prefix, created_at, last_used_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(k.id, k.userId, k.name, k.secretHash, k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt);
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | null> {
    const row = this.#sql('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toApiKey(row) : null;
  }

  async listApiKeys(userId: string, usageSinceMinute: number): Promise<(ApiKeyRecord & { requests24h: number })[]> {
    return this.#sql(`SELECT k.*, (SELECT coalesce(sum(u.requests), 0) FROM api_key_usage u WHERE u.key_id = k.id AND u.minute >= ?) AS requests24h
      FROM api_keys k WHERE k.user_id = ? AND k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id DESC`)
      .all(usageSinceMinute, userId)
      .map((r) => ({ ...toApiKey(r), requests24h: Number(r.requests24h) }));
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    await this.#writable();
    const { changes } = this.#sql('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
    return Number(changes) === 1;
  }

  async revokeUserApiKeys(userId: string | 'all', at: number): Promise<string[]> {
    await this.#writable();
    const rows = userId === 'all'
      ? this.#sql('UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL RETURNING id').all(at)
      : this.#sql('UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id').all(at, userId);
    return rows.map((row) => String(row.id));
  }

  async recordApiKeyUsage(usage: ApiKeyUsage[]): Promise<void> {
    await this.#writable();
    if (usage.length === 0) return;
    this.#atomically(() => {
      for (const u of usage) {
        this.#sql(`INSERT INTO api_key_usage (key_id, minute, requests) VALUES (?, ?, ?)
          ON CONFLICT (key_id, minute) DO UPDATE SET requests = requests + excluded.requests`).run(u.keyId, u.minute, u.requests);
        this.#sql('UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?').run(u.lastUsedAt, u.keyId);
      }
    });
  }

  async pruneApiKeyUsage(beforeMinute: number): Promise<number> {
    await this.#writable();
    return Number(this.#sql('DELETE FROM api_key_usage WHERE minute < ?').run(beforeMinute).changes);
  }

  // ── webhooks ──────────────────────────────────────────────────────────────────────────────────────

  /** Stores a new endpoint. */
  async insertWebhookEndpoint(e: WebhookEndpoint): Promise<void> {
    await this.#writable();
    this.#sql('INSERT INTO webhook_endpoints (id, url, secret, events, enabled, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      e.id, e.url, e.secret, json(e.events), e.enabled ? 1 : 0, e.description, e.createdAt,
    );
  }

  async listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
    return this.#sql('SELECT * FROM webhook_endpoints ORDER BY created_at, id').all().map(toWebhookEndpoint);
  }

  /** One endpoint by id, or null. */
  async findWebhookEndpoint(id: string): Promise<WebhookEndpoint | null> {
    const row = this.#sql('SELECT * FROM webhook_endpoints WHERE id = ?').get(id);
    return row ? toWebhookEndpoint(row) : null;
  }

  async updateWebhookEndpoint(id: string, patch: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description'>>): Promise<boolean> {
    await this.#writable();
    const set: string[] = [];
    const params: SQLInputValue[] = [];
    if (patch.url !== undefined) set.push('url = ?'), params.push(patch.url);
    if (patch.events !== undefined) set.push('events = ?'), params.push(json(patch.events));
    if (patch.enabled !== undefined) set.push('enabled = ?'), params.push(patch.enabled ? 1 : 0);
    if (patch.description !== undefined) set.push('description = ?'), params.push(patch.description);
    if (set.length === 0) return (await this.findWebhookEndpoint(id)) !== null;
    return Number(this.#sql(`UPDATE webhook_endpoints SET ${set.join(', ')} WHERE id = ?`).run(...params, id).changes) === 1;
  }

  async deleteWebhookEndpoint(id: string): Promise<boolean> {
    await this.#writable();
    // Its deliveries go with it (ON DELETE CASCADE); messages left without deliveries go at the next prune.
    return Number(this.#sql('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes) === 1;
  }

  async insertWebhookMessage(m: WebhookMessage, deliveries: WebhookDelivery[]): Promise<void> {
    await this.#writable();
    this.#atomically(() => {
      this.#sql('INSERT INTO webhook_messages (id, type, at, payload) VALUES (?, ?, ?, ?)').run(m.id, m.type, m.at, m.payload);
      for (const d of deliveries) {
        this.#sql(`INSERT INTO webhook_deliveries (id, message_id, endpoint_id, event_type, status, attempts, next_attempt_at, expires_at, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(d.id, d.messageId, d.endpointId, d.eventType, d.status, d.attempts, d.nextAttemptAt, d.expiresAt, d.createdAt);
      }
    });
  }

  async insertWebhookMessages(messages: readonly WebhookMessage[], deliveries: readonly WebhookDelivery[]): Promise<void> {
    await this.#writable();
    // In process, a prepared statement per row is the bulk path: no round trips, one savepoint for the batch.
    this.#atomically(() => {
      const message = this.#sql('INSERT INTO webhook_messages (id, type, at, payload) VALUES (?, ?, ?, ?)');
      for (const m of messages) message.run(m.id, m.type, m.at, m.payload);
      const delivery = this.#sql(`INSERT INTO webhook_deliveries (id, message_id, endpoint_id, event_type, status, attempts, next_attempt_at, expires_at, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const d of deliveries) delivery.run(d.id, d.messageId, d.endpointId, d.eventType, d.status, d.attempts, d.nextAttemptAt, d.expiresAt, d.createdAt);
    });
  }

  async dueWebhookDeliveries(now: number, limit: number): Promise<DueWebhookDelivery[]> {
    return this.#sql(`SELECT d.*, e.url, e.secret, m.payload FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_messages m ON m.id = d.message_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.enabled = 1
      ORDER BY d.next_attempt_at, d.seq LIMIT ?`).all(now, limit).map(toDueWebhookDelivery);
  }

  async recordWebhookAttempt(id: string, a: WebhookAttempt): Promise<void> {
    await this.#writable();
    this.#sql(`UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?, last_attempt_at = ?,
      last_status_code = ?, last_error = ? WHERE id = ?`).run(a.status, a.nextAttemptAt, a.at, a.statusCode, a.error, id);
  }

  async listWebhookDeliveries(q: { endpointId?: string; limit?: number; cursor?: string | null }): Promise<Page<WebhookDelivery>> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (q.endpointId !== undefined) where.push('endpoint_id = ?'), params.push(q.endpointId);
    if (q.cursor) where.push('seq < ?'), params.push(decodeCursor(q.cursor, deliveryCursorSchema));
    const limit = pageLimit(q.limit);
    const rows = this.#sql(`SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`).all(...params, limit + 1);
    const page = pageOf(rows, limit, (r) => encodeCursor(Number(r.seq)));
    return { items: page.items.map(toWebhookDelivery), nextCursor: page.nextCursor };
  }

  /** One delivery by id, or null. */
  async findWebhookDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = this.#sql('SELECT * FROM webhook_deliveries WHERE id = ?').get(id);
    return row ? toWebhookDelivery(row) : null;
  }

  async requeueWebhookDelivery(id: string, at: number, expiresAt: number): Promise<boolean> {
    await this.#writable();
    return Number(this.#sql("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, expires_at = ? WHERE id = ?").run(at, expiresAt, id).changes) === 1;
  }

  async claimWebhookLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    await this.#writable();
    // Taken if free, expired or already ours: one statement, so two claimants cannot both win.
    const row = this.#sql(`INSERT INTO webhook_lease (name, holder, expires_at) VALUES ('deliver', ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE webhook_lease.holder = excluded.holder OR webhook_lease.expires_at < ?
      RETURNING holder`).get(holder, now + ttlMs, now);
    return row !== undefined;
  }

  async releaseWebhookLease(holder: string): Promise<void> {
    await this.#writable();
    this.#sql("DELETE FROM webhook_lease WHERE name = 'deliver' AND holder = ?").run(holder);
  }

  async pruneWebhookDeliveries(before: number): Promise<number> {
    await this.#writable();
    return this.#atomically(() => {
      const deleted = Number(this.#sql("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?").run(before).changes);
      this.#sql('DELETE FROM webhook_messages WHERE at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = webhook_messages.id)').run(before);
      return deleted;
    });
  }

  // ── users ─────────────────────────────────────────────────────────────────────────────────────────

  async insertUser(u: UserRecord): Promise<void> {
    await this.#writable();
    this.#sql('INSERT INTO users (id, email, name, role, password_hash, created_at, password_change_required) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      u.id, u.email.toLowerCase(), u.name, u.role, u.passwordHash, u.createdAt, u.passwordChangeRequired ? 1 : 0,
    );
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const row = this.#sql('SELECT * FROM users WHERE id = ?').get(id);
    return row ? toUser(row) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = this.#sql('SELECT * FROM users WHERE email = ?').get(email.toLowerCase());
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.#sql('SELECT * FROM users ORDER BY email').all().map(toUser);
  }

  async countUsers(): Promise<number> {
    return Number(this.#sql('SELECT count(*) AS n FROM users').get()!.n);
  }

  async updatePasswordHash(userId: string, passwordHash: string, changeRequired = false): Promise<void> {
    await this.#writable();
    this.#sql('UPDATE users SET password_hash = ?, password_change_required = ? WHERE id = ?').run(passwordHash, changeRequired ? 1 : 0, userId);
  }

  async upgradePasswordHash(userId: string, oldHash: string, newHash: string): Promise<boolean> {
    await this.#writable();
    return Number(this.#sql('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(newHash, userId, oldHash).changes) === 1;
  }

  async requirePasswordChange(userId: string): Promise<void> {
    await this.#writable();
    this.#sql('UPDATE users SET password_change_required = 1 WHERE id = ?').run(userId);
  }

  async updateUserRole(userId: string, role: UserRecord['role']): Promise<boolean> {
    await this.#writable();
    return Number(this.#sql('UPDATE users SET role = ? WHERE id = ?').run(role, userId).changes) === 1;
  }

  async listUsersWithRoles(roles: readonly UserRole[]): Promise<Pick<UserRecord, 'id' | 'role'>[]> {
    if (roles.length === 0) return [];
    return this.#sql('SELECT id, role FROM users WHERE role IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(JSON.stringify(roles))
      .map((r) => ({ id: String(r.id), role: r.role as UserRole }));
  }

  // ── sign-in limits ────────────────────────────────────────────────────────────────────────────────

  async countSignInAttempt(key: string, at: number, windowMs: number): Promise<SignInCounter> {
    await this.#writable();
    // One statement: a new window starts when the old one is over; otherwise the count goes up.
    const row = this.#sql(`INSERT INTO sign_in_limits (key, count, window_start, last_at) VALUES (?, 1, ?, ?)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN sign_in_limits.window_start <= excluded.window_start - ? THEN 1 ELSE sign_in_limits.count + 1 END,
        window_start = CASE WHEN sign_in_limits.window_start <= excluded.window_start - ? THEN excluded.window_start ELSE sign_in_limits.window_start END,
        last_at = excluded.last_at
      RETURNING count, window_start, last_at`).get(key, at, at, windowMs, windowMs)!;
    return toCounter(row);
  }

  async readSignInCounter(key: string): Promise<SignInCounter | null> {
    const row = this.#sql('SELECT count, window_start, last_at FROM sign_in_limits WHERE key = ?').get(key);
    return row ? toCounter(row) : null;
  }

  async clearSignInCounter(key: string): Promise<void> {
    await this.#writable();
    this.#sql('DELETE FROM sign_in_limits WHERE key = ?').run(key);
  }

  async pruneSignInCounters(before: number): Promise<number> {
    await this.#writable();
    return Number(this.#sql('DELETE FROM sign_in_limits WHERE last_at < ?').run(before).changes);
  }

  async setUserDisabled(userId: string, at: number | null): Promise<boolean> {
    await this.#writable();
    const { changes } = this.#sql('UPDATE users SET disabled_at = ? WHERE id = ? AND (disabled_at IS NULL) <> (? IS NULL)').run(at, userId, at);
    return Number(changes) === 1;
  }
}

/** How SQLite reads the JSON columns a session filter looks at. */
const SQLITE_MATCH = {
  jsonText: (column: string, field: string) => `json_extract(${column}, '$.${field}')`,
  persistentTrue: '1',
  // json_extract turns JSON true into the integer 1.
  truthy: "1, 'true'",
};

const toMatched = (r: Record<string, unknown>): MatchedSession => ({ id: String(r.id), userId: String(r.user_id), ip: r.ip === null ? null : String(r.ip) });

const toCounter = (r: Record<string, unknown>): SignInCounter => ({ count: Number(r.count), windowStart: Number(r.window_start), lastAt: Number(r.last_at) });

/** Ends the open transaction; a failed COMMIT leaves it open, a closed handle has none left to end. */
function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // no transaction open any more
  }
}

/** A prepared statement whose failures leave translated (see `translated`). */
interface Statement {
  run(...params: SQLInputValue[]): ReturnType<StatementSync['run']>;
  get(...params: SQLInputValue[]): ReturnType<StatementSync['get']>;
  all(...params: SQLInputValue[]): ReturnType<StatementSync['all']>;
}

/**
 * SQLite result codes that mean "the database cannot serve right now" rather than "this statement is wrong":
 * busy/locked past the busy timeout, I/O errors, a corrupt or unreadable file, a full disk, a read-only file.
 * https://www.sqlite.org/rescode.html (primary codes; node:sqlite reports extended ones, hence the mask).
 */
const UNAVAILABLE_CODES = new Set([5 /* BUSY */, 6 /* LOCKED */, 8 /* READONLY */, 10 /* IOERR */, 11 /* CORRUPT */, 13 /* FULL */, 14 /* CANTOPEN */, 26 /* NOTADB */]);

/** The store's own rule for its driver's errors: unavailable (503) or a bug (500), never a guess. */
function translated<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const code = (error as { errcode?: unknown }).errcode;
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code & 0xff)) {
      throw new SeshatError('unavailable', 'The SQLite database cannot be used right now.', { cause: error });
    }
    throw error;
  }
}

const { toSession, toAuditEvent, toApiKey, toUser, toWebhookEndpoint, toWebhookDelivery, toDueWebhookDelivery } = rowMappers({
  bool: (value) => Number(value) === 1,
  json: <T>(value: unknown) => (value === null || value === undefined ? null : (JSON.parse(String(value)) as T)),
});

function toStoredPolicy(row: Record<string, unknown>): StoredSessionPolicy {
  return { subject: String(row.subject), policy: JSON.parse(String(row.policy)), updatedAt: Number(row.updated_at) };
}
