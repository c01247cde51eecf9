/**
 * The UI's only way to the server: the HTTP API of API.md, same origin, cookie-authenticated.
 * Browsers send `Sec-Fetch-Site: same-origin` on these fetches, which is what the server's CSRF
 * rule requires for writes; nothing else (no token in JS, no localStorage) is involved.
 */

import type { paths } from './api-schema.ts';
import { whileRotating } from './live-session.ts';

// ── Types: all derived from the server's OpenAPI document (api-schema.ts, generated), never written by hand ──

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
/** The JSON body of an operation's success answer (200 or 201); `void` for 204. */
export type Reply<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? 200 extends keyof R
      ? JsonOf<R[200]>
      : 201 extends keyof R
        ? JsonOf<R[201]>
        : void
    : never;
/** The JSON request body of an operation. */
export type Body<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
export type Query<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type SignedIn = Reply<'/api/auth/session', 'get'>;
export type User = SignedIn['user'];
export type Session = Reply<'/api/sessions', 'get'>['sessions'][number];
export type SessionDetail = Reply<'/api/sessions/{id}', 'get'>;
export type Location = NonNullable<Session['location']>;
export type Device = Session['device'];
export type AuthOptions = Reply<'/api/auth/options', 'get'>;
export type TeamSessionsPage = Reply<'/api/admin/sessions', 'get'>;
export type TeamSession = TeamSessionsPage['sessions'][number];
export type TeamUser = Reply<'/api/admin/users', 'get'>['users'][number];
/** One person for the admin person page: account, session counts, whether the caller may change the account. */
export type Person = Reply<'/api/admin/users/{id}', 'get'>;
export type SessionSettings = Reply<'/api/admin/settings', 'get'>;
export type SettingsPatch = Body<'/api/admin/settings', 'patch'>;
export type Permission = SignedIn['permissions'][number];
export type SessionFilter = Body<'/api/admin/sessions/revoke-matching', 'post'>['filter'];
export type MatchPreview = Extract<Reply<'/api/admin/sessions/revoke-matching', 'post'>, { matched: number }>;
export type AuditPage = Reply<'/api/admin/audit', 'get'>;
export type AuditEvent = AuditPage['events'][number];
export type AuditParty = AuditEvent['actor'];
export type AuditAction = NonNullable<Query<'/api/admin/audit', 'get'>['action']>;
export type ApiKey = Reply<'/api/api-keys', 'get'>['apiKeys'][number];
export type CreatedApiKey = Reply<'/api/api-keys', 'post'>;
export type ActivityPage = Reply<'/api/activity', 'get'>;
export type ActivityEvent = ActivityPage['events'][number];
export type WebhookEndpoint = Reply<'/api/admin/webhooks', 'get'>['endpoints'][number];
export type CreatedWebhookEndpoint = Reply<'/api/admin/webhooks', 'post'>;
export type NewWebhookEndpoint = Body<'/api/admin/webhooks', 'post'>;
export type Overview = Reply<'/api/admin/overview', 'get'>;
export type WebhookDelivery = Reply<'/api/admin/webhooks/deliveries', 'get'>['deliveries'][number];
export type Policies = Reply<'/api/admin/policies', 'get'>;
export type SessionPolicy = Body<'/api/admin/policies/roles/{role}', 'put'>;
export type EffectivePolicy = Reply<'/api/admin/users/{id}/effective-policy', 'get'>;
export type Role = User['role'];

/** An RFC 9457 problem answer, or a server that could not be reached at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The problem's `type` URI (e.g. …/session-ended), when the server sent one. */
  readonly type: string | null;
  readonly title: string;
  /** From Retry-After on 429 answers. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, title: string, detail: string, retryAfterSeconds: number | null = null, type: string | null = null) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** A mistake the UI catches before asking the server; `message` is a catalog message id. */
export class InputError extends Error {
  override name = 'InputError';
}

import { rememberEnding } from './ended.ts';

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the server says the session is gone (revoked elsewhere, expired): the app shows sign-in. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

interface RequestOptions {
  body?: unknown;
  /** 401 is an expected answer here (sign-in, session probe), not "your session ended". */
  anonymousOk?: boolean;
  /** Already retried after a step-up: do not ask for the password twice for one action. */
  steppedUp?: boolean;
}

const REAUTHENTICATION_REQUIRED = 'https://seshat.dev/problems/reauthentication-required';
/** Asks for the password (the StepUpPrompt component); resolves true once the server accepted it. */
type StepUpHandler = () => Promise<boolean>;
let stepUp: StepUpHandler | null = null;

/**
 * Registers what asks for the password when an action needs a recent sign-in (401 `…/reauthentication-required`).
 * The action is then sent again, once: the person sees the password field over the dialog they are in, and no
 * second prompt for the rest of the window (10 minutes by default).
 */
