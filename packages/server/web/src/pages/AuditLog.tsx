import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { ACTION_LABELS } from '../audit-details.ts';
import { api, type AuditAction } from '../api.ts';
import { AuditTable } from '../components/AuditTable.tsx';
import { LoadError, Loading, Page } from '../components/Page.tsx';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { useSearchParam } from '../router.ts';
import { adminTrail } from './trails.ts';

const PAGE_SIZE = 50;

export function AuditLogPage() {
  const f = useFmt();
  const { t } = f;
  const [user, setUser] = useSearchParam('user');
  const [action, setAction] = useSearchParam('action');
  const [q, setQ] = useSearchParam('q');
  const [outcome, setOutcome] = useSearchParam('outcome');
  const [from, setFrom] = useSearchParam('from');
  const [to, setTo] = useSearchParam('to');
  const users = useQuery({ queryKey: keys.teamUsers, queryFn: api.teamUsers });
  const filters = { user, action, q, outcome, from, to };
  // Days are the browser's local days; the server takes instants with their offset.
  const instant = (day: string, next = false) => {
    const d = new Date(`${day}T00:00:00`);
    if (next) d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  const query = {
    ...(user ? { user } : {}),
    ...(action ? { action: action as AuditAction } : {}),
    ...(q ? { q } : {}),
    ...(outcome === 'success' || outcome === 'failure' ? { outcome: outcome as 'success' | 'failure' } : {}),
    ...(from ? { from: instant(from) } : {}),
    ...(to ? { to: instant(to, true) } : {}),
  };
  const exportHref = (format: 'csv' | 'ndjson') => `/api/admin/audit/export?${new URLSearchParams({ ...query, format }).toString()}`;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const events = useInfiniteQuery({
    queryKey: keys.audit(filters),
    queryFn: ({ pageParam }) => api.audit({ ...query, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const people = users.data?.users ?? [];

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setUser(String(form.get('user') ?? ''));
    setAction(String(form.get('action') ?? ''));
    setQ(String(form.get('q') ?? '').trim());
    setOutcome(String(form.get('outcome') ?? ''));
    setFrom(String(form.get('from') ?? ''));
    setTo(String(form.get('to') ?? ''));
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
        <div className="field">
          <label htmlFor="audit-q">{t('audit.search')}</label>
          <input id="audit-q" name="q" type="search" defaultValue={q} key={`q${q}`} maxLength={200} placeholder={t('audit.searchHint')} />
        </div>
        <div className="field">
          <label htmlFor="audit-outcome">{t('audit.outcome')}</label>
          <select id="audit-outcome" name="outcome" defaultValue={outcome} key={`o${outcome}`}>
            <option value="">{t('audit.outcomeAll')}</option>
            <option value="success">{t('audit.outcomeSuccess')}</option>
            <option value="failure">{t('audit.outcomeFailure')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t('audit.from')}</label>
          <input id="audit-from" name="from" type="date" defaultValue={from} key={`f${from}`} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('audit.to')}</label>
          <input id="audit-to" name="to" type="date" defaultValue={to} key={`t${to}`} />
        </div>
        <button type="submit" className="button secondary">
          {t('audit.apply')}
        </button>
      </form>
      <p className="hint">
        {t('audit.timesIn', { zone })} {t('audit.export')} <a href={exportHref('csv')} download>CSV</a> · <a href={exportHref('ndjson')} download>NDJSON</a>
      </p>
      {events.error ? <LoadError error={events.error} onRetry={() => void events.refetch()} /> : null}
      {events.isPending ? <Loading /> : null}
      {events.data ? <AuditTable events={list} users={people} /> : null}
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
