/**
 * SQLite schema, one entry per version; applied in order, each in its own transaction, never edited once
 * released (add a new version instead). Times are epoch milliseconds.
 */
export const sqliteMigrations: SqliteMigration[] = [
  {
    version: 1,
    name: 'sessions, users, settings, audit',
    sql: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      );

      -- No foreign key to users: the library stores sessions for any application's user ids.
      CREATE TABLE sessions (
        id             TEXT PRIMARY KEY,
        user_id        TEXT NOT NULL,
        secret_hash    BLOB NOT NULL,
        token_hint     TEXT NOT NULL,
        persistent     INTEGER NOT NULL,
        created_at     INTEGER NOT NULL,
        last_active_at INTEGER NOT NULL,
        revoked_at     INTEGER,
        revoked_reason TEXT,
        ip             TEXT,
        user_agent     TEXT,
        device         TEXT NOT NULL,
        location       TEXT,
        risk           TEXT,
        requests       INTEGER NOT NULL DEFAULT 0,
        last_path      TEXT
      );
      -- Listing a user's live sessions. Deliberately no index on last_active_at: touches stay cheap.
      CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE audit_events (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        at             INTEGER NOT NULL,
        action         TEXT NOT NULL,
        actor_id       TEXT,
        target_user_id TEXT,
        session_id     TEXT,
        reason         TEXT,
        ip             TEXT,
        details        TEXT
      );
      CREATE INDEX audit_by_actor ON audit_events (actor_id, seq);
      CREATE INDEX audit_by_target ON audit_events (target_user_id, seq);
      CREATE INDEX audit_by_action ON audit_events (action, seq);
    `,
  },
  {
    version: 2,
    name: 'api keys and their usage',
    sql: `
      CREATE TABLE api_keys (
        id           TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL,
        name         TEXT NOT NULL,
        secret_hash  BLOB NOT NULL,
        prefix       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at   INTEGER
      );
      CREATE INDEX api_keys_live_by_user ON api_keys (user_id) WHERE revoked_at IS NULL;

      -- Requests per key per minute: the rolling 24-hour count is a sum over at most 1,440 rows per key.
      CREATE TABLE api_key_usage (
        key_id   TEXT NOT NULL,
        minute   INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (key_id, minute)
      ) WITHOUT ROWID;
      CREATE INDEX api_key_usage_by_minute ON api_key_usage (minute);
    `,
  },
  {
    version: 3,
    name: 'why sessions ended, sign-in and latest address',
    sql: `
      -- An administrator's own reason for ending a session, shown to the person only if the admin allows it.
      ALTER TABLE sessions ADD COLUMN revoked_note TEXT;
      -- ip/location become the latest seen (batched touch); the sign-in ones are kept beside them.
      ALTER TABLE sessions ADD COLUMN sign_in_ip TEXT;
      ALTER TABLE sessions ADD COLUMN sign_in_location TEXT;
      UPDATE sessions SET sign_in_ip = ip, sign_in_location = location;
    `,
  },
  {
    version: 4,
    name: 'step-up, required password changes, sign-in throttling',
    sql: `
      -- A password set by someone else (an administrator, the generated first password) must be changed first.
      ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0;
      -- Step-up: the last time the password was entered again on this session (the sign-in is created_at).
      ALTER TABLE sessions ADD COLUMN reauthenticated_at INTEGER;
      ALTER TABLE sessions ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0;

      -- Sign-in throttling counters shared by every process on the database (per account and per IP).
      CREATE TABLE sign_in_limits (
        key          TEXT PRIMARY KEY,
        count        INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        last_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'roles owner/admin/auditor/user, disabled accounts',
    // SQLite cannot alter a CHECK constraint, so the users table is rebuilt from its current definition (with
    // whatever columns other versions added), only the role rule replaced; its indexes are recreated.
    sql: (schema) => {
      const table = schema.definition('users');
      const widened = table.replace(/CHECK \(role IN \([^)]*\)\)/, "CHECK (role IN ('owner', 'admin', 'auditor', 'user'))").replace(/^CREATE TABLE users\b/, 'CREATE TABLE users_v5');
      return `
        ${widened};
        INSERT INTO users_v5 SELECT * FROM users;
        DROP TABLE users;
        ALTER TABLE users_v5 RENAME TO users;
        ${schema.indexes('users').join(';\n')};
        ALTER TABLE users ADD COLUMN disabled_at INTEGER;
      `;
    },
  },
  {
    version: 6,
    name: 'device-bound sessions (DBSC)',
    sql: `
      -- The public key a browser registered for the session (a JWK, JSON text) and when; null = not bound.
      ALTER TABLE sessions ADD COLUMN device_key TEXT;
      ALTER TABLE sessions ADD COLUMN bound_at INTEGER;

      -- HMAC keys for the short-lived bound cookie and the DBSC challenges, shared by every node and rotated.
      CREATE TABLE device_binding_secrets (
        id         TEXT PRIMARY KEY,
        secret     BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'webhook endpoints, outbox and delivery lease',
    sql: `
      CREATE TABLE webhook_endpoints (
        id          TEXT PRIMARY KEY,
        url         TEXT NOT NULL,
        secret      TEXT NOT NULL,
        events      TEXT,
        enabled     INTEGER NOT NULL,
        description TEXT,
        created_at  INTEGER NOT NULL
      );

      -- The exact request body as text: the signature covers its bytes.
      CREATE TABLE webhook_messages (
        id      TEXT PRIMARY KEY,
        type    TEXT NOT NULL,
        at      INTEGER NOT NULL,
        payload TEXT NOT NULL
      );

      CREATE TABLE webhook_deliveries (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        message_id       TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
        endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_type       TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts         INTEGER NOT NULL,
        next_attempt_at  INTEGER,
        expires_at       INTEGER NOT NULL,
        created_at       INTEGER NOT NULL,
        last_attempt_at  INTEGER,
        last_status_code INTEGER,
        last_error       TEXT
      );
      -- The dispatcher's question: what is due? Only pending rows are in the index.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);
      CREATE INDEX webhook_deliveries_by_message ON webhook_deliveries (message_id);

      -- One row: which node delivers, until when (see WebhookDispatcher).
      CREATE TABLE webhook_lease (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'session policies per role and per user',
    sql: `
      -- One row per subject (the server: 'role:admin', 'user:usr_…'). Read whole at start and on every settings
      -- change, never per request, so it needs no index beyond its key.
      CREATE TABLE session_policies (
        subject    TEXT PRIMARY KEY,
        policy     TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'daily rollups for the admin overview',
    sql: `
      -- One value per UTC day and metric (see core/daily-stats.ts): counters added by the changes they count,
      -- snapshots set by the background job. SQLite runs one writer at a time, so its counters use shard 0 only.
      CREATE TABLE daily_stats (
        day    TEXT NOT NULL,
        metric TEXT NOT NULL,
        shard  INTEGER NOT NULL,
        value  INTEGER NOT NULL,
        PRIMARY KEY (day, metric, shard)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'team list index: sessions by minute of last activity',
    sql: `
      -- The team list (every live session, most recently active first, keyset pages) scanned and sorted every
      -- live row without an index. It orders by the minute of last activity, then id, as on PostgreSQL. A plain
      -- column, not an expression index: SQLite rewrites an index entry whenever a column it covers is SET, so an
      -- index on last_active_at (or an expression of it) would be written by every touch; the touch batch moves
      -- this column only for sessions that entered a new minute. Not partial on revoked_at either: a revocation
      -- would then delete an entry per row (it doubled the CPU of revoke-matching 100,000 sessions); the listing
      -- skips the few ended rows (kept until GC) as it walks.
      ALTER TABLE sessions ADD COLUMN last_active_minute INTEGER NOT NULL DEFAULT 0;
      UPDATE sessions SET last_active_minute = last_active_at / 60000;
      CREATE INDEX sessions_by_activity ON sessions (last_active_minute DESC, id DESC);
    `,
  },
];

/** What a migration may read of the current schema. */
export interface SchemaReader {
  /** The CREATE TABLE statement of a table. */
  definition(table: string): string;
  /** The CREATE INDEX statements of a table's explicit indexes. */
  indexes(table: string): string[];
}

/** One SQLite schema version. */
export interface SqliteMigration {
  /** Applied once, in ascending order. */
  version: number;
  /** What it changes, for `schema_migrations`. */
  name: string;
  /** The statements, or a function that writes them from the current schema (SQLite rebuilds tables to alter them). */
  sql: string | ((schema: SchemaReader) => string);
}
