import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, onSignedOut, type Permission, type User } from './api.ts';
import { AuthContext, type AuthState } from './auth.tsx';
import type { Notice } from './notice.ts';
import { endingNotice, forgetEnding } from './ended.ts';
import { HOME, Layout } from './components/Layout.tsx';
import { safeNextPath } from './next-path.ts';
import { StepUpPrompt } from './components/StepUpPrompt.tsx';
import { Loading, Page } from './components/Page.tsx';
import { Link } from './components/Link.tsx';
import { useT } from './i18n/I18n.tsx';
import type { MessageId } from './i18n/messages/index.ts';
import { AdminSessionsPage } from './pages/AdminSessions.tsx';
import { AdminSettingsPage } from './pages/AdminSettings.tsx';
import { ApiKeysPage } from './pages/ApiKeys.tsx';
import { AuditLogPage } from './pages/AuditLog.tsx';
import { PasswordPage } from './pages/Password.tsx';
import { SessionDetailsPage } from './pages/SessionDetails.tsx';
import { SessionsPage } from './pages/Sessions.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { match, navigate, usePath } from './router.ts';
import { useLiveSession } from './live-session.ts';
import { keys } from './queries.ts';
import { ActivityPage } from './pages/Activity.tsx';
import { NotMePage } from './pages/NotMe.tsx';
import { WebhooksPage } from './pages/Webhooks.tsx';
import { PersonPage } from './pages/Person.tsx';

// The overview's chart library is loaded with that page only: the other pages' bundle does not grow.
const OverviewPage = lazy(() => import('./pages/Overview.tsx').then((m) => ({ default: m.OverviewPage })));

type Auth =
  | { state: 'loading' }
  | { state: 'signed-out'; notice: Notice | null }
  | { state: 'signed-in'; user: User; sessionId: string; mustChangePassword: boolean; permissions: Permission[] };

/** The sign-in banner after a 401: why the session ended if the server said so, else a general sentence. */
const endedNotice = (): Notice => endingNotice() ?? { id: 'signIn.notice.ended' };

/** Only same-origin paths are followed after sign-in (no open redirect via ?next=): see next-path.ts. */
function safeNext(search: string): string {
  return safeNextPath(new URLSearchParams(search).get('next'), window.location.origin, HOME);
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const queryClient = useQueryClient();
  const path = usePath();

  useEffect(() => {
    api.currentSession().then(
      ({ user, session, passwordChangeRequired, permissions }) => setAuth({ state: 'signed-in', user, sessionId: session.id, mustChangePassword: passwordChangeRequired, permissions }),
      // A 401 here may say why this browser's session ended, now or before a reload (ended.ts).
      (error: unknown) => setAuth({ state: 'signed-out', notice: error instanceof ApiError && error.status === 401 ? endingNotice() : { error } }),
    );
  }, []);

  // Any 401 from the API means this session ended (revoked on another device, expired): back to sign-in.
  useEffect(
    () => onSignedOut(() => setAuth((current) => (current.state === 'signed-in' ? { state: 'signed-out', notice: endedNotice() } : current))),
    [],
  );

  // Coming back to a tab: ask whether this session still exists (it may have been signed out from another
  // device meanwhile), so the sign-in page shows now rather than on the next click.
  const signedIn = auth.state === 'signed-in';
  useEffect(() => {
    if (!signedIn) return;
    const check = () => {
      if (document.visibilityState !== 'visible') return;
      api.currentSession().catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setAuth({ state: 'signed-out', notice: endedNotice() });
      });
    };
    document.addEventListener('visibilitychange', check);
    return () => document.removeEventListener('visibilitychange', check);
  }, [signedIn]);

  // Live sign-out: the moment this session ends anywhere, every tab of this browser returns to sign-in with the
  // reason; when another session of this person starts or ends, lists reload.
  useLiveSession(signedIn, {
    onEnded: () => setAuth((current) => (current.state === 'signed-in' ? { state: 'signed-out', notice: endedNotice() } : current)),
    onChanged: () => void queryClient.invalidateQueries({ queryKey: keys.sessions }).then(() => queryClient.invalidateQueries({ queryKey: keys.activity })),
    onLost: () =>
      void api.currentSession().catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setAuth({ state: 'signed-out', notice: endedNotice() });
      }),
  });

  useEffect(() => {
    if (auth.state === 'signed-out' && path !== '/sign-in' && path !== '/not-me') {
      const here = location.pathname + location.search;
      navigate(here === '/' || here === HOME ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    }
    if (auth.state === 'signed-in' && (path === '/sign-in' || path === '/')) navigate(safeNext(location.search), { replace: true });
  }, [auth, path]);

  // Nothing cached for one account may show to the next one signing in on this browser.
  useEffect(() => {
    if (auth.state === 'signed-out') queryClient.clear();
  }, [auth.state, queryClient]);

  const signedOut = useCallback((id: MessageId, values?: Record<string, string | number>) => setAuth({ state: 'signed-out', notice: { id, ...(values ? { values } : {}) } }), []);
  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      forgetEnding();
      setAuth({ state: 'signed-out', notice: { id: 'signIn.notice.signedOut' } });
    }
  }, []);

  const context = useMemo<AuthState | null>(
    () => (auth.state === 'signed-in' ? { user: auth.user, sessionId: auth.sessionId, permissions: auth.permissions, logout, signedOut } : null),
    [auth, logout, signedOut],
  );

  // The page of the e-mail's link works whoever is (or is not) signed in here.
  if (path === '/not-me') return <NotMePage />;
  if (auth.state === 'loading') return <Loading />;
  if (auth.state === 'signed-out' || !context) {
    return (
      <SignInPage
        notice={auth.state === 'signed-out' ? auth.notice : null}
        onSignedIn={({ user, session, passwordChangeRequired, permissions }) => {
          forgetEnding();
          setAuth({ state: 'signed-in', user, sessionId: session.id, mustChangePassword: passwordChangeRequired, permissions });
          navigate(safeNext(location.search), { replace: true });
        }}
      />
    );
  }
  return (
    <AuthContext.Provider value={context}>
      <Layout>
        {auth.mustChangePassword ? (
          // Nothing else is allowed until then (403 …/password-change-required); the new cookie comes with the change.
          <PasswordPage required onChanged={() => setAuth({ ...auth, mustChangePassword: false })} />
        ) : (
          <Routes path={path} can={(p) => auth.state === 'signed-in' && auth.permissions.includes(p)} />
        )}
      </Layout>
      <StepUpPrompt />
    </AuthContext.Provider>
  );
}

