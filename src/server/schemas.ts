import { z } from 'zod';

/** Response and request shapes of API.md. Each is the runtime check, the static type and the OpenAPI schema. */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['user', 'admin']),
});

export const locationSchema = z.object({
  city: z.string().nullable(),
  region: z.string().nullable(),
  country: z.string().nullable(),
  countryCode: z.string().nullable(),
  latitude: z.number().nullable().optional(),
  longitude: z.number().nullable().optional(),
});

export const deviceSchema = z.object({
  browser: z.string().nullable(),
  browserVersion: z.string().nullable(),
  os: z.string().nullable(),
  osVersion: z.string().nullable(),
  deviceType: z.string(),
  deviceModel: z.string().nullable(),
  label: z.string(),
});

export const sessionSchema = z.object({
  id: z.string().describe('Opaque public id (ses_…), never the token'),
  current: z.boolean(),
  createdAt: z.string(),
  lastActiveAt: z.string(),
  expiresAt: z.string().nullable().describe('null when the session never expires (idle timeout "never")'),
  persistent: z.boolean(),
  status: z.enum(['active', 'idle']),
  ip: z.string().nullable(),
  location: locationSchema.nullable(),
  device: deviceSchema,
  tokenHint: z.string(),
  risk: z.object({ suspicious: z.boolean(), reasons: z.array(z.string()) }).nullable(),
});

export const sessionDetailSchema = sessionSchema.extend({
  userAgent: z.string().nullable(),
  activity: z.object({ requests: z.number(), lastPath: z.string().nullable() }),
});

export const sessionIdParams = z.object({ id: z.string().min(1).max(64) });

export const loginBody = z.object({
  email: z.string().max(254),
  password: z.string().min(1).max(1024),
  remember: z.boolean().optional(),
});

export const passwordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(8, 'at least 8 characters').max(1024),
  signOutOtherSessions: z.boolean().default(true),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
});

export const revokedCount = z.object({ revoked: z.number().int() });

export const noContent = z.null().describe('No content');
