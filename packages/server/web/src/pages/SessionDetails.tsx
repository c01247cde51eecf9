import { useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, describeError, type SessionDetail } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { DeviceIcon } from '../components/Icons.tsx';
import { Link } from '../components/Link.tsx';
import { ErrorMessage, Page } from '../components/Page.tsx';
import { Place, RiskReasons, sessionName, SuspiciousBadge, BoundBadge } from '../components/SessionBits.tsx';
import { DateTime, LastActive } from '../components/Time.tsx';
import { maskId } from '../format.ts';
import { navigate } from '../router.ts';

const versioned = (name: string | null, version: string | null) => (name ? (version ? `${name} ${version}` : name) : 'Unknown');

export function SessionDetailsPage({ id }: { id: string }) {
  const { logout } = useAuth();
  const [session, setSession] = useState<SessionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    setSession(null);
    api.session(id).then(setSession, (e: unknown) =>
      setError(e instanceof ApiError && e.status === 404 ? 'This session does not exist any more: it was signed out or has expired.' : describeError(e)),
    );
  }, [id]);

  const back = (
    <Link to="/settings/security/sessions" className="back-link">
      ← All sessions
    </Link>
  );

  if (!session) {
    return (
      <Page title="Session details" trail={['Settings', 'Security', 'Sessions']}>
        <ErrorMessage message={error} />
        {!error ? <p className="loading">Loading…</p> : null}
        {back}
      </Page>
    );
  }

  const rows: [string, ReactNode][] = [
    ['Browser', versioned(session.device.browser, session.device.browserVersion)],
    ['Operating system', versioned(session.device.os, session.device.osVersion)],
    ['Device', session.device.deviceModel ?? (session.device.deviceType === 'unknown' ? 'Unknown' : capitalise(session.device.deviceType))],
    ['Location', <Place location={session.location} ip={session.ip} />],
    ['IP address', <span className="mono">{session.ip ?? 'Unknown'}</span>],
    ['Signed in', <DateTime iso={session.createdAt} />],
    ['Last active', <LastActive iso={session.lastActiveAt} />],
    ['Expires', session.expiresAt ? <DateTime iso={session.expiresAt} /> : 'Never (no idle timeout)'],
    ['Kept signed in', session.persistent ? 'Yes ("Keep me signed in" was chosen)' : 'No (ends when idle too long)'],
    ['Session ID', <span className="mono" title="Shortened; the full id is never needed to manage a session">{maskId(session.id)}</span>],
    ['Requests', session.activity.requests.toLocaleString()],
    ['Last page', session.activity.lastPath ? <span className="mono">{session.activity.lastPath}</span> : 'None yet'],
  ];

  return (
    <Page title="Session details" trail={['Settings', 'Security', 'Sessions']}>
      {back}
      <section className="panel detail" aria-labelledby="detail-heading">
        <div className="detail-head">
          <DeviceIcon type={session.device.deviceType} />
          <h2 id="detail-heading" className="session-title">
            {session.device.label}
            {session.current ? <span className="badge badge-current">This device</span> : null}
            <SuspiciousBadge risk={session.risk} />
          <BoundBadge session={session} />
          </h2>
        </div>
        <RiskReasons risk={session.risk} />
        <dl className="detail-list">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {session.userAgent ? (
          <details className="user-agent">
            <summary>User-Agent</summary>
            <p className="mono">{session.userAgent}</p>
          </details>
        ) : null}
        <div className="detail-actions">
          {session.current ? (
            <button type="button" className="button secondary" onClick={() => void logout()}>
              Log out
            </button>
          ) : (
            <button type="button" className="button danger" onClick={() => setConfirming(true)}>
              Sign out this session
            </button>
          )}
        </div>
      </section>
      <ConfirmDialog
        open={confirming}
        title="Sign out this session?"
        confirmLabel="Sign out"
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          await api.revokeSession(session.id);
          navigate('/settings/security/sessions');
        }}
      >
        <p>
          <strong>{sessionName(session)}</strong> will be signed out. Whoever uses it will have to sign in again.
        </p>
      </ConfirmDialog>
    </Page>
  );
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
