import { createContext, useContext } from 'react';
import type { User } from './api.ts';
import type { MessageId } from './i18n/messages/index.ts';

export interface AuthState {
  user: User;
  sessionId: string;
  /** Ends this session on the server, then shows the sign-in page. */
  logout: () => Promise<void>;
  /** The session is gone already (e.g. "sign out all team sessions" included it); `notice` is a message id. */
  signedOut: (notice: MessageId, values?: Record<string, string | number>) => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside a signed-in page');
  return auth;
}
