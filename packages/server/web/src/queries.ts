import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api.ts';

/**
 * Server state lives in TanStack Query: one cache per query key, refetched when the window regains focus
 * and after every change (mutations invalidate the keys they touch), retried only when retrying can help.
 */
export const keys = {
  authOptions: ['auth', 'options'] as const,
  sessions: ['sessions'] as const,
  session: (id: string) => ['sessions', id] as const,
  admin: ['admin'] as const,
  teamUsers: ['admin', 'users'] as const,
  teamSessions: (user: string) => ['admin', 'sessions', user] as const,
  /** One person's sessions in a single page (the sign-out-everywhere dialog lists them). */
  personSessions: (user: string) => ['admin', 'person-sessions', user] as const,
  /** The person page: the account and counts, and their API keys (also the credentials dialog's). */
  person: (id: string) => ['admin', 'person', id] as const,
  personApiKeys: (id: string) => ['admin', 'user-api-keys', id] as const,
  settings: ['admin', 'settings'] as const,
  policies: ['admin', 'policies'] as const,
  effectivePolicy: (user: string) => ['admin', 'effective-policy', user] as const,
  audit: (filters: object) => ['admin', 'audit', filters] as const,
  overview: (days: string) => ['admin', 'overview', days] as const,
  apiKeys: ['api-keys'] as const,
  activity: ['activity'] as const,
  notifications: ['admin', 'notifications'] as const,
  webhooks: ['admin', 'webhooks'] as const,
  webhookDeliveries: ['admin', 'webhooks', 'deliveries'] as const,
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refusal (4xx) will not change by asking again; the network or a 5xx may.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        staleTime: 10_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
