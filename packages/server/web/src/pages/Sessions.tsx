import { useCallback, useEffect, useState } from 'react';
import { api, describeError, type Session } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { DeviceIcon } from '../components/Icons.tsx';
import { Link } from '../components/Link.tsx';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';
import { Place, RiskReasons, sessionName, SuspiciousBadge, BoundBadge } from '../components/SessionBits.tsx';
import { LastActive } from '../components/Time.tsx';

export function SessionsPage() {
  const { logout } = useAuth();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Session | null>(null);
  const [revokingOthers, setRevokingOthers] = useState(false);

  const load = useCallback(async () => {
    try {
      const { sessions } = await api.sessions();
      // The API lists the current session first; keep it so even if an older server does not.
      setSessions([...sessions].sort((a, b) => Number(b.current) - Number(a.current)));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const others = sessions?.filter((s) => !s.current) ?? [];

  return (
    <Page
      title="Sessions"
      trail={['Settings', 'Security']}
      intro="These are the browsers and devices signed in to your account. Sign out any you don't recognise."
    >
      <Status message={status} />
      <ErrorMessage message={error} />
      {sessions === null && !error ? <p className="loading">Loading sessions…</p> : null}
      {sessions ? (
        <>
          <ul className="session-list" aria-label="Your sessions">
            {sessions.map((session) => (
              <SessionItem key={session.id} session={session} onRevoke={() => setRevoking(session)} onLogout={() => void logout()} />
            ))}
          </ul>
          <section className="panel" aria-labelledby="others-heading">
            <h2 id="others-heading">Other sessions</h2>
            <p>
              {others.length === 0
                ? 'You are not signed in anywhere else.'
                : `You are signed in on ${others.length} other ${others.length === 1 ? 'device or browser' : 'devices or browsers'}.`}
            </p>
            <button type="button" className="button danger" disabled={others.length === 0} onClick={() => setRevokingOthers(true)}>
              Sign out all other sessions
            </button>
          </section>
        </>
      ) : null}

      <ConfirmDialog
        open={revoking !== null}
        title="Sign out this session?"
        confirmLabel="Sign out"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeSession(revoking.id);
          setStatus(`Signed out ${sessionName(revoking)}.`);
          await load();
        }}
      >
        {revoking ? (
          <p>
            <strong>{sessionName(revoking)}</strong> will be signed out. Whoever uses it will have to sign in again.
          </p>
        ) : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={revokingOthers}
        title="Sign out all other sessions?"
        confirmLabel={`Sign out ${others.length} ${others.length === 1 ? 'session' : 'sessions'}`}
        onClose={() => setRevokingOthers(false)}
        onConfirm={async () => {
          const { revoked } = await api.revokeOtherSessions();
          setStatus(`Signed out ${revoked} other ${revoked === 1 ? 'session' : 'sessions'}.`);
          await load();
        }}
      >
        <p>These will be signed out; this device stays signed in:</p>
        <ul className="dialog-list">
          {others.map((s) => (
            <li key={s.id}>
              {sessionName(s)} · <LastActive iso={s.lastActiveAt} />
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </Page>
  );
}

function SessionItem({ session, onRevoke, onLogout }: { session: Session; onRevoke: () => void; onLogout: () => void }) {
  const titleId = `session-${session.id}`;
  const name = sessionName(session);
  return (
    <li className={`session-card${session.current ? ' current' : ''}${session.risk?.suspicious ? ' suspicious' : ''}`} aria-labelledby={titleId}>
      <div className="session-icon">
        <DeviceIcon type={session.device.deviceType} />
      </div>
      <div className="session-main">
        <h2 className="session-title" id={titleId}>
          {session.device.label}
          {session.current ? <span className="badge badge-current">This device</span> : null}
          <SuspiciousBadge risk={session.risk} />
          <BoundBadge session={session} />
        </h2>
        <dl className="facts">
          <div>
            <dt>Location</dt>
            <dd>
              <Place location={session.location} ip={session.ip} />
            </dd>
          </div>
          <div>
            <dt>IP address</dt>
            <dd className="mono">{session.ip ?? 'Unknown'}</dd>
          </div>
          <div>
            <dt>Last active</dt>
            <dd>
              <LastActive iso={session.lastActiveAt} />
            </dd>
          </div>
        </dl>
        <RiskReasons risk={session.risk} />
      </div>
      <div className="session-actions">
        <Link to={`/settings/security/sessions/${encodeURIComponent(session.id)}`} className="button secondary small" aria-label={`Details of ${name}${session.current ? ' (this device)' : ''}`}>
          Details
        </Link>
        {session.current ? (
          <button type="button" className="button secondary small" onClick={onLogout}>
            Log out
          </button>
        ) : (
          <button type="button" className="button danger-outline small" onClick={onRevoke} aria-label={`Sign out ${name}`}>
            Sign out
          </button>
        )}
      </div>
    </li>
  );
}
