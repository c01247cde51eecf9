import { actionLabel, describeDetails, reasonText } from '../audit-details.ts';
import type { AuditEvent, AuditParty, TeamUser } from '../api.ts';
import { maskId } from '../format.ts';
import { useFmt, type Fmt } from '../i18n/I18n.tsx';
import { DataTable } from './DataTable.tsx';
import { PersonLink } from './PersonLink.tsx';
import { DateTime } from './Time.tsx';

/** Who: an account's e-mail; no actor is the system (CLI, expiry) or, for a failed sign-in, nobody yet. */
function partyName(f: Fmt, users: TeamUser[], party: AuditParty, action?: string): string {
  if (party === null || party === undefined) return action === 'auth.sign-in-failed' ? f.t('audit.anonymous') : f.t('audit.system');
  return party.email ?? users.find((u) => u.id === party.id)?.email ?? party.name ?? party.id;
}

/** Audit events, newest first: the audit log's table, and the person page's recent events ("No events" when there are none). */
export function AuditTable({ events, users, caption }: { events: AuditEvent[]; users: TeamUser[]; caption?: string }) {
  const f = useFmt();
  const { t } = f;
  // Who did it is named twice (in the event's details and under "By / for"): worked out once per event.
  const rows = events.map((event) => ({ event, actor: partyName(f, users, event.actor, event.action), target: event.target ? partyName(f, users, event.target) : null }));
  return (
    <DataTable
      caption={caption ?? t('audit.caption')}
      className="audit-table"
      empty={t('audit.empty')}
      rows={rows}
      rowKey={({ event }) => event.id}
      columns={[
        { key: 'time', header: t('audit.time'), cell: ({ event }) => <DateTime iso={event.at} seconds /> },
        {
          key: 'event',
          header: t('audit.event'),
          rowHeader: true,
          cell: ({ event, actor, target }) => (
            <>
              {actionLabel(f, event.action)}
              {describeDetails(f, event.details, [actor, target ?? '']).map((line) => (
                <span key={line} className="event-detail">
                  {line}
                </span>
              ))}
              {event.sessionId ? <span className="event-detail mono">{t('audit.session', { id: maskId(event.sessionId) })}</span> : null}
            </>
          ),
        },
        {
          key: 'parties',
          header: t('audit.parties'),
          className: 'wrap-anywhere',
          cell: ({ event, actor, target }) => (
            <>
              {/* Each person opens their admin page; the system and anonymous callers have none. */}
              {event.actor ? <PersonLink person={event.actor}>{actor}</PersonLink> : actor}
              {event.target && target !== null && target !== actor ? (
                <span className="event-detail">{f.intl.formatMessage({ id: 'audit.for' }, { name: <PersonLink person={event.target}>{target}</PersonLink> })}</span>
              ) : null}
            </>
          ),
        },
        { key: 'reason', header: t('audit.reason'), className: 'reason', cell: ({ event }) => (event.reason ? reasonText(f, event.reason) : '—') },
        { key: 'ip', header: t('field.ip'), className: 'mono ip', cell: ({ event }) => event.ip ?? '—' },
      ]}
    />
  );
}
