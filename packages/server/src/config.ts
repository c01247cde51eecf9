import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { GeoIpSource } from 'seshat';

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string()));

/** Server configuration from the environment; one schema is both the check and the type. */
export const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().min(1).default('sqlite:./data/seshat.db'),
  /** The URL people use to reach the server; https:// turns on Secure cookies with the __Host- prefix. */
  SESHAT_PUBLIC_URL: z.url().optional(),
  /** More origins allowed to send cookie-authenticated writes (comma-separated). */
  SESHAT_TRUSTED_ORIGINS: list.default([]),
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated). Off by default. */
  SESHAT_TRUSTED_PROXIES: list.default([]),
  SESHAT_COOKIE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('session_token'),
  /** ISP / network names from the bundled AS-organisation tables (@ip-location-db/asn); `off` saves ~10 MB of memory. */
  SESHAT_NETWORK: z.enum(['on', 'off']).default('on'),
  /** Where the sessions page's "Learn more about sessions" link goes (your help centre); no link when unset. */
  SESHAT_HELP_URL: z.url().optional(),
  SESHAT_ADMIN_EMAIL: z.email().optional(),
  SESHAT_ADMIN_PASSWORD: z.string().min(8).max(1024).optional(),
  /** Sign-in attempts per client IP per minute. */
  SESHAT_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** When set, GET /metrics needs `Authorization: Bearer <this>` (at least 16 characters). Unset: anonymous, as before. */
  SESHAT_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(512).optional(),
  /**
   * When set (`host:port`, e.g. `127.0.0.1:9464`), /metrics is served there instead, on its own listener that only a
   * scraper on that network can reach, and not on the public port.
   */
  SESHAT_METRICS_ADDRESS: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}$/, 'host:port').optional(),
  /**
   * How often each node writes the activity it has seen (last-active, request counts, last page, latest IP), as one
   * batched statement (seconds). The most a crash loses; idle timeouts must be at least ten times this.
   */
  SESHAT_TOUCH_INTERVAL_SECONDS: z.coerce.number().positive().max(300).default(1),
  /** How long ended sessions (and why they ended) are kept before garbage collection deletes them (days). */
  SESHAT_ENDED_RETENTION_DAYS: z.coerce.number().min(0).max(365).default(7),
  /** How often API-key usage counted in memory is written (seconds; also written on shutdown). */
  SESHAT_API_KEY_USAGE_FLUSH_SECONDS: z.coerce.number().positive().max(3600).default(5),
  /** Mean seconds between background garbage-collection passes (randomised ±1/3); 0 turns it off. */
  SESHAT_GC_INTERVAL_SECONDS: z.coerce.number().min(0).max(7 * 86400).default(900),
  /** Sessions per garbage-collection step. */
  SESHAT_GC_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Default idle timeout in days until an admin saves other settings (default 7). */
  SESSION_TIMEOUT_DAYS: z.coerce.number().positive().max(3650).optional(),
  /**
   * How long a node trusts a cached session without re-reading the store (seconds; 0 turns the cache off).
   * Default 60: both stores have an invalidation channel (PostgreSQL: revocations reach every node's cache with
   * confirmation, and a node not listening uses no cache; SQLite: another process's commit, such as the CLI's,
   * is seen through PRAGMA data_version before the cache is used), so the TTL only bounds a lost notification.
   * See docs/design-notes.md.
   */
  SESHAT_CACHE_TTL_SECONDS: z.coerce.number().min(0).max(3600).optional(),
  /**
   * PostgreSQL timeouts (milliseconds): waiting for a connection (pooled or new), the client-side deadline for one
   * statement's answer (what bounds a request when the network goes silent), and the server-side
   * statement_timeout. A request that hits one answers 503. Defaults 2000 / 2000 / 1500.
   */
  SESHAT_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  SESHAT_DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  SESHAT_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(1500),
  /**
   * HTTP: the whole request (headers and body) must arrive within this many seconds (default 10), the headers
   * within SESHAT_HEADERS_TIMEOUT_SECONDS (default 5); otherwise 408 and the connection is closed. A body
   * shorter than its Content-Length is therefore never held open longer than the request timeout.
   */
  SESHAT_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(10),
  SESHAT_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(5),
  /** Most sessions cached per process (default 10,000). */
  SESHAT_CACHE_MAX: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /**
   * Redis (or Valkey) as the session tier (`redis://…`, `rediss://…` for TLS): sessions and their activity live there,
   * revocations travel over its pub/sub; users, settings and audit stay in the PostgreSQL DATABASE_URL (required).
   * Unset: sessions in the database, as before.
   */
  SESHAT_REDIS_URL: z.string().regex(/^rediss?:\/\/./, 'redis://… or rediss://…').optional(),
  /** Prefix of every Redis key and channel Seshat uses (default `seshat:`): several deployments can share one Redis. */
  SESHAT_REDIS_PREFIX: z.string().regex(/^[\w:.{}-]{1,64}$/).default('seshat:'),
  /** Names this process in PostgreSQL's pg_stat_activity (`seshat-invalidation <id>`); default `<hostname>/<pid>`. */
  SESHAT_NODE_ID: z.string().regex(/^[\w.:/-]{1,40}$/).optional(),
  /**
   * GeoIP database: unset = the bundled DB-IP City Lite files; `off` = no locations; otherwise mmdb path(s),
   * comma-separated (e.g. a GeoLite2-City.mmdb, or an IPv4 and an IPv6 file).
   */
  SESHAT_GEOIP_DB: z.string().trim().optional(),
  /** How often the webhook deliverer looks for due deliveries, and other nodes for a free lease (milliseconds). */
  SESHAT_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** How long a node's webhook delivery lease lasts without renewal (seconds): the hand-over time after a crash. */
  SESHAT_WEBHOOK_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** First retry delay of a failed webhook delivery (milliseconds); doubled per attempt up to an hour. */
  SESHAT_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(5000),
  /** How long a webhook delivery is retried before it is marked failed (seconds; default 24 h). */
  SESHAT_WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce.number().min(1).max(30 * 86400).default(86400),
  /** Per-request timeout of a webhook delivery (milliseconds). */
  SESHAT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Live session streams (`/api/sessions/stream`) one user may hold open on one node. */
  SESHAT_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1000).default(10),
  /** Seconds between heartbeat comments on a live session stream. */
  SESHAT_STREAM_HEARTBEAT_SECONDS: z.coerce.number().min(1).max(300).default(25),
  /** A live session stream is closed after this many seconds; the browser reconnects. */
  SESHAT_STREAM_MAX_SECONDS: z.coerce.number().min(1).max(86400).default(3600),
  /** SMTP server for "new sign-in" e-mails (`smtp://user:pass@host:587`, `smtps://…`); unset = none are sent. */
  SESHAT_SMTP_URL: z.string().regex(/^smtps?:\/\//).optional(),
  /** The From address of those e-mails. */
  SESHAT_SMTP_FROM: z.string().min(3).max(254).default('Seshat <no-reply@localhost>'),
  /** "New sign-in" e-mails per user per hour, at most (per node). */
  SESHAT_NOTIFY_PER_HOUR: z.coerce.number().int().min(1).max(100).default(3),
  /** Signs "This wasn't me" links; give every node the same value (default: random per process). */
  SESHAT_LINK_SECRET: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  publicUrl: string;
  secureCookies: boolean;
  cookieName: string;
  /** The "Learn more about sessions" link of the UI, or null for none. */
  helpUrl: string | null;
  /** Whether sessions show their network (ISP), from SESHAT_NETWORK. */
  network: boolean;
  trustedOrigins: string[];
  trustedProxies: string[];
  admin: { email: string | undefined; password: string | undefined };
  loginRateLimit: number;
  /** /metrics: an optional bearer token and an optional listener of its own. */
  metrics: { token: string | undefined; address: { host: string; port: number } | undefined };
  touchIntervalMs: number;
  endedRetentionMs: number;
  /** Validation cache; `false` when SESHAT_CACHE_TTL_SECONDS is 0; no `ttlMs` = the store's default (see above). */
  cache: { ttlMs?: number; max: number } | false;
  nodeId: string | undefined;
  sessionTimeoutDays: number | undefined;
  apiKeyUsageFlushMs: number;
  gc: { intervalMs: number; batchSize: number };
  logLevel: ServerEnv['LOG_LEVEL'];
  geoip: GeoIpSource;
  /** The Redis session tier, when SESHAT_REDIS_URL is set (with a PostgreSQL DATABASE_URL). */
  redis: { url: string; prefix: string } | undefined;
  /** PostgreSQL timeouts in ms (unused with SQLite). */
  database: { connectionTimeoutMs: number; queryTimeoutMs: number; statementTimeoutMs: number };
  /** HTTP request and header timeouts in ms. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number };
  notifications: { smtpUrl: string | undefined; from: string; perHour: number; linkSecret: string; linkTtlMs: number };
  streams: { maxPerUser: number; heartbeatMs: number; maxAgeMs: number };
  webhooks: { pollIntervalMs: number; leaseMs: number; baseBackoffMs: number; retryWindowMs: number; timeoutMs: number };
}

function geoipSource(value: string | undefined): GeoIpSource {
  if (value === undefined || value === '' || value === 'bundled') return 'bundled';
  if (value === 'off') return 'off';
  return value.split(',').map((p) => p.trim()).filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  const e = parsed.data;
  if (e.SESHAT_REDIS_URL !== undefined && !/^postgres(ql)?:\/\//i.test(e.DATABASE_URL)) {
    throw new Error('Invalid configuration:\n  SESHAT_REDIS_URL: the Redis session tier keeps users, settings and audit in PostgreSQL; DATABASE_URL must be postgres://…');
  }
  const publicUrl = e.SESHAT_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    cookieName: e.SESHAT_COOKIE_NAME,
    helpUrl: e.SESHAT_HELP_URL ?? null,
    network: e.SESHAT_NETWORK === 'on',
    trustedOrigins: [publicUrl, ...e.SESHAT_TRUSTED_ORIGINS],
    trustedProxies: e.SESHAT_TRUSTED_PROXIES,
    admin: { email: e.SESHAT_ADMIN_EMAIL, password: e.SESHAT_ADMIN_PASSWORD },
    loginRateLimit: e.SESHAT_LOGIN_RATE_LIMIT,
    metrics: { token: e.SESHAT_METRICS_TOKEN, address: hostAndPort(e.SESHAT_METRICS_ADDRESS) },
    touchIntervalMs: Math.round(e.SESHAT_TOUCH_INTERVAL_SECONDS * 1000),
    endedRetentionMs: Math.round(e.SESHAT_ENDED_RETENTION_DAYS * 86_400_000),
    cache:
      e.SESHAT_CACHE_TTL_SECONDS === 0
        ? false
        : { ...(e.SESHAT_CACHE_TTL_SECONDS !== undefined ? { ttlMs: Math.round(e.SESHAT_CACHE_TTL_SECONDS * 1000) } : {}), max: e.SESHAT_CACHE_MAX },
    nodeId: e.SESHAT_NODE_ID,
    sessionTimeoutDays: e.SESSION_TIMEOUT_DAYS,
    apiKeyUsageFlushMs: e.SESHAT_API_KEY_USAGE_FLUSH_SECONDS * 1000,
    gc: { intervalMs: e.SESHAT_GC_INTERVAL_SECONDS * 1000, batchSize: e.SESHAT_GC_BATCH_SIZE },
    logLevel: e.LOG_LEVEL,
    geoip: geoipSource(e.SESHAT_GEOIP_DB),
    redis: e.SESHAT_REDIS_URL === undefined ? undefined : { url: e.SESHAT_REDIS_URL, prefix: e.SESHAT_REDIS_PREFIX },
    database: {
      connectionTimeoutMs: e.SESHAT_DB_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: e.SESHAT_DB_QUERY_TIMEOUT_MS,
      // The server-side limit stays under the client-side deadline, so a slow statement is cancelled by the server
      // (its connection stays usable) before the client gives up on the connection.
      statementTimeoutMs: Math.min(e.SESHAT_DB_STATEMENT_TIMEOUT_MS, e.SESHAT_DB_QUERY_TIMEOUT_MS),
    },
    http: {
      requestTimeoutMs: Math.round(e.SESHAT_REQUEST_TIMEOUT_SECONDS * 1000),
      // Node requires headersTimeout ≤ requestTimeout.
      headersTimeoutMs: Math.round(Math.min(e.SESHAT_HEADERS_TIMEOUT_SECONDS, e.SESHAT_REQUEST_TIMEOUT_SECONDS) * 1000),
    },
    notifications: {
      smtpUrl: e.SESHAT_SMTP_URL,
      from: e.SESHAT_SMTP_FROM,
      perHour: e.SESHAT_NOTIFY_PER_HOUR,
      linkSecret: e.SESHAT_LINK_SECRET ?? randomBytes(32).toString('base64url'),
      linkTtlMs: 24 * 60 * 60 * 1000,
    },
    streams: {
      maxPerUser: e.SESHAT_STREAMS_PER_USER,
      heartbeatMs: Math.round(e.SESHAT_STREAM_HEARTBEAT_SECONDS * 1000),
      maxAgeMs: Math.round(e.SESHAT_STREAM_MAX_SECONDS * 1000),
    },
    webhooks: {
      pollIntervalMs: e.SESHAT_WEBHOOK_POLL_MS,
      leaseMs: Math.round(e.SESHAT_WEBHOOK_LEASE_SECONDS * 1000),
      baseBackoffMs: e.SESHAT_WEBHOOK_RETRY_BASE_MS,
      retryWindowMs: Math.round(e.SESHAT_WEBHOOK_RETRY_WINDOW_SECONDS * 1000),
      timeoutMs: e.SESHAT_WEBHOOK_TIMEOUT_MS,
    },
  };
}

/** `host:port` (IPv6 in brackets) as listen options. */
function hostAndPort(address: string | undefined): { host: string; port: number } | undefined {
  if (address === undefined) return undefined;
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}
