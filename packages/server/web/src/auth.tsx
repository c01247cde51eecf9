import { createContext, useContext } from 'react';
import type { Permission, User } from './api.ts';

export interface AuthState {
  user: User;
  permissions: Permission[];
  sessionId: string;
  /** Ends this session on the server, then shows the sign-in page. */
  logout: () => Promise<void>;
  /** The session is gone already (e.g. "sign out all team sessions" included it). */
  signedOut: (notice: string) => void;
}

export const AuthContext = createContext<AuthState | null>(null);

/** Whether the signed-in person holds `permission` (for showing pages and buttons; the server decides). */
export function useCan(): (permission: Permission) => boolean {
  const { permissions } = useAuth();
  return (permission) => permissions.includes(permission);
}

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside a signed-in page');
  return auth;
}
