/**
 * PostgreSQL schema, one entry per version; applied in order inside one transaction under an advisory lock
 * (several nodes may start at once), never edited once released (add a new version instead).
 * Times are BIGINT epoch milliseconds, so the Store contract (numbers in ms) holds without conversions.
 */
export const postgresMigrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'sessions, users, settings, audit',
    sql: `
      CREATE TABLE users (
        id            TEXT COLLATE "C" PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
        password_hash TEXT NOT NULL,
        created_at    BIGINT NOT NULL
      );

      -- No foreign key to users: the library stores sessions for any application's user ids.
      -- Ids use the "C" collation: byte order is cheap and makes the keyset GC pass independent of the locale.
      CREATE TABLE sessions (
        id             TEXT COLLATE "C" PRIMARY KEY,
        user_id        TEXT COLLATE "C" NOT NULL,
        secret_hash    BYTEA NOT NULL,
        token_hint     TEXT NOT NULL,
        persistent     BOOLEAN NOT NULL,
        created_at     BIGINT NOT NULL,
        last_active_at BIGINT NOT NULL,
        revoked_at     BIGINT,
        revoked_reason TEXT,
        ip             TEXT,
        user_agent     TEXT,
        device         JSONB NOT NULL,
        location       JSONB,
        risk           JSONB,
        requests       BIGINT NOT NULL DEFAULT 0,
        last_path      TEXT
      )
      -- A touch rewrites last_active_at, requests and last_path, none of them indexed, so it can be a HOT
      -- update (heap-only tuple: no index entries written) provided the new row version fits on the same page.
      -- Leaving 20% of every page free keeps room for those new versions; inserts pay a little more space.
      WITH (fillfactor = 80);

      -- Listing a user's live sessions. Deliberately no index on last_active_at (or any column a touch
      -- writes): it would turn every touch into a non-HOT update that writes every index.
      CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value JSONB NOT NULL
      );

      CREATE TABLE audit_events (
        seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id             TEXT NOT NULL UNIQUE,
        at             BIGINT NOT NULL,
        action         TEXT NOT NULL,
        actor_id       TEXT,
        target_user_id TEXT,
        session_id     TEXT,
        reason         TEXT,
        ip             TEXT,
        details        JSONB
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
        id           TEXT COLLATE "C" PRIMARY KEY,
        user_id      TEXT COLLATE "C" NOT NULL,
        name         TEXT NOT NULL,
        secret_hash  BYTEA NOT NULL,
        prefix       TEXT NOT NULL,
        created_at   BIGINT NOT NULL,
        last_used_at BIGINT,
        revoked_at   BIGINT
      );
      -- last_used_at is not indexed, so the batched usage write stays a HOT update.
      CREATE INDEX api_keys_live_by_user ON api_keys (user_id) WHERE revoked_at IS NULL;

      -- Requests per key per minute: the rolling 24-hour count is a sum over at most 1,440 rows per key.
      CREATE TABLE api_key_usage (
        key_id   TEXT COLLATE "C" NOT NULL,
        minute   BIGINT NOT NULL,
        requests BIGINT NOT NULL,
        PRIMARY KEY (key_id, minute)
      );
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
      ALTER TABLE sessions ADD COLUMN sign_in_location JSONB;
      UPDATE sessions SET sign_in_ip = ip, sign_in_location = location;
    `,
  },
  {
    version: 4,
    name: 'step-up, required password changes, sign-in throttling',
    sql: `
      -- A password set by someone else (an administrator, the generated first password) must be changed first.
      ALTER TABLE users ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT false;
      -- Step-up: the last time the password was entered again on this session (the sign-in is created_at).
      -- Neither column is indexed, so touches stay HOT updates.
      ALTER TABLE sessions ADD COLUMN reauthenticated_at BIGINT;
      ALTER TABLE sessions ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT false;

      -- Sign-in throttling counters shared by every node on the database (per account and per IP).
      CREATE TABLE sign_in_limits (
        key          TEXT COLLATE "C" PRIMARY KEY,
        count        INTEGER NOT NULL,
        window_start BIGINT NOT NULL,
        last_at      BIGINT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'roles owner/admin/auditor/user, disabled accounts',
    sql: `
      ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('owner', 'admin', 'auditor', 'user'));
      ALTER TABLE users ADD COLUMN disabled_at BIGINT;
    `,
  },
  {
    version: 6,
    name: 'device-bound sessions (DBSC)',
    sql: `
      -- The public key a browser registered for the session (a JWK) and when; null = not bound. Neither is
      -- indexed and a touch writes neither, so touches stay HOT updates.
      ALTER TABLE sessions ADD COLUMN device_key JSONB, ADD COLUMN bound_at BIGINT;

      -- HMAC keys for the short-lived bound cookie and the DBSC challenges, shared by every node and rotated.
      CREATE TABLE device_binding_secrets (
        id         TEXT COLLATE "C" PRIMARY KEY,
        secret     BYTEA NOT NULL,
        created_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'webhook endpoints, outbox and delivery lease',
    sql: `
      CREATE TABLE webhook_endpoints (
        id          TEXT COLLATE "C" PRIMARY KEY,
        url         TEXT NOT NULL,
        secret      TEXT NOT NULL,
        events      JSONB,
        enabled     BOOLEAN NOT NULL,
        description TEXT,
        created_at  BIGINT NOT NULL
      );

      -- The exact request body as text: the signature covers its bytes.
      CREATE TABLE webhook_messages (
        id      TEXT COLLATE "C" PRIMARY KEY,
        type    TEXT NOT NULL,
        at      BIGINT NOT NULL,
        payload TEXT NOT NULL
      );

      CREATE TABLE webhook_deliveries (
        seq              BIGSERIAL PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        message_id       TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
        endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_type       TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts         INTEGER NOT NULL,
        next_attempt_at  BIGINT,
        expires_at       BIGINT NOT NULL,
        created_at       BIGINT NOT NULL,
        last_attempt_at  BIGINT,
        last_status_code INTEGER,
        last_error       TEXT
      );
      -- The dispatcher's question: what is due? Only pending rows are in the index.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);
      CREATE INDEX webhook_deliveries_by_message ON webhook_deliveries (message_id);

      -- One row: which node delivers, until when (see WebhookDispatcher).
      CREATE TABLE webhook_lease (
        name       TEXT COLLATE "C" PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at BIGINT NOT NULL
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
        subject    TEXT COLLATE "C" PRIMARY KEY,
        policy     JSONB NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'daily rollups for the admin overview',
    sql: `
      -- One value per UTC day and metric (see core/daily-stats.ts): counters added by the changes they count,
      -- snapshots set by the background job. A counter is spread over a few shards, so parallel sign-ins on
      -- several nodes rarely wait on one row lock; reads add the shards up.
      CREATE TABLE daily_stats (
        day    TEXT COLLATE "C" NOT NULL,
        metric TEXT COLLATE "C" NOT NULL,
        shard  SMALLINT NOT NULL,
        value  BIGINT NOT NULL,
        PRIMARY KEY (day, metric, shard)
      );
    `,
  },
  {
    version: 11,
    name: 'team list index: live sessions by minute of last activity',
    sql: `
      -- The team list (every live session, most recently active first, keyset pages) scanned and sorted every
      -- live row without an index: 8.5 s per page at 10 M sessions. An index on last_active_at itself would make
      -- every touch a non-HOT update (a new entry in every index of the table). This column changes only when a
      -- touch crosses a minute boundary: PostgreSQL compares the old and new value of each indexed column, so
      -- a touch within the same minute leaves it equal and stays HOT. The team list orders by it, then by id.
      -- Adding a stored generated column rewrites the table once (docs/scaling.md gives the time at 1 M rows).
      ALTER TABLE sessions ADD COLUMN last_active_minute BIGINT GENERATED ALWAYS AS (last_active_at / 60000) STORED;
      CREATE INDEX sessions_live_by_activity ON sessions (last_active_minute DESC, id DESC) WHERE revoked_at IS NULL;
    `,
  },
];
