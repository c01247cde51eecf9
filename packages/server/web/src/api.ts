/**
 * The UI's only way to the server: the HTTP API of API.md, same origin, cookie-authenticated.
 * Browsers send `Sec-Fetch-Site: same-origin` on these fetches, which is what the server's CSRF
 * rule requires for writes; nothing else (no token in JS, no localStorage) is involved.
 */

export interface Location {
  city: string | null;
  region: string | null;
  country: string | null;
  countryCode: string | null;
}

export interface Device {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  deviceType: string;
  deviceModel: string | null;
  label: string;
}

export interface Session {
  id: string;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string | null;
  persistent: boolean;
  status: 'active' | 'idle';
  ip: string | null;
  location: Location | null;
  device: Device;
  tokenHint: string;
  risk?: { suspicious: boolean; reasons: string[] } | null;
}

export interface SessionDetail extends Session {
  userAgent: string | null;
  activity: { requests: number; lastPath: string | null };
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
}

export interface SignedIn {
  user: User;
  session: Session;
}

export interface AuthOptions {
  rememberMe: { enabled: boolean; durationSeconds: number };
}

export interface TeamSession extends Session {
  user: User;
}

export interface TeamUser extends User {
  activeSessions: number;
  lastActiveAt: string | null;
}

export interface SessionSettings {
  idleTimeoutSeconds: number | null;
  rememberMe: { enabled: boolean; durationSeconds: number };
  absoluteLifetimeSeconds: number;
  maxSessionsPerUser: number | null;
  anonymizeIp: boolean;
  sessionLimitAction?: 'evict-oldest' | 'deny';
}

/** The audit API may describe actor and target as a user object or just an id; the UI shows either. */
export type AuditParty = string | { id?: string; email?: string | null; name?: string | null } | null;

export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: AuditParty;
  target: AuditParty;
  sessionId: string | null;
  reason: string | null;
  ip: string | null;
  /** Extra facts ({count}, {device}, settings {before, after}…); shape depends on the action. */
  details?: Record<string, unknown> | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  requests24h: number;
}

/** An RFC 9457 problem answer, or a server that could not be reached at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  /** From Retry-After on 429 answers. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, title: string, detail: string, retryAfterSeconds: number | null = null) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** A mistake the UI catches before asking the server; its message is meant for the person. */
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
    throw new ApiError(0, 'Server unreachable', 'The server could not be reached. Check your connection and try again.');
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const problem = await readProblem(response);
  if (response.status === 401 && !options.anonymousOk) for (const listener of signedOutListeners) listener();
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(response.status, problem.title, problem.detail, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

async function readProblem(response: Response): Promise<{ title: string; detail: string }> {
  try {
    const body = (await response.json()) as { title?: unknown; detail?: unknown; endedReason?: unknown; adminReason?: unknown };
    if (response.status === 401) rememberEnding(body);
    return {
      title: typeof body.title === 'string' ? body.title : response.statusText,
      detail: typeof body.detail === 'string' ? body.detail : `The server answered ${response.status}.`,
    };
  } catch {
    return { title: response.statusText || 'Error', detail: `The server answered ${response.status}.` };
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
  authOptions: () => request<AuthOptions>('GET', '/api/auth/options', { anonymousOk: true }),
  currentSession: () => request<SignedIn>('GET', '/api/auth/session', { anonymousOk: true }),
  login: (body: { email: string; password: string; remember: boolean }) => request<SignedIn>('POST', '/api/auth/login', { body, anonymousOk: true }),
  logout: () => request<void>('POST', '/api/auth/logout', { anonymousOk: true }),
  changePassword: (body: { currentPassword: string; newPassword: string; signOutOtherSessions: boolean }) =>
    request<{ revoked: number }>('POST', '/api/auth/password', { body }),

  sessions: () => request<{ sessions: Session[] }>('GET', '/api/sessions'),
  session: (sessionId: string) => request<SessionDetail>('GET', `/api/sessions/${id(sessionId)}`),
  revokeSession: (sessionId: string) => request<void>('DELETE', `/api/sessions/${id(sessionId)}`),
  revokeOtherSessions: () => request<{ revoked: number }>('POST', '/api/sessions/revoke-others'),

  teamSessions: (params: { user?: string; limit?: number; cursor?: string | null }) =>
    request<{ sessions: TeamSession[]; nextCursor: string | null; total: number }>('GET', `/api/admin/sessions${query(params)}`),
  teamUsers: () => request<{ users: TeamUser[]; totalActiveSessions: number }>('GET', '/api/admin/users'),
  adminRevokeSession: (sessionId: string, reason?: string) =>
    request<void>('DELETE', `/api/admin/sessions/${id(sessionId)}`, { body: reason ? { reason } : {} }),
  forceSignOut: (userId: string, reason: string) => request<{ revoked: number }>('POST', `/api/admin/users/${id(userId)}/sign-out`, { body: { reason } }),
  revokeAllSessions: (reason?: string) => request<{ revoked: number }>('POST', '/api/admin/sessions/revoke-all', { body: reason ? { reason } : {} }),
  settings: () => request<SessionSettings>('GET', '/api/admin/settings'),
  updateSettings: (patch: Partial<Omit<SessionSettings, 'rememberMe'>> & { rememberMe?: Partial<SessionSettings['rememberMe']> }) =>
    request<SessionSettings>('PATCH', '/api/admin/settings', { body: patch }),
  audit: (params: { user?: string; action?: string; limit?: number; cursor?: string | null }) =>
    request<{ events: AuditEvent[]; nextCursor: string | null }>('GET', `/api/admin/audit${query(params)}`),

  apiKeys: () => request<{ apiKeys: ApiKey[] }>('GET', '/api/api-keys'),
  createApiKey: (name: string) => request<{ id: string; name: string; key: string }>('POST', '/api/api-keys', { body: { name } }),
  revokeApiKey: (keyId: string) => request<void>('DELETE', `/api/api-keys/${id(keyId)}`),
};

/** A message a person can act on, for any failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.unreachable) return error.message;
    if (error.status === 429) {
      return error.retryAfterSeconds ? `Too many attempts. Try again in ${formatWait(error.retryAfterSeconds)}.` : 'Too many attempts. Try again in a minute.';
    }
    if (error.status >= 500) return `The server had a problem (${error.status}). Try again shortly.`;
    return error.message;
  }
  if (error instanceof InputError) return error.message;
  return 'Something unexpected went wrong. Reload the page and try again.';
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