export function onStepUpRequired(handler: StepUpHandler): () => void {
  stepUp = handler;
  return () => {
    if (stepUp === handler) stepUp = null;
  };
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json, application/problem+json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'Server unreachable', '');
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const problem = await readProblem(response);
  // A step-up refusal is not a sign-out: ask for the password, then send the action again.
  if (response.status === 401 && problem.type === REAUTHENTICATION_REQUIRED) {
    if (!options.steppedUp && stepUp && (await stepUp())) return request<T>(method, path, { ...options, steppedUp: true });
  } else if (response.status === 401 && !options.anonymousOk) for (const listener of signedOutListeners) listener();
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(response.status, problem.title, problem.detail, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null, problem.type);
}

async function readProblem(response: Response): Promise<{ type: string | null; title: string; detail: string }> {
  try {
    const body = (await response.json()) as { type?: unknown; title?: unknown; detail?: unknown; endedReason?: unknown; adminReason?: unknown };
    if (response.status === 401 && body.type !== REAUTHENTICATION_REQUIRED) rememberEnding(body);
    return {
      type: typeof body.type === 'string' ? body.type : null,
      title: typeof body.title === 'string' ? body.title : response.statusText,
      detail: typeof body.detail === 'string' ? body.detail : '',
    };
  } catch {
    return { type: null, title: response.statusText || 'Error', detail: '' };
  }
}

const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

const id = encodeURIComponent;

