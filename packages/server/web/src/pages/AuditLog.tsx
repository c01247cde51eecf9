import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { ACTION_LABELS, actionLabel, describeDetails, reasonText } from '../audit-details.ts';
import { api, type AuditAction, type AuditEvent, type AuditParty, type TeamUser } from '../api.ts';
import { LoadError, Loading, Page } from '../components/Page.tsx';
import { DateTime } from '../components/Time.tsx';
import { maskId } from '../format.ts';
import { useFmt, type Fmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { useSearchParam } from '../router.ts';
import { adminTrail } from './trails.ts';

const PAGE_SIZE = 50;

/** Who: an account's e-mail; no actor is the system (CLI, expiry) or, for a failed sign-in, nobody yet. */
function partyName(f: Fmt, users: TeamUser[], party: AuditParty, action?: string): string {
  if (party === null || party === undefined) return action === 'auth.sign-in-failed' ? f.t('audit.anonymous') : f.t('audit.system');
  return party.email ?? users.find((u) => u.id === party.id)?.email ?? party.name ?? party.id;
}

export function AuditLogPage() {
  const f = useFmt();
  const { t } = f;
  const [user, setUser] = useSearchParam('user');
  const [action, setAction] = useSearchParam('action');
  const users = useQuery({ queryKey: keys.teamUsers, queryFn: api.teamUsers });
  const filters = { user, action };
  const events = useInfiniteQuery({
    queryKey: keys.audit(filters),
    queryFn: ({ pageParam }) =>
      api.audit({ ...(user ? { user } : {}), ...(action ? { action: action as AuditAction } : {}), limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const people = users.data?.users ?? [];

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setUser(String(form.get('user') ?? ''));
    setAction(String(form.get('action') ?? ''));
  }

  const list = events.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <Page title={t('audit.title')} trail={adminTrail(t)} intro={t('audit.intro')}>
      <form className="panel filters" onSubmit={applyFilters} aria-label={t('audit.filtersLabel')}>
        <div className="field">
          <label htmlFor="audit-user">{t('field.person')}</label>
          <select id="audit-user" name="user" defaultValue={user} key={`u${user}${people.length}`}>
            <option value="">{t('team.everyone')}</option>
            {people.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('audit.action')}</label>
          <select id="audit-action" name="action" defaultValue={action} key={`a${action}`}>
            <option value="">{t('audit.allActions')}</option>
            {Object.entries(ACTION_LABELS).map(([code, label]) => (
              <option key={code} value={code}>
                {t(label)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button secondary">
          {t('audit.apply')}
        </button>
      </form>
      {events.error ? <LoadError error={events.error} onRetry={() => void events.refetch()} /> : null}
      {events.isPending ? <Loading /> : null}
      {events.data && list.length === 0 ? <p className="empty">{t('audit.empty')}</p> : null}
      {list.length > 0 ? (
        <table className="table stack-on-mobile audit-table">
          <caption className="visually-hidden">{t('audit.caption')}</caption>
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
            {list.map((event) => (
              <AuditRow key={event.id} event={event} users={people} />
            ))}
          </tbody>
        </table>
      ) : null}
      {events.hasNextPage ? (
        <p className="pager">
          <button type="button" className="button secondary" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
            {events.isFetchingNextPage ? t('common.loading') : t('action.loadMore')}
          </button>
        </p>
      ) : null}
    </Page>
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
        {actor}
        {target !== null && target !== actor ? <span className="event-detail">{t('audit.for', { name: target })}</span> : null}
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
