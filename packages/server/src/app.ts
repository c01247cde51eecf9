import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { ACCEPT_CH, addressDescriber, ApiKeys, DeviceBinding, SessionManager, WebhookDispatcher, Webhooks, anonymizeIp, defaultSettings, geoLocator, isSeshatError, problem, scheduleGarbageCollection, sessionEnricher, systemClock, type Clock, type GarbageCollector, type SessionEnricher, type Store, type StoreScope, openStore } from 'seshat';
import { seshatFastify, sendProblem } from 'seshat/fastify';
import { clientErrorHandler, httpProblem, problemErrorHandler } from './errors.ts';
import { checkStorableInput } from './input-rules.ts';
import { containApiKeys } from './containment.ts';
import { passwordChangeGate } from './password-change-gate.ts';
import type { ServerConfig } from './config.ts';
import type { App, ServerContext } from './context.ts';
import { securityHeaders } from './security-headers.ts';
import { DEFAULT_COST, generatePassword } from './passwords.ts';
import { teamPolicy } from './permissions.ts';
import { adminRoutes } from './routes/admin.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { adminCredentialRoutes } from './routes/admin-credentials.ts';
import { sessionPolicyRoutes } from './routes/session-policies.ts';
import { assignRolePolicies } from './session-policies.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { sessionStreamRoutes } from './routes/session-stream.ts';
import { activityRoutes } from './routes/activity.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { SignInNotifier } from './sign-in-notifications.ts';
import { UserDirectory } from './users.ts';
import { isApiPath, isClientRoute, registerWebUi } from './web-ui.ts';
import { loadNetworks, networkOf } from './network.ts';

export interface ServerOptions {
  config: ServerConfig;
  /** An open store; by default the one `config.databaseUrl` names. */
  store?: Store;
  clock?: Clock;
  /** scrypt cost; tests lower it, nothing else should. */
  passwordCost?: typeof DEFAULT_COST;
  enrich?: SessionEnricher;
  /** Pino logger options, or false for none. */
  logger?: boolean | object;
  /** Directory of the built web UI (default web/dist); false serves the API only. */
  webRoot?: string | false;
}

export interface SeshatServer extends ServerContext {
  app: App;
  /** The /metrics listener when SESHAT_METRICS_ADDRESS is set (not listening yet: `listenMetrics`), else null. */
  metricsApp: FastifyInstance | null;
  close(): Promise<void>;
}

/**
 * Assembles the stand-alone server. Does not listen. In order: the HTTP app (and with it the logger every
 * service reports to), the store, the services over it, then what every request passes through, then the routes.
 */