export const api = {
  authOptions: () => request<Reply<'/api/auth/options', 'get'>>('GET', '/api/auth/options', { anonymousOk: true }),
  currentSession: () => request<SignedIn>('GET', '/api/auth/session', { anonymousOk: true }),
  login: (body: Body<'/api/auth/login', 'post'>) => request<Reply<'/api/auth/login', 'post'>>('POST', '/api/auth/login', { body, anonymousOk: true }),
  logout: () => request<void>('POST', '/api/auth/logout', { anonymousOk: true }),
  // Answers with a new session cookie: live sign-out must not take the old session's end for a sign-out.
  changePassword: (body: Body<'/api/auth/password', 'post'>) =>
    whileRotating(() => request<Reply<'/api/auth/password', 'post'>>('POST', '/api/auth/password', { body })),
  // Wrong password: a 400, so never retried or taken for a sign-out.
  reauthenticate: (password: string) => request<Reply<'/api/auth/reauthenticate', 'post'>>('POST', '/api/auth/reauthenticate', { body: { password }, steppedUp: true }),
  reportSession: (sessionId: string) => request<Reply<'/api/sessions/{id}/report', 'post'>>('POST', `/api/sessions/${id(sessionId)}/report`),

  sessions: () => request<Reply<'/api/sessions', 'get'>>('GET', '/api/sessions'),
  session: (sessionId: string) => request<SessionDetail>('GET', `/api/sessions/${id(sessionId)}`),
  revokeSession: (sessionId: string) => request<void>('DELETE', `/api/sessions/${id(sessionId)}`),
  revokeOtherSessions: () => request<Reply<'/api/sessions/revoke-others', 'post'>>('POST', '/api/sessions/revoke-others'),

  teamSessions: (params: Query<'/api/admin/sessions', 'get'>) => request<TeamSessionsPage>('GET', `/api/admin/sessions${query(params)}`),
  teamUsers: () => request<Reply<'/api/admin/users', 'get'>>('GET', '/api/admin/users'),
  person: (userId: string) => request<Person>('GET', `/api/admin/users/${id(userId)}`),
  previewMatching: (filter: SessionFilter) =>
    request<MatchPreview>('POST', '/api/admin/sessions/revoke-matching', { body: { filter, reason: 'preview', dryRun: true } }),
  revokeMatching: (filter: SessionFilter, reason: string) =>
    request<{ revoked: number }>('POST', '/api/admin/sessions/revoke-matching', { body: { filter, reason, dryRun: false } }),
  disableUser: (userId: string, reason: string) =>
    request<Reply<'/api/admin/users/{id}/disable', 'post'>>('POST', `/api/admin/users/${id(userId)}/disable`, { body: { reason } }),
  enableUser: (userId: string) => request<Reply<'/api/admin/users/{id}/enable', 'post'>>('POST', `/api/admin/users/${id(userId)}/enable`, { body: {} }),
  adminRevokeSession: (sessionId: string, reason?: string) =>
    request<void>('DELETE', `/api/admin/sessions/${id(sessionId)}`, { body: reason ? { reason } : {} }),
  forceSignOut: (userId: string, reason: string) =>
    request<Reply<'/api/admin/users/{id}/sign-out', 'post'>>('POST', `/api/admin/users/${id(userId)}/sign-out`, { body: { reason } }),
  revokeAllSessions: (reason?: string) =>
    request<Reply<'/api/admin/sessions/revoke-all', 'post'>>('POST', '/api/admin/sessions/revoke-all', { body: reason ? { reason } : {} }),
  settings: () => request<SessionSettings>('GET', '/api/admin/settings'),
  updateSettings: (patch: SettingsPatch) => request<SessionSettings>('PATCH', '/api/admin/settings', { body: patch }),
  previewSettings: (patch: SettingsPatch) => request<Reply<'/api/admin/settings/preview', 'post'>>('POST', '/api/admin/settings/preview', { body: patch }),
  overview: (days: NonNullable<Query<'/api/admin/overview', 'get'>['days']>) => request<Overview>('GET', `/api/admin/overview${query({ days })}`),
  audit: (params: Query<'/api/admin/audit', 'get'>) => request<AuditPage>('GET', `/api/admin/audit${query(params)}`),

  apiKeys: () => request<Reply<'/api/api-keys', 'get'>>('GET', '/api/api-keys'),
  createApiKey: (name: string) => request<CreatedApiKey>('POST', '/api/api-keys', { body: { name } }),
  revokeApiKey: (keyId: string) => request<void>('DELETE', `/api/api-keys/${id(keyId)}`),
  userApiKeys: (userId: string) => request<Reply<'/api/admin/users/{id}/api-keys', 'get'>>('GET', `/api/admin/users/${id(userId)}/api-keys`),
  adminRevokeApiKey: (keyId: string, reason?: string) => request<void>('DELETE', `/api/admin/api-keys/${id(keyId)}`, { body: reason ? { reason } : {} }),
  setUserPassword: (userId: string) => request<Reply<'/api/admin/users/{id}/password', 'post'>>('POST', `/api/admin/users/${id(userId)}/password`, { body: {} }),
  setUserRole: (userId: string, role: User['role']) => request<User>('POST', `/api/admin/users/${id(userId)}/role`, { body: { role } }),

  policies: () => request<Policies>('GET', '/api/admin/policies'),
  saveRolePolicy: (role: Role, policy: SessionPolicy) => request<Reply<'/api/admin/policies/roles/{role}', 'put'>>('PUT', `/api/admin/policies/roles/${id(role)}`, { body: policy }),
  removeRolePolicy: (role: Role) => request<void>('DELETE', `/api/admin/policies/roles/${id(role)}`),
  saveUserPolicy: (userId: string, policy: SessionPolicy) => request<Reply<'/api/admin/users/{id}/policy', 'put'>>('PUT', `/api/admin/users/${id(userId)}/policy`, { body: policy }),
  removeUserPolicy: (userId: string) => request<void>('DELETE', `/api/admin/users/${id(userId)}/policy`),
  previewPolicy: (body: Body<'/api/admin/policies/preview', 'post'>) => request<Reply<'/api/admin/policies/preview', 'post'>>('POST', '/api/admin/policies/preview', { body }),
  effectivePolicy: (userId: string) => request<EffectivePolicy>('GET', `/api/admin/users/${id(userId)}/effective-policy`),

  notifications: () => request<Reply<'/api/admin/notifications', 'get'>>('GET', '/api/admin/notifications'),
  reportByLink: (token: string) => request<Reply<'/api/auth/not-me', 'post'>>('POST', '/api/auth/not-me', { body: { token }, anonymousOk: true }),
  activity: (cursor?: string | null) => request<ActivityPage>('GET', `/api/activity${query({ cursor })}`),

  webhooks: () => request<Reply<'/api/admin/webhooks', 'get'>>('GET', '/api/admin/webhooks'),
  createWebhook: (body: NewWebhookEndpoint) => request<CreatedWebhookEndpoint>('POST', '/api/admin/webhooks', { body }),
  updateWebhook: (endpointId: string, patch: Body<'/api/admin/webhooks/{id}', 'patch'>) =>
    request<WebhookEndpoint>('PATCH', `/api/admin/webhooks/${id(endpointId)}`, { body: patch }),
  deleteWebhook: (endpointId: string) => request<void>('DELETE', `/api/admin/webhooks/${id(endpointId)}`),
  testWebhook: (endpointId: string) => request<WebhookDelivery>('POST', `/api/admin/webhooks/${id(endpointId)}/test`),
  webhookDeliveries: () => request<Reply<'/api/admin/webhooks/deliveries', 'get'>>('GET', '/api/admin/webhooks/deliveries'),
  replayDelivery: (deliveryId: string) => request<WebhookDelivery>('POST', `/api/admin/webhooks/deliveries/${id(deliveryId)}/replay`),
};
