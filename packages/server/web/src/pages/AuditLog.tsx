import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { describeDetails } from '../audit-details.ts';
import { api, describeError, type AuditEvent, type AuditParty, type TeamUser } from '../api.ts';
import { ErrorMessage, Page } from '../components/Page.tsx';
import { DateTime } from '../components/Time.tsx';
import { maskId } from '../format.ts';

const PAGE_SIZE = 50;

/** Labels for the actions the server records; an unknown action is shown as its code. */
const ACTION_LABELS: Record<string, string> = {
  'auth.sign-in': 'Signed in',
  'auth.sign-in-failed': 'Failed sign-in',
  'auth.sign-out': 'Logged out',
  'session.revoked': 'Session revoked',
  'sessions.revoked-others': 'Other sessions signed out',
  'user.force-signed-out': 'Forced sign-out',
  'sessions.invalidated-all': 'All sessions signed out',
  'settings.changed': 'Settings changed',
  'password.changed': 'Password changed',
  'api-key.created': 'API key created',
  'api-key.revoked': 'API key revoked',
  'user.created': 'User created',
  'session.device-bound': 'Session bound to its device',
  'session.device-key-mismatch': 'Session ended: used from another device',
};

type Filters = { user: string; action: string };

export function AuditLogPage() {
  const [users, setUsers] = useState<TeamUser[]>([]);
  const [filters, setFilters] = useState<Filters>({ user: '', action: '' });
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    api.teamUsers().then(
      (r) => setUsers(r.users),
      () => setUsers([]),
    );
  }, []);

  const load = useCallback(async (f: Filters, cursor: string | null) => {
    setLoading(true);
    try {
      const page = await api.audit({ user: f.user || undefined, action: f.action || undefined, limit: PAGE_SIZE, cursor });
      setEvents((current) => (cursor && current ? [...current, ...page.events] : page.events));
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(filters, null), [filters, load]);

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFilters({ user: String(form.get('user') ?? ''), action: String(form.get('action') ?? '') });
  }

  // No actor: the system (CLI, expiry), or nobody signed in yet for a failed sign-in.
  const partyName = (party: AuditParty, action?: string): string => {
    if (party === null || party === undefined) return action === 'auth.sign-in-failed' ? 'Anonymous' : 'System';
    if (typeof party === 'string') return users.find((u) => u.id === party)?.email ?? party;
    return party.email ?? party.name ?? party.id ?? 'Unknown';
  };

  return (
    <Page title="Audit log" trail={['Admin']} intro="Sign-ins, sign-outs, revocations and setting changes, newest first.">
      <form className="panel filters" onSubmit={applyFilters} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-user">Person</label>
          <select id="audit-user" name="user" defaultValue={filters.user}>
            <option value="">Everyone</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filters.action}>
            <option value="">All actions</option>
            {Object.entries(ACTION_LABELS).map(([action, label]) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button secondary">
          Apply filters
        </button>
      </form>
      <ErrorMessage message={error} />
      {events === null && !error ? <p className="loading">Loading…</p> : null}
      {events && events.length === 0 ? <p className="empty">No events match.</p> : null}
      {events && events.length > 0 ? (
        <div className="table-wrap">
          <table className="table stack-on-mobile audit-table">
            <caption className="visually-hidden">Audit events</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">By / affected</th>
                <th scope="col">Reason</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td data-label="Time" className="nowrap">
                    <DateTime iso={event.at} />
                  </td>
                  <th scope="row" data-label="Event">
                    {ACTION_LABELS[event.action] ?? event.action}
                    {describeDetails(event.details).map((line) => (
                      <span key={line} className="event-detail">
                        {line}
                      </span>
                    ))}
                    {event.sessionId ? <span className="event-detail mono">Session {maskId(event.sessionId)}</span> : null}
                  </th>
                  <td data-label="By / affected" className="nowrap">
                    {partyName(event.actor, event.action)}
                    {event.target !== null && partyName(event.target) !== partyName(event.actor, event.action) ? (
                      <span className="event-detail">for {partyName(event.target)}</span>
                    ) : null}
                  </td>
                  <td data-label="Reason" className="reason">
                    {event.reason ?? '—'}
                  </td>
                  <td data-label="IP address" className="mono">
                    {event.ip ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {nextCursor ? (
        <p className="pager">
          <button type="button" className="button secondary" disabled={loading} onClick={() => void load(filters, nextCursor)}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : null}
    </Page>
  );
}
