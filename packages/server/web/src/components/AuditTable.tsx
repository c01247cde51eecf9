import { actionLabel, describeDetails, reasonText } from '../audit-details.ts';
import type { AuditEvent, AuditParty, TeamUser } from '../api.ts';
import { maskId } from '../format.ts';
import { useFmt, type Fmt } from '../i18n/I18n.tsx';
import { PersonLink } from './PersonLink.tsx';
import { DateTime } from './Time.tsx';

/** Who: an account's e-mail; no actor is the system (CLI, expiry) or, for a failed sign-in, nobody yet. */
function partyName(f: Fmt, users: TeamUser[], party: AuditParty, action?: string): string {
  if (party === null || party === undefined) return action === 'auth.sign-in-failed' ? f.t('audit.anonymous') : f.t('audit.system');
  return party.email ?? users.find((u) => u.id === party.id)?.email ?? party.name ?? party.id;
}

/** Audit events, newest first: the audit log's table, and the person page's recent events. */
export function AuditTable({ events, users, caption }: { events: AuditEvent[]; users: TeamUser[]; caption?: string }) {
  const { t } = useFmt();
  return (
    <table className="table stack-on-mobile audit-table">
      <caption className="visually-hidden">{caption ?? t('audit.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('audit.time')}</th>
          <th scope="col">{t('audit.event')}</th>
          <th scope="col">{t('audit.parties')}</th>
          <th scope="col">{t('audit.reason')}</th>
          <th scope="col">{t('field.ip')}</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <AuditRow key={event.id} event={event} users={users} />
        ))}
      </tbody>
    </table>
  );
}

function AuditRow({ event, users }: { event: AuditEvent; users: TeamUser[] }) {
  const f = useFmt();
  const { t } = f;
  const actor = partyName(f, users, event.actor, event.action);
  const target = event.target ? partyName(f, users, event.target) : null;
  return (
    <tr>
      <td data-label={t('audit.time')}>
        <DateTime iso={event.at} seconds />
      </td>
      <th scope="row" data-label={t('audit.event')}>
        {actionLabel(f, event.action)}
        {describeDetails(f, event.details, [actor, target ?? '']).map((line) => (
          <span key={line} className="event-detail">
            {line}
          </span>
        ))}
        {event.sessionId ? <span className="event-detail mono">{t('audit.session', { id: maskId(event.sessionId) })}</span> : null}
      </th>
      <td data-label={t('audit.parties')} className="wrap-anywhere">
        {/* Each person opens their admin page; the system and anonymous callers have none. */}
        {event.actor ? <PersonLink person={event.actor}>{actor}</PersonLink> : actor}
        {event.target && target !== null && target !== actor ? (
          <span className="event-detail">{f.intl.formatMessage({ id: 'audit.for' }, { name: <PersonLink person={event.target}>{target}</PersonLink> })}</span>
        ) : null}
      </td>
      <td data-label={t('audit.reason')} className="reason">
        {event.reason ? reasonText(f, event.reason) : '—'}
      </td>
      <td data-label={t('field.ip')} className="mono ip">
        {event.ip ?? '—'}
      </td>
    </tr>
  );
}
