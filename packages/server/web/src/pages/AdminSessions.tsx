import { useCallback, useEffect, useState } from 'react';
import { api, describeError, InputError, type TeamSession, type TeamUser } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { DeviceIcon } from '../components/Icons.tsx';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';
import { Place, sessionName, SuspiciousBadge, BoundBadge } from '../components/SessionBits.tsx';
import { LastActive } from '../components/Time.tsx';

const PAGE_SIZE = 25;

const userName = (u: { name: string; email: string }) => (u.name && u.name !== u.email ? `${u.name} (${u.email})` : u.email);

export function AdminSessionsPage() {
  const { signedOut } = useAuth();
  const [users, setUsers] = useState<{ users: TeamUser[]; total: number; bound: number | null } | null>(null);
  const [filter, setFilter] = useState('');
  const [sessions, setSessions] = useState<{ list: TeamSession[]; nextCursor: string | null; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<TeamSession | null>(null);
  const [forcing, setForcing] = useState<TeamUser | null>(null);
  const [revokingAll, setRevokingAll] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const loadUsers = useCallback(async () => {
    const result = await api.teamUsers();
    setUsers({ users: result.users, total: result.totalActiveSessions, bound: result.deviceBoundSessions ?? null });
  }, []);
  const loadSessions = useCallback(async (user: string) => {
    const result = await api.teamSessions({ user: user || undefined, limit: PAGE_SIZE });
    setSessions({ list: result.sessions, nextCursor: result.nextCursor, total: result.total });
  }, []);
  const reload = useCallback(async () => {
    try {
      await Promise.all([loadUsers(), loadSessions(filter)]);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [filter, loadUsers, loadSessions]);
  useEffect(() => void reload(), [reload]);

  async function loadMore() {
    if (!sessions?.nextCursor) return;
    setLoadingMore(true);
    try {
      const result = await api.teamSessions({ user: filter || undefined, limit: PAGE_SIZE, cursor: sessions.nextCursor });
      setSessions({ list: [...sessions.list, ...result.sessions], nextCursor: result.nextCursor, total: result.total });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoadingMore(false);
    }
  }

  const filteredUser = users?.users.find((u) => u.id === filter);

  return (
    <Page
      title="Team sessions"
      trail={['Admin']}
      actions={
        <button type="button" className="button danger" onClick={() => setRevokingAll(true)} disabled={!users || users.total === 0}>
          Sign out all team sessions
        </button>
      }
    >
      <Status message={status} />
      <ErrorMessage message={error} />
      {users ? (
        <p className="stat">
          <strong>{users.total}</strong> active {users.total === 1 ? 'session' : 'sessions'} across <strong>{users.users.length}</strong>{' '}
          {users.users.length === 1 ? 'person' : 'people'}
          {users.bound !== null && users.total > 0 ? (
            <>
              {'; '}
              <strong>{Math.round((users.bound / users.total) * 100)}%</strong> bound to their device ({users.bound})
            </>
          ) : null}
        </p>
      ) : null}

      <section aria-labelledby="people-heading">
        <h2 id="people-heading">People</h2>
        {users ? (
          <div className="table-wrap">
            <table className="table stack-on-mobile">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Active sessions</th>
                  <th scope="col">Last active</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.users.map((user) => (
                  <tr key={user.id}>
                    <th scope="row" data-label="Person">
                      {user.name && user.name !== user.email ? user.name : user.email}
                      {user.role === 'admin' ? <span className="badge badge-neutral">Admin</span> : null}
                      {user.name && user.name !== user.email ? <span className="person-email">{user.email}</span> : null}
                    </th>
                    <td data-label="Active sessions">{user.activeSessions}</td>
                    <td data-label="Last active" className="nowrap">{user.lastActiveAt ? <LastActive iso={user.lastActiveAt} /> : 'Never'}</td>
                    <td className="actions">
                      <button type="button" className="button secondary small" aria-label={`Show sessions of ${user.email}`} onClick={() => setFilter(user.id)}>
                        Show sessions
                      </button>
                      <button
                        type="button"
                        className="button danger-outline small"
                        aria-label={`Force sign out ${user.email}`}
                        disabled={user.activeSessions === 0}
                        onClick={() => setForcing(user)}
                      >
                        Force sign out
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>

      <section aria-labelledby="sessions-heading">
        <div className="section-head">
          <h2 id="sessions-heading">{filteredUser ? `Sessions of ${filteredUser.email}` : 'All sessions'}</h2>
          <div className="field inline">
            <label htmlFor="user-filter">Filter by person</label>
            <select id="user-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
              <option value="">Everyone</option>
              {users?.users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email}
                </option>
              ))}
            </select>
          </div>
        </div>
        {sessions ? (
          <>
            {sessions.list.length === 0 ? <p className="empty">No active sessions.</p> : null}
            {sessions.list.length > 0 ? (
              <div className="table-wrap">
                <table className="table stack-on-mobile">
                  <thead>
                    <tr>
                      <th scope="col">Person</th>
                      <th scope="col">Device</th>
                      <th scope="col">Location</th>
                      <th scope="col">IP address</th>
                      <th scope="col">Last active</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {sessions.list.map((s) => (
                      <tr key={s.id}>
                        <th scope="row" data-label="Person">
                          {s.user.email}
                        </th>
                        <td data-label="Device">
                          <span className="device-cell">
                            <DeviceIcon type={s.device.deviceType} />
                            {s.device.label}
                          </span>
                          {s.current ? <span className="badge badge-current">This device</span> : null}
                          <SuspiciousBadge risk={s.risk} />
                          <BoundBadge session={s} />
                        </td>
                        <td data-label="Location">
                          <Place location={s.location} ip={s.ip} note={false} />
                        </td>
                        <td data-label="IP address" className="mono">
                          {s.ip ?? 'Unknown'}
                        </td>
                        <td data-label="Last active" className="nowrap">
                          <LastActive iso={s.lastActiveAt} />
                        </td>
                        <td className="actions">
                          {s.current ? null : (
                            <button type="button" className="button danger-outline small" aria-label={`Revoke ${s.user.email}'s session on ${sessionName(s)}`} onClick={() => setRevoking(s)}>
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                    </tbody>
                </table>
              </div>
            ) : null}
            {sessions.list.length > 0 ? <p className="hint table-note">Locations are approximate, based on IP addresses.</p> : null}
            <p className="pager">
              Showing {sessions.list.length} of {sessions.total}
              {sessions.nextCursor ? (
                <button type="button" className="button secondary small" onClick={() => void loadMore()} disabled={loadingMore}>
                  {loadingMore ? 'Loading…' : 'Load more'}
                </button>
              ) : null}
            </p>
          </>
        ) : (
          <p className="loading">Loading sessions…</p>
        )}
      </section>

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this session?"
        confirmLabel="Revoke session"
        autoFocusCancel={false}
        onClose={() => setRevoking(null)}
        onConfirm={async (form) => {
          if (!revoking) return;
          const reason = String(form.get('reason') ?? '').trim();
          await api.adminRevokeSession(revoking.id, reason || undefined);
          setStatus(`Revoked ${revoking.user.email}'s session on ${sessionName(revoking)}.`);
          await reload();
        }}
      >
        {revoking ? (
          <>
            <p>
              <strong>{revoking.user.email}</strong> will be signed out on <strong>{sessionName(revoking)}</strong>.
            </p>
            <ReasonField required={false} />
          </>
        ) : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={forcing !== null}
        title={forcing ? `Force sign out ${forcing.email}?` : 'Force sign out'}
        confirmLabel="Force sign out"
        autoFocusCancel={false}
        onClose={() => setForcing(null)}
        onConfirm={async (form) => {
          if (!forcing) return;
          const reason = String(form.get('reason') ?? '').trim();
          if (!reason) throw new InputError('Give a reason: it is recorded in the audit log.');
          const { revoked } = await api.forceSignOut(forcing.id, reason);
          setStatus(`Signed ${forcing.email} out of ${revoked} ${revoked === 1 ? 'session' : 'sessions'}.`);
          await reload();
        }}
      >
        {forcing ? (
          <>
            <p>
              All {forcing.activeSessions} {forcing.activeSessions === 1 ? 'session' : 'sessions'} of <strong>{userName(forcing)}</strong> end now. They
              can sign in again.
            </p>
            <ReasonField required />
          </>
        ) : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={revokingAll}
        title="Sign out all team sessions?"
        confirmLabel="Sign out everyone"
        autoFocusCancel={false}
        onClose={() => setRevokingAll(false)}
        onConfirm={async (form) => {
          const reason = String(form.get('reason') ?? '').trim();
          const { revoked } = await api.revokeAllSessions(reason || undefined);
          signedOut(`All ${revoked} team sessions were signed out, including yours.`);
        }}
      >
        <p>
          Every session of every person ends now, <strong>including yours</strong>: {users?.total ?? 0} active{' '}
          {users?.total === 1 ? 'session' : 'sessions'}. Use this after a suspected breach.
        </p>
        <ReasonField required={false} />
      </ConfirmDialog>
    </Page>
  );
}

function ReasonField({ required }: { required: boolean }) {
  return (
    <div className="field">
      <label htmlFor="reason">
        Reason {required ? <span className="required">(required)</span> : <span className="hint">(optional)</span>}
      </label>
      <textarea id="reason" name="reason" rows={3} maxLength={500} required={required} data-autofocus="" aria-describedby="reason-hint" />
      <p id="reason-hint" className="hint">
        Recorded in the audit log{required ? ' and required for a forced sign-out' : ''}.
      </p>
    </div>
  );
}