export async function createServer(options: ServerOptions): Promise<SeshatServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Tokens and keys must never reach a log line.
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    },
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: 64 * 1024,
    // A client that stops sending (headers cut short, a body shorter than its Content-Length) gets 408 and is
    // disconnected within the request timeout, instead of holding a connection for minutes. Node checks these
    // deadlines every connectionsCheckingInterval (default 30 s), so that is shortened to keep them meaningful.
    requestTimeout: config.http.requestTimeoutMs,
    http: { headersTimeout: config.http.headersTimeoutMs, requestTimeout: config.http.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler,
    // Refusals the router makes itself (a path parameter longer than any id, a malformed URL) are problem+json too.
    frameworkErrors: (error, _request, reply) => void sendProblem(reply.headers(staticHeaders) as FastifyReply, httpProblem(error.statusCode ?? 400, error.message)),
  }).withTypeProvider<ZodTypeProvider>();

  // ── services ──────────────────────────────────────────────────────────────────────────────────────
  // ISP names load in the background (a few seconds); sessions show none until then.
  if (config.network) void loadNetworks().catch((error: unknown) => app.log.warn({ err: error }, 'network (ASN) tables not loaded'));
  const geo = geoLocator(config.geoip);
  // A configured database must be readable: fail at start rather than silently locate nothing.
  if (Array.isArray(config.geoip)) await geo.open();
  const redis = config.redis && { ...config.redis, onError: (error: unknown) => app.log.error({ err: error }, 'Redis session tier: a failed change could not be fully taken back') };
  const store = options.store ?? (await openStore(config.databaseUrl, { postgres: config.database, ...(redis ? { redis } : {}) }));
  await store.migrate();
  // Other processes' revocations and settings changes reach this node's cache over the store's channel: other
  // nodes on one PostgreSQL database (LISTEN/NOTIFY), or the CLI on the same SQLite file (PRAGMA data_version).
  // While the channel cannot vouch for the cache (not listening), every request reads the store.
  const channel = store.createInvalidationChannel?.({
    ...(config.nodeId ? { nodeId: config.nodeId } : {}),
    onError: (error) => app.log.warn({ err: error }, 'invalidation channel lost; session cache flushed, reconnecting'),
  });
  const reportBackgroundError = (error: unknown) => app.log.warn({ err: error }, 'background session task failed');
  const manager: SessionManager<StoreScope> = new SessionManager<StoreScope>({
    store,
    clock,
    // Read through a getter: the manager owns the settings, and the access level applies as soon as it changes.
    policy: teamPolicy(() => manager.settings),
    touchIntervalMs: config.touchIntervalMs,
    endedRetentionMs: config.endedRetentionMs,
    // No TTL set: the library's default for a store with or without an invalidation channel (`defaultCacheTtlMs`).
    cache: config.cache,
    ...(channel ? { channel } : {}),
    // SESSION_TIMEOUT_DAYS sets the idle default; settings saved by an admin override it.
    defaults: defaultSettings(config.sessionTimeoutDays !== undefined ? { idleTimeoutDays: config.sessionTimeoutDays } : {}),
    enrich: options.enrich ?? sessionEnricher({ store, clock, geo, onError: reportBackgroundError }),
    webhookRetryWindowMs: config.webhooks.retryWindowMs,
    // The latest address of a session (batched touch), anonymised per settings, and where it is.
    describeAddress: addressDescriber({ geo, onError: reportBackgroundError }),
    contain: containApiKeys(clock),
    // A cookie used from another ISP than it signed in from is a risk signal (issue 14.14), once the tables are in.
    ...(config.network ? { networkOf } : {}),
    // Role policies and per-person overrides (issue 13.2), loaded with the settings, never per request.
    assignPolicies: assignRolePolicies,
  });
  manager.events.on('error', reportBackgroundError);
  await manager.start();
  const users = new UserDirectory(store, manager, options.passwordCost);
  const apiKeys = new ApiKeys({ store, audit: manager.audit, clock, policy: manager.policy, flushIntervalMs: config.apiKeyUsageFlushMs, onError: reportBackgroundError }).start();
  const webhooks = new Webhooks({ store, outbox: manager.outbox, audit: manager.audit, policy: manager.policy });
  // Every node runs a dispatcher; only the one holding the lease delivers (see WebhookDispatcher).
  const dispatcher = new WebhookDispatcher({
    store,
    clock,
    ...(config.nodeId ? { nodeId: config.nodeId } : {}),
    pollIntervalMs: config.webhooks.pollIntervalMs,
    leaseMs: config.webhooks.leaseMs,
    baseBackoffMs: config.webhooks.baseBackoffMs,
    timeoutMs: config.webhooks.timeoutMs,
    onError: (error) => app.log.warn({ err: error }, 'webhook delivery pass failed; retrying'),
  });
  manager.outbox.onEnqueued = () => dispatcher.wake();
  const notifier = new SignInNotifier({ config: { ...config.notifications, publicUrl: config.publicUrl }, users, store, manager, onError: (error) => app.log.warn({ err: error }, 'new sign-in e-mail not sent') });
  // Device Bound Session Credentials: offered at sign-in unless an admin sets the policy to off (docs/device-binding.md).
  const deviceBinding = await new DeviceBinding({
    manager,
    store,
    paths: { register: '/api/auth/device-binding/register', refresh: '/api/auth/device-binding/refresh' },
    cookie: { name: `${config.cookieName}_bound`, secure: config.secureCookies },
  }).start();

  // ── what every request passes through ─────────────────────────────────────────────────────────────
  // The same headers on every response, computed once: helmet's security headers, and Accept-CH, which asks
  // browsers for the User-Agent Client Hints the device parser reads (Windows 11, real Android model…);
  // browsers send the high-entropy ones only on later requests to a secure origin (HTTPS or localhost).
  const staticHeaders = {
    ...securityHeaders({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          // Only ask browsers to upgrade to HTTPS when we are actually served over it.
          'upgrade-insecure-requests': config.secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: config.secureCookies,
    }),
    'accept-ch': ACCEPT_CH,
  };
  const callerDependent = { 'cache-control': 'no-store', vary: 'Cookie, Authorization' };
  // Set in the first onRequest hook, so responses sent by later hooks (a CSRF refusal) and by the error and
  // not-found handlers carry them too. A synchronous hook: no promise, no extra microtask per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(staticHeaders);
    // API answers depend on who asks (cookie or key): never stored by a browser or a shared cache, and a cache
    // that keeps one anyway must key it on the credentials (issue #14, item 8). Set here, so errors carry it too.
    if (request.url.startsWith('/api/')) reply.headers(callerDependent);
    done();
  });
  // Addresses written into records (the audit trail) follow the anonymizeIp setting, whoever writes them.
  // A getter: computed only by the few requests that record something, not on every request.
  app.decorateRequest('recordedIp', {
    getter(this: FastifyRequest) {
      return manager.settings.anonymizeIp ? anonymizeIp(this.ip) : this.ip;
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.addHook('preValidation', checkStorableInput);
  let serveUi = false;
  app.setNotFoundHandler((request, reply) => {
    // Client-side routes of the UI get its index.html; everything else (all of /api) a problem+json 404.
    if (serveUi && isClientRoute(request.method, request.url)) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return sendProblem(reply, problem('not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`));
  });

  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Seshat', description: 'Login-session management API', version: '0.1.0' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(seshatFastify, {
    manager,
    cookie: { name: config.cookieName, secure: config.secureCookies },
    trustedOrigins: config.trustedOrigins,
    apiKeys,
    deviceBinding,
    // Only the API reads sessions: the UI's files, /healthz and /metrics answer as they should while the store is
    // down (a cookie on a static file must not turn it into a 503).
    sessionPaths: isApiPath,
  });
  app.addHook('onRequest', passwordChangeGate);

  // A disabled account's API keys are refused (anonymous, so 401) on every request: the key row is read per
  // request anyway, and so is its owner here, with no cache to get wrong.
  app.addHook('preHandler', async (request) => {
    if (!request.apiKey) return;
    const owner = await users.find(request.apiKey.userId);
    if (!owner || owner.disabledAt !== null) request.apiKey = null;
  });

  // ── routes ────────────────────────────────────────────────────────────────────────────────────────
  const ctx: ServerContext = { config, store, manager, users, apiKeys, deviceBinding, webhooks, dispatcher, notifier };
  await authRoutes(app, ctx);
  await sessionStreamRoutes(app, ctx);
  await sessionRoutes(app, ctx);
  await adminRoutes(app, ctx);
  await apiKeyRoutes(app, ctx);
  await adminCredentialRoutes(app, ctx);
  await sessionPolicyRoutes(app, ctx);
  await healthRoutes(app, ctx);
  // /metrics on the public port, or on a listener of its own (SESHAT_METRICS_ADDRESS) that the caller starts.
  let metricsApp: FastifyInstance | null = null;
  if (config.metrics.address) {
    metricsApp = Fastify({ logger: false });
    await metricsRoutes(metricsApp, ctx);
  } else {
    await metricsRoutes(app, ctx);
  }
  await webhookRoutes(app, ctx);
  await activityRoutes(app, ctx);
  await notificationRoutes(app, ctx);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (options.webRoot !== false) serveUi = await registerWebUi(app, options.webRoot);

  // Background garbage collection; the CLI's `sessions gc` does the same on demand.
  const collector: GarbageCollector | null = config.gc.intervalMs > 0
    ? scheduleGarbageCollection(manager, {
        intervalMs: config.gc.intervalMs,
        batchSize: config.gc.batchSize,
        onError: (error) => app.log.warn({ err: error }, 'garbage collection failed'),
        onCollected: ({ scanned, deleted }) => app.log.debug({ scanned, deleted }, 'garbage collection pass'),
      })
    : null;

  dispatcher.start();

  return {
    ...ctx,
    app,
    metricsApp,
    async close() {
      await dispatcher.stop(); // lets requests in flight finish, then hands the lease over
      await metricsApp?.close();
      await collector?.stop();
      await app.close();
      await apiKeys.stop(); // writes the usage still counted in memory
      await manager.stop();
      await store.close();
    },
  };
}

/** On first start with no accounts: an admin from SESHAT_ADMIN_EMAIL/PASSWORD, or one with a printed one-time password. */
export async function ensureAdmin(server: SeshatServer, print: (line: string) => void): Promise<void> {
  if ((await server.users.count()) > 0) return;
  const email = server.config.admin.email ?? 'admin@seshat.local';
  const given = server.config.admin.password;
  const password = given ?? generatePassword();
  try {
    // The first account owns the installation: only owners can act on owners. A printed password has been seen by
    // whoever reads the logs: it works once, to choose a real one.
    await server.users.create({ email, name: 'Administrator', role: 'owner', password }, null, { passwordChangeRequired: given === undefined });
  } catch (error) {
    // Several nodes starting at once on one PostgreSQL database: another one created the account first.
    if (isSeshatError(error) && error.code === 'conflict') return;
    throw error;
  }
  if (given) print(`Created admin account ${email} (password from SESHAT_ADMIN_PASSWORD).`);
  else print(`Created admin account ${email} with one-time password: ${password}\nSign in with it: you will be asked to choose your own password before anything else.`);
}
