import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { ReportSessionButton } from '../components/ReportSession.tsx';
import { DeviceIcon } from '../components/Icons.tsx';
import { Link } from '../components/Link.tsx';
import { ErrorMessage, LoadError, Loading, Page } from '../components/Page.tsx';
import { RiskNote } from '../components/RiskNote.tsx';
import { BoundBadge, Place, sessionName } from '../components/SessionBits.tsx';
import { DateTime, LastActive } from '../components/Time.tsx';
import { deviceLabel, deviceTypeName } from '../device.ts';
import { maskId } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { navigate } from '../router.ts';
import { HOME } from '../components/Layout.tsx';
import { sessionsTrail } from './trails.ts';

export function SessionDetailsPage({ id }: { id: string }) {
  const f = useFmt();
  const { t } = f;
  const { logout } = useAuth();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: keys.session(id), queryFn: () => api.session(id) });
  const revoke = useMutation({ mutationFn: api.revokeSession, onSettled: () => queryClient.invalidateQueries({ queryKey: keys.sessions }) });
  const [confirming, setConfirming] = useState(false);
  const versioned = (name: string | null, version: string | null) => (name ? (version ? `${name} ${version}` : name) : t('common.unknown'));

  const back = (
    <Link to={HOME} className="back-link">
      ← {t('details.back')}
    </Link>
  );
  const session = query.data;
  if (!session) {
    const gone = query.error instanceof ApiError && query.error.status === 404;
    return (
      <Page title={t('details.title')} trail={sessionsTrail(t)}>
        {gone ? <ErrorMessage message={t('details.gone')} /> : query.error ? <LoadError error={query.error} onRetry={() => void query.refetch()} /> : <Loading />}
        {back}
      </Page>
    );
  }

  const rows: [string, ReactNode][] = [
    [t('field.browser'), versioned(session.device.browser, session.device.browserVersion)],
    [t('field.os'), versioned(session.device.os, session.device.osVersion)],
    [t('field.device'), session.device.deviceModel ?? deviceTypeName(t, session.device.deviceType)],
    [t('field.location'), <Place location={session.location} ip={session.ip} />],
    [t('field.ip'), <span className="mono">{session.ip ?? t('common.unknown')}</span>],
    [t('field.network'), session.network ?? t('common.unknown')],
    [t('field.signedIn'), <DateTime iso={session.createdAt} />],
    [t('field.lastActive'), <LastActive iso={session.lastActiveAt} />],
    [t('field.expires'), session.expiresAt ? <DateTime iso={session.expiresAt} /> : t('details.neverExpires')],
    [t('field.keptSignedIn'), session.persistent ? t('details.keptYes') : t('details.keptNo')],
    [t('field.token'), <span className="mono">{session.tokenHint}</span>],
    [t('field.sessionId'), <span className="mono">{maskId(session.id)}</span>],
    [t('field.requests'), f.intl.formatNumber(session.activity.requests)],
    [t('field.lastPage'), session.activity.lastPath ? <span className="mono">{session.activity.lastPath}</span> : t('details.noPage')],
  ];

  return (
    <Page title={t('details.title')} trail={sessionsTrail(t)}>
      {back}
      <section className="panel detail" aria-labelledby="detail-heading">
        <div className="detail-head">
          <DeviceIcon type={session.device.deviceType} />
          <h2 id="detail-heading" className="session-title">
            <span className="session-label">{deviceLabel(f, session.device)}</span>
            {session.current ? <span className="badge badge-current">{t('sessions.thisDeviceBadge')}</span> : null}
            <BoundBadge session={session} />
          </h2>
        </div>
        <RiskNote session={session} onSignOut={() => (session.current ? void logout() : setConfirming(true))} />
        <dl className="detail-list">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <p className="hint">{t('details.activityNote')}</p>
        {session.userAgent ? (
          <details className="user-agent">
            <summary>{t('details.userAgent')}</summary>
            <p className="mono">{session.userAgent}</p>
          </details>
        ) : null}
        <div className="detail-actions">
          {session.current ? (
            <button type="button" className="button secondary" onClick={() => void logout()}>
              {t('action.signOut')}
            </button>
          ) : (
            <>
              <button type="button" className="button danger" onClick={() => setConfirming(true)}>
                {t('details.signOutThis')}
              </button>
              {/* Reporting leaves this browser able only to change the password: reload to show that page. */}
              <ReportSessionButton sessionId={session.id} onReported={() => window.location.assign(HOME)} />
            </>
          )}
        </div>
      </section>
      <ConfirmDialog
        open={confirming}
        title={t('sessions.confirmOne.title')}
        confirmLabel={t('action.signOut')}
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          await revoke.mutateAsync(session.id);
          navigate(HOME);
        }}
      >
        <p>{t('sessions.confirmOne.body', { name: sessionName(f, session) })}</p>
      </ConfirmDialog>
    </Page>
  );
}