/** Admin pages by permission: team sessions (any admin permission), settings (read-only for auditors), audit log. */
function Routes({ path, can }: { path: string; can: (permission: Permission) => boolean }) {
  if (path === HOME || path === '/' || path === '/sign-in') return <SessionsPage />;
  const details = match('/settings/security/sessions/:id', path);
  if (details) return <SessionDetailsPage id={details['id']!} />;
  if (path === '/settings/security/password') return <PasswordPage />;
  if (path === '/settings/api-keys') return <ApiKeysPage />;
  if (path === '/settings/security/activity') return <ActivityPage />;
  if (path === '/admin/overview') {
    // Team statistics: the server grants them with sessions:view or users:manage (`view-stats`).
    return can('sessions:view') || can('users:manage') ? (
      <Suspense fallback={<Loading />}>
        <OverviewPage />
      </Suspense>
    ) : (
      <Forbidden />
    );
  }
  if (path === '/admin/sessions') return can('sessions:view') || can('sessions:revoke') || can('users:manage') ? <AdminSessionsPage /> : <Forbidden />;
  if (path === '/admin/settings') return can('sessions:manage-settings') || can('audit:read') ? <AdminSettingsPage /> : <Forbidden />;
  if (path === '/admin/audit') return can('audit:read') ? <AuditLogPage /> : <Forbidden />;
  if (path === '/admin/webhooks') return can('sessions:manage-settings') ? <WebhooksPage /> : <Forbidden />;
  // A person's page: any admin permission; each section shows what the caller's permissions allow.
  const person = match('/admin/people/:id', path);
  if (person) return can('sessions:view') || can('sessions:revoke') || can('users:manage') || can('audit:read') ? <PersonPage key={person['id']} id={person['id']!} /> : <Forbidden />;
  if (path.startsWith('/admin/')) return <Forbidden />;
  return <NotFound />;
}

function NotFound() {
  const t = useT();
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.text')}</p>
      <p>
        <Link to={HOME}>{t('notFound.home')}</Link>
      </p>
    </Page>
  );
}

/** An admin page for someone without the role: the page exists, they may not use it (403, not 404). */
function Forbidden() {
  const t = useT();
  return (
    <Page title={t('forbidden.title')}>
      <p>{t('forbidden.text')}</p>
      <p>
        <Link to={HOME}>{t('notFound.home')}</Link>
      </p>
    </Page>
  );
}
