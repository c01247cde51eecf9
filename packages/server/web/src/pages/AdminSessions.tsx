import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, InputError, type TeamSession, type TeamUser } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog, DialogList } from '../components/Dialog.tsx';
import { UserCredentialsButton } from '../components/UserCredentials.tsx';
import { DeviceIcon } from '../components/Icons.tsx';
import { LoadError, Loading, Page, Status } from '../components/Page.tsx';
import { BoundBadge, Place, sessionName, SuspiciousBadge } from '../components/SessionBits.tsx';
import { LastActive } from '../components/Time.tsx';
import { deviceLabel } from '../device.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { useSearchParam } from '../router.ts';
import { adminTrail } from './trails.ts';

const PAGE_SIZE = 25;

/** Name for people: their name when they have one, else the e-mail. */
const displayName = (u: { name: string; email: string }) => (u.name && u.name !== u.email ? u.name : u.email);

export function AdminSessionsPage() {
  const f = useFmt();
  const { t } = f;
  const { signedOut } = useAuth();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useSearchParam('user');
  const [search, setSearch] = useSearchParam('q');
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<TeamSession | null>(null);
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
  // Forced sign-out lists the sessions that will end: the person's own list.
  const forcingSessions = useQuery({
    queryKey: keys.personSessions(forcing?.id ?? ''),
    queryFn: () => api.teamSessions({ user: forcing!.id, limit: 100 }),
    enabled: forcing !== null,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.admin });

  // "Show sessions": the result is further down the page; take the eye and the focus there.
  useEffect(() => {
    if (jump === 0) return;
    sessionsHeading.current?.scrollIntoView({ block: 'start' });
    sessionsHeading.current?.focus();
  }, [jump]);

  const revoke = useMutation({ mutationFn: (v: { id: string; reason?: string }) => api.adminRevokeSession(v.id, v.reason), onSettled: refresh });
  const force = useMutation({ mutationFn: (v: { id: string; reason: string }) => api.forceSignOut(v.id, v.reason), onSettled: refresh });
  const revokeAll = useMutation({ mutationFn: (reason?: string) => api.revokeAllSessions(reason) });

  const people = users.data?.users ?? [];
  const needle = search.trim().toLowerCase();
  const shown = needle ? people.filter((u) => u.email.toLowerCase().includes(needle) || u.name.toLowerCase().includes(needle)) : people;
  const filteredUser = people.find((u) => u.id === filter);
  const list = sessions.data?.pages.flatMap((p) => p.sessions) ?? [];
  const total = sessions.data?.pages.at(-1)?.total ?? 0;
  const activeTotal = users.data?.totalActiveSessions ?? 0;

  return (
    <Page
      title={t('team.title')}
      trail={adminTrail(t)}
      actions={
        <button type="button" className="button danger" onClick={() => setRevokingAll(true)} disabled={activeTotal === 0}>
          {t('team.signOutEveryone')}
        </button>
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
        {users.isPending ? <Loading /> : null}
        {users.data && shown.length === 0 ? <p className="empty">{t('team.noMatch')}</p> : null}
        {shown.length > 0 ? (
          <table className="table stack-on-mobile people-table">
            <thead>
              <tr>
                <th scope="col">{t('field.person')}</th>
                <th scope="col">{t('team.activeSessions')}</th>
                <th scope="col">{t('field.lastActive')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((user) => (
                <tr key={user.id}>
                  <th scope="row" data-label={t('field.person')}>
                    <span className="person-name">{displayName(user)}</span>
                    {user.role === 'admin' ? <span className="badge badge-neutral">{t('role.admin')}</span> : null}
                    {user.name && user.name !== user.email ? <span className="person-email">{user.email}</span> : null}
                  </th>
                  <td data-label={t('team.activeSessions')}>{f.intl.formatNumber(user.activeSessions)}</td>
                  <td data-label={t('field.lastActive')}>{user.lastActiveAt ? <LastActive iso={user.lastActiveAt} /> : t('common.never')}</td>
                  <td className="actions">
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
                    <button
                      type="button"
                      className="button danger-outline small"
                      aria-label={t('team.signOutPersonLabel', { email: user.email })}
                      disabled={user.activeSessions === 0}
                      onClick={() => setForcing(user)}
                    >
                      {t('team.signOutPerson')}
                    </button>
                    <UserCredentialsButton user={user} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section aria-labelledby="sessions-heading">
        <div className="section-head">
          <h2 id="sessions-heading" ref={sessionsHeading} tabIndex={-1}>
            {filteredUser ? t('team.sessionsOf', { email: filteredUser.email }) : t('team.allSessions')}
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
        {sessions.data && list.length === 0 ? <p className="empty">{t('team.noSessions')}</p> : null}
        {list.length > 0 ? (
          <table className="table stack-on-mobile team-table">
            <thead>
              <tr>
                <th scope="col">{t('field.person')}</th>
                <th scope="col">{t('field.device')}</th>
                <th scope="col">{t('field.location')}</th>
                <th scope="col">{t('field.ip')}</th>
                <th scope="col">{t('field.lastActive')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id}>
                  <th scope="row" data-label={t('field.person')} className="wrap-anywhere">
                    {s.user.email}
                  </th>
                  <td data-label={t('field.device')}>
                    <span className="device-cell">
                      <DeviceIcon type={s.device.deviceType} />
                      {deviceLabel(f, s.device)}
                    </span>
                    {s.current ? <span className="badge badge-current">{t('sessions.thisDeviceBadge')}</span> : null}
                    <SuspiciousBadge risk={s.risk} />
                    <BoundBadge session={s} />
                  </td>
                  <td data-label={t('field.location')}>
                    <Place location={s.location} ip={s.ip} />
                  </td>
                  <td data-label={t('field.ip')} className="mono ip">
                    {s.ip ?? t('common.unknown')}
                  </td>
                  <td data-label={t('field.lastActive')}>
                    <LastActive iso={s.lastActiveAt} />
                  </td>
                  <td className="actions">
                    {s.current ? null : (
                      <button
                        type="button"
                        className="button danger-outline small"
                        aria-label={t('team.signOutSessionLabel', { email: s.user.email, name: sessionName(f, s) })}
                        onClick={() => setRevoking(s)}
                      >
                        {t('action.signOut')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {list.length > 0 ? <p className="hint table-note">{t('sessions.locationNote')}</p> : null}
        {sessions.data ? (
          <p className="pager">
            {t('common.showingOf', { shown: list.length, total })}
            {sessions.hasNextPage ? (
              <button type="button" className="button secondary small" onClick={() => void sessions.fetchNextPage()} disabled={sessions.isFetchingNextPage}>
                {sessions.isFetchingNextPage ? t('common.loading') : t('action.loadMore')}
              </button>
            ) : null}
          </p>
        ) : null}
      </section>

      <ConfirmDialog
        open={revoking !== null}
        title={t('team.confirmSession.title')}
        confirmLabel={t('team.confirmSession.confirm')}
        autoFocusCancel={false}
        onClose={() => setRevoking(null)}
        onConfirm={async (form) => {
          if (!revoking) return;
          const reason = String(form.get('reason') ?? '').trim();
          await revoke.mutateAsync({ id: revoking.id, ...(reason ? { reason } : {}) });
          setStatus(t('team.signedOutSession', { email: revoking.user.email, name: sessionName(f, revoking) }));
        }}
      >
        {revoking ? (
          <>
            <p>{t('team.confirmSession.body', { email: revoking.user.email, name: sessionName(f, revoking) })}</p>
            <ReasonField required={false} />
          </>
        ) : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={forcing !== null}
        title={forcing ? t('team.confirmPerson.title', { name: displayName(forcing) }) : ''}
        confirmLabel={t('team.confirmPerson.confirm', { count: forcing?.activeSessions ?? 0 })}
        autoFocusCancel={false}
        onClose={() => setForcing(null)}
        onConfirm={async (form) => {
          if (!forcing) return;
          const reason = String(form.get('reason') ?? '').trim();
          if (!reason) throw new InputError('team.reasonMissing');
          const { revoked } = await force.mutateAsync({ id: forcing.id, reason });
          setStatus(t('team.signedOutPerson', { name: displayName(forcing), count: revoked }));
        }}
      >
        {forcing ? (
          <>
            <p>{t('team.confirmPerson.body', { name: displayName(forcing), email: forcing.email, count: forcing.activeSessions })}</p>
            {forcingSessions.data ? (
              <DialogList label={t('team.confirmPerson.listLabel', { count: forcingSessions.data.sessions.length })}>
                {forcingSessions.data.sessions.map((s) => (
                  <li key={s.id}>
                    {sessionName(f, s)} · <LastActive iso={s.lastActiveAt} />
                  </li>
                ))}
              </DialogList>
            ) : null}
            <ReasonField required />
          </>
        ) : null}
      </ConfirmDialog>

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

function ReasonField({ required }: { required: boolean }) {
  const { t } = useFmt();
  return (
    <div className="field">
      <label htmlFor="reason">
        {t('reason.label')} {required ? <span className="required">{t('reason.required')}</span> : <span className="hint">{t('reason.optional')}</span>}
      </label>
      <textarea id="reason" name="reason" rows={3} maxLength={500} required={required} data-autofocus="" aria-describedby="reason-hint" />
      <p id="reason-hint" className="hint">
        {t(required ? 'reason.hintRequired' : 'reason.hint')}
      </p>
    </div>
  );
}
