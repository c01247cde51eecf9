import type { z } from 'zod';
import { ACTIVE_WINDOW_MS, expiresAt, isDeviceBound, type ApiKeySummary, type AuditEvent, type SessionManager, type SessionRecord, type UserRecord } from 'seshat';
import { networkOf } from './network.ts';
import type { apiKeySchema, auditEventSchema, sessionDetailSchema, sessionSchema } from './schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored session as API.md's `Session`. Never includes the token or its hash. */
export function sessionView(s: SessionRecord, manager: SessionManager, currentId: string | undefined): z.infer<typeof sessionSchema> {
  const now = manager.clock.now();
  const current = s.id === currentId;
  // The current session is being used by this very request, even if its last-active write is pending.
  const lastActiveAt = current ? Math.max(s.lastActiveAt, now) : s.lastActiveAt;
  const expiry = expiresAt(s, manager.settingsFor(s.userId));
  return {
    id: s.id,
    current,
    createdAt: iso(s.createdAt),
    lastActiveAt: iso(lastActiveAt),
    expiresAt: Number.isFinite(expiry) ? iso(expiry) : null,
    persistent: s.persistent,
    status: now - lastActiveAt < ACTIVE_WINDOW_MS ? 'active' : 'idle',
    ip: s.ip,
    network: networkOf(s.ip),
    location: s.location,
    signInIp: s.signInIp,
    signInLocation: s.signInLocation,
    device: s.device,
    tokenHint: `…${s.tokenHint}`,
    risk: s.risk,
    // Freshness ended on purpose ("this wasn't me") shows as the sign-in: the step-up check reads the record itself.
    authenticatedAt: iso(Math.max(s.createdAt, s.reauthenticatedAt ?? 0)),
    reauthenticatedAt: s.reauthenticatedAt ? iso(s.reauthenticatedAt) : null,
    deviceBound: isDeviceBound(s),
    boundSince: s.boundSince != null ? iso(s.boundSince) : null,
  };
}

export function sessionDetailView(s: SessionRecord, manager: SessionManager, currentId: string | undefined): z.infer<typeof sessionDetailSchema> {
  return {
    ...sessionView(s, manager, currentId),
    userAgent: s.userAgent,
    activity: { requests: s.requests, lastPath: s.lastPath },
  };
}

/** An audit event as the admin API shows it: parties as {id, email, name}, null for the system. */
export async function auditEventView(e: AuditEvent, findUser: (id: string) => Promise<UserRecord | null>): Promise<z.infer<typeof auditEventSchema>> {
  const party = async (id: string | null) => {
    if (id === null) return null;
    const user = await findUser(id);
    return { id, email: user?.email ?? null, name: user?.name ?? null };
  };
  return {
    id: e.id,
    at: iso(e.at),
    action: e.action,
    actor: await party(e.actorId),
    target: await party(e.targetUserId),
    sessionId: e.sessionId,
    reason: e.reason,
    ip: e.ip,
    details: e.details,
  };
}

/** An API key as listed (to its owner or an administrator): no hash, ISO times. */
export function apiKeyView(k: ApiKeySummary): z.infer<typeof apiKeySchema> {
  return { ...k, createdAt: iso(k.createdAt), lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt) };
}
