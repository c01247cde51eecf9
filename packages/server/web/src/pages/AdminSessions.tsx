import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, type TeamUser } from '../api.ts';
import { useAuth, useCan } from '../auth.tsx';
import { errorText } from '../errors.ts';
import { RevokeMatching } from '../components/RevokeMatching.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { UserCredentialsButton } from '../components/UserCredentials.tsx';
import { LoadError, Loading, Page, Status } from '../components/Page.tsx';
import { DisableDialog, displayName, ForceSignOutDialog, ReasonField } from '../components/PersonDialogs.tsx';
import { PersonLink } from '../components/PersonLink.tsx';
import { TeamSessionTable } from '../components/TeamSessionTable.tsx';
import { LastActive } from '../components/Time.tsx';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { useSearchParam } from '../router.ts';
import { adminTrail } from './trails.ts';

const PAGE_SIZE = 25;

export function AdminSessionsPage() {
  const f = useFmt();
  const { t } = f;
  const { signedOut, user: me } = useAuth();
  const can = useCan();
  const [manyOnly, setManyOnly] = useState(false);
  const [disabling, setDisabling] = useState<TeamUser | null>(null);
  const queryClient = useQueryClient();
  const [filter, setFilter] = useSearchParam('user');
  const [search, setSearch] = useSearchParam('q');
  const [status, setStatus] = useState<string | null>(null);
  const [forcing, setForcing] = useState<TeamUser | null>(null);
  const [revokingAll, setRevokingAll] = useState(false);
  const sessionsHeading = useRef<HTMLHeadingElement>(null);
  const [jump, setJump] = useState(0);

  const users = useQuery({ queryKey: keys.teamUsers, queryFn: api.teamUsers });
  const sessions = useInfiniteQuery({
    queryKey: keys.teamSessions(filter),
    queryFn: ({ pageParam }) => api.teamSessions({ ...(filter ? { user: filter } : {}), limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.admin });

  // "Show sessions": the result is further down the page; take the eye and the focus there.
  useEffect(() => {
    if (jump === 0) return;
    sessionsHeading.current?.scrollIntoView({ block: 'start' });
    sessionsHeading.current?.focus();
  }, [jump]);

  const revokeAll = useMutation({ mutationFn: (reason?: string) => api.revokeAllSessions(reason) });
  const enable = useMutation({ mutationFn: (userId: string) => api.enableUser(userId), onSettled: refresh });
  // teamSessionAccess "off" (or no sessions:view): the people list and signing a person out still work.
  const detailsOff = sessions.error instanceof ApiError && sessions.error.status === 403;

  const people = users.data?.users ?? [];
  const needle = search.trim().toLowerCase();
  const matching = needle ? people.filter((u) => u.email.toLowerCase().includes(needle) || u.name.toLowerCase().includes(needle)) : people;
  const shown = manyOnly ? matching.filter((u) => u.manySessions) : matching;
  const filteredUser = people.find((u) => u.id === filter);
  const list = sessions.data?.pages.flatMap((p) => p.sessions) ?? [];
  const total = sessions.data?.pages.at(-1)?.total ?? 0;
  // Counted up to 10,000: beyond that the server says only "more than" (an exact count of millions is a scan).
  const totalCapped = sessions.data?.pages.at(-1)?.totalCapped ?? false;
  const activeTotal = users.data?.totalActiveSessions ?? 0;
  const sessionsTitle = filteredUser ? t('team.sessionsOf', { email: filteredUser.email }) : t('team.allSessions');

  return (
    <Page
      title={t('team.title')}
      trail={adminTrail(t)}
      actions={
        can('sessions:revoke') ? (
          <button type="button" className="button danger" onClick={() => setRevokingAll(true)} disabled={activeTotal === 0}>
            {t('team.signOutEveryone')}
          </button>
        ) : undefined
      }
    >
      <Status message={status} />
      {users.error ? <LoadError error={users.error} onRetry={() => void users.refetch()} /> : null}
      {users.data ? (
        <p className="stat">
          {t('team.stat', { sessions: activeTotal, people: people.length })}
          {activeTotal > 0 ? <> · {t('team.boundStat', { percent: Math.round((users.data.deviceBoundSessions / activeTotal) * 100), bound: users.data.deviceBoundSessions })}</> : null}
        </p>
      ) : null}

      <section aria-labelledby="people-heading">
        <div className="section-head">
          <h2 id="people-heading">{t('team.people')}</h2>
          <div className="field inline search">
            <label htmlFor="people-search">{t('team.search')}</label>
            <input id="people-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
          </div>
        </div>
        <div className="checkbox-field">
          <input type="checkbox" id="many-only" checked={manyOnly} onChange={(e) => setManyOnly(e.currentTarget.checked)} />
          <label htmlFor="many-only">{t('team.manyOnly', { count: users.data?.manySessionsThreshold ?? 5 })}</label>
        </div>
        {users.isPending ? <Loading /> : null}
        {users.data ? (
          <DataTable
            caption={t('team.people')}
            className="people-table"
            empty={t('team.noMatch')}
            rows={shown}
            rowKey={(user) => user.id}
            columns={[
              {
                key: 'person',
                header: t('field.person'),
                rowHeader: true,
                cell: (user) => (
                  <>
                    <span className="person-name">
                      <PersonLink person={user}>{displayName(user)}</PersonLink>
                    </span>
                    {user.role !== 'user' ? <span className="badge badge-neutral">{t(`role.${user.role}`)}</span> : null}
                    {user.disabled ? <span className="badge badge-warning">{t('team.disabled')}</span> : null}
                    {user.manySessions ? <span className="badge badge-warning">{t('team.manySessions')}</span> : null}
                    {user.name && user.name !== user.email ? <span className="person-email">{user.email}</span> : null}
                  </>
                ),
              },
              { key: 'activeSessions', header: t('team.activeSessions'), cell: (user) => f.intl.formatNumber(user.activeSessions) },
              { key: 'lastActive', header: t('field.lastActive'), cell: (user) => (user.lastActiveAt ? <LastActive iso={user.lastActiveAt} /> : t('common.never')) },
            ]}
            actions={(user) => (
              <>
                {detailsOff ? null : (
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={t('team.showSessionsOf', { email: user.email })}
                    onClick={() => {
                      setFilter(user.id);
                      setJump((n) => n + 1);
                    }}
                  >
                    {t('team.showSessions')}
                  </button>
                )}
                {can('sessions:revoke') ? (
                  <button
                    type="button"
                    className="button danger-outline small"
                    aria-label={t('team.signOutPersonLabel', { email: user.email })}
                    disabled={user.activeSessions === 0}
                    onClick={() => setForcing(user)}
                  >
                    {t('team.signOutPerson')}
                  </button>
                ) : null}
                <UserCredentialsButton user={user} />
                {can('users:manage') && user.id !== me.id ? (
                  user.disabled ? (
                    <button
                      type="button"
                      className="button secondary small"
                      aria-label={t('team.enableLabel', { email: user.email })}
                      onClick={() =>
                        void enable.mutateAsync(user.id).then(
                          () => setStatus(t('team.enabledDone', { email: user.email })),
                          (e: unknown) => setStatus(errorText(f, e)),
                        )
                      }
                    >
                      {t('team.enable')}
                    </button>
                  ) : (
                    <button type="button" className="button danger-outline small" aria-label={t('team.disableLabel', { email: user.email })} onClick={() => setDisabling(user)}>
                      {t('team.disable')}
                    </button>
                  )
                ) : null}
              </>
            )}
          />
        ) : null}
      </section>

      {can('sessions:revoke') && !detailsOff ? (
        <RevokeMatching
          onDone={async (message) => {
            setStatus(message);
            await refresh();
          }}
        />
      ) : null}

      {detailsOff ? (
        <section aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">{t('team.allSessions')}</h2>
          <p className="empty">{t('team.detailsOff')}</p>
        </section>
      ) : (
      <section aria-labelledby="sessions-heading">
        <div className="section-head">
          <h2 id="sessions-heading" ref={sessionsHeading} tabIndex={-1}>
            {sessionsTitle}
          </h2>
          <div className="field inline">
            <label htmlFor="user-filter">{t('team.filter')}</label>
            <select id="user-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
              <option value="">{t('team.everyone')}</option>
              {people.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email}
                </option>
              ))}
            </select>
          </div>
        </div>
        {sessions.error ? <LoadError error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
        {sessions.isPending ? <Loading /> : null}
        {sessions.data ? <TeamSessionTable sessions={list} caption={sessionsTitle} empty={t('team.noSessions')} onStatus={setStatus} /> : null}
        {list.length > 0 ? <p className="hint table-note">{t('sessions.locationNote')}</p> : null}
        {sessions.data ? (
          <p className="pager">
            {t(totalCapped ? 'common.showingOfMoreThan' : 'common.showingOf', { shown: list.length, total })}
            {sessions.hasNextPage ? (
              <button type="button" className="button secondary small" onClick={() => void sessions.fetchNextPage()} disabled={sessions.isFetchingNextPage}>
                {sessions.isFetchingNextPage ? t('common.loading') : t('action.loadMore')}
              </button>
            ) : null}
          </p>
        ) : null}
      </section>
      )}

      <DisableDialog person={disabling} onClose={() => setDisabling(null)} onDone={setStatus} />
      <ForceSignOutDialog person={forcing} onClose={() => setForcing(null)} onDone={setStatus} />

      <ConfirmDialog
        open={revokingAll}
        title={t('team.confirmAll.title')}
        confirmLabel={t('team.confirmAll.confirm')}
        autoFocusCancel={false}
        onClose={() => setRevokingAll(false)}
        onConfirm={async (form) => {
          const reason = String(form.get('reason') ?? '').trim();
          const { revoked } = await revokeAll.mutateAsync(reason || undefined);
          signedOut('signIn.notice.everyone', { count: revoked });
        }}
      >
        <p>{t('team.confirmAll.body', { count: activeTotal })}</p>
        <ReasonField required={false} />
      </ConfirmDialog>
    </Page>
  );
}
