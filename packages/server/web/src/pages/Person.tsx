import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, type ApiKey, type Person } from '../api.ts';
import { useAuth, useCan } from '../auth.tsx';
import { ApiKeyTable } from '../components/ApiKeyTable.tsx';
import { AuditTable } from '../components/AuditTable.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Link } from '../components/Link.tsx';
import { LoadError, Loading, Page, Status, type Crumb } from '../components/Page.tsx';
import { DisableDialog, displayName, ForceSignOutDialog, ReasonField } from '../components/PersonDialogs.tsx';
import { PolicyInEffect } from '../components/PolicyInEffect.tsx';
import { TeamSessionTable } from '../components/TeamSessionTable.tsx';
import { DateTime, LastActive } from '../components/Time.tsx';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { adminTrail } from './trails.ts';

const SESSIONS_PAGE = 25;
const RECENT_EVENTS = 10;

/**
 * One person, for administrators (issue 13 item 6): their account, sessions, the policy that applies to them, what
 * the audit log says by or about them, their API keys, and the actions on them. Every section follows the
 * caller's permissions exactly as the team page does (the server decides anyway): sessions need `sessions:view`
 * and `teamSessionAccess` not off (else counts only; each look is audited), events `audit:read`, keys and account
 * changes `users:manage`.
 */
export function PersonPage({ id }: { id: string }) {
  const f = useFmt();
  const { t } = f;
  const person = useQuery({ queryKey: keys.person(id), queryFn: () => api.person(id) });
  // The admin group's first page is the team page, where the people list is.
  const trail = adminTrail(t);

  if (!person.data) {
    return (
      <Page title={t('person.title')} trail={trail}>
        {person.error ? <LoadError error={person.error} onRetry={() => void person.refetch()} /> : <Loading />}
      </Page>
    );
  }
  return <PersonView person={person.data} trail={trail} />;
}

function PersonView({ person, trail }: { person: Person; trail: Crumb[] }) {
  const f = useFmt();
  const { t } = f;
  const can = useCan();
  const [status, setStatus] = useState<string | null>(null);
  return (
    <Page title={displayName(person)} trail={trail}>
      <Status message={status} />
      <Profile person={person} />
      <Actions person={person} onStatus={setStatus} />
      <Sessions person={person} onStatus={setStatus} />
      {can('sessions:manage-settings') || can('audit:read') ? (
        <section aria-labelledby="policy-heading">
          <h2 id="policy-heading">{t('policy.title')}</h2>
          <PolicyInEffect userId={person.id} />
        </section>
      ) : null}
      {can('users:manage') ? <ApiKeys person={person} onStatus={setStatus} /> : null}
      {can('audit:read') ? <RecentEvents person={person} /> : null}
    </Page>
  );
}

function Profile({ person }: { person: Person }) {
  const { t } = useFmt();
  const { user: me } = useAuth();
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">{t('person.profile')}</h2>
      <dl className="facts">
        <div>
          <dt>{t('person.name')}</dt>
          <dd>
            {person.name}
            {person.id === me.id ? <span className="badge badge-current">{t('person.you')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('person.email')}</dt>
          <dd className="wrap-anywhere">{person.email}</dd>
        </div>
        <div>
          <dt>{t('person.role')}</dt>
          <dd>{t(`role.${person.role}`)}</dd>
        </div>
        <div>
          <dt>{t('person.account')}</dt>
          <dd>
            {person.disabledAt ? (
              <>
                <span className="badge badge-warning">{t('team.disabled')}</span> {t('person.since')} <DateTime iso={person.disabledAt} />
              </>
            ) : (
              t('person.enabled')
            )}
            {person.passwordChangeRequired ? <span className="event-detail">{t('person.mustChangePassword')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('person.created')}</dt>
          <dd>
            <DateTime iso={person.createdAt} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** Sign out everywhere, disable or enable, a new password: the team page's dialogs, with the step-up prompt. */
function Actions({ person, onStatus }: { person: Person; onStatus: (message: string) => void }) {
  const f = useFmt();
  const { t } = f;
  const can = useCan();
  const { user: me } = useAuth();
  const queryClient = useQueryClient();
  const [forcing, setForcing] = useState(false);
  const [disabling, setDisabling] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.admin });
  const enable = useMutation({ mutationFn: () => api.enableUser(person.id), onSettled: refresh });
  const reset = useMutation({ mutationFn: () => api.setUserPassword(person.id), onSettled: refresh });

  // Owners are changed only by owners, and nobody disables or resets themselves here (the password page is theirs).
  const manage = can('users:manage') && person.manageable && person.id !== me.id;
  if (!can('sessions:revoke') && !manage) return null;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t('common.actions')}</h2>
      <div className="button-row">
        {can('sessions:revoke') ? (
          // Never disabled: with no session left it still revokes the API keys (containment).
          <button type="button" className="button danger-outline" onClick={() => setForcing(true)}>
            {t('team.signOutPerson')}
          </button>
        ) : null}
        {manage ? (
          // One element for both states, so focus stays on it when Disable turns into Enable.
          <button
            key="account-state"
            type="button"
            className={`button ${person.disabled ? 'secondary' : 'danger-outline'}`}
            disabled={enable.isPending}
            onClick={() =>
              person.disabled
                ? void enable.mutateAsync().then(
                    () => onStatus(t('team.enabledDone', { email: person.email })),
                    (e: unknown) => onStatus(errorText(f, e)),
                  )
                : setDisabling(true)
            }
          >
            {person.disabled ? t('team.enable') : t('team.disable')}
          </button>
        ) : null}
        {manage ? (
          <button type="button" className="button danger-outline" onClick={() => setResetting(true)}>
            {t('credentials.setPassword')}
          </button>
        ) : null}
      </div>
      {password ? (
        <div className="panel new-key" role="status">
          <p>
            {t('person.newPassword', { email: person.email })} <code className="mono">{password}</code>
          </p>
          <button type="button" className="button secondary small" onClick={() => setPassword(null)}>
            {t('apiKeys.done')}
          </button>
        </div>
      ) : null}

      <ForceSignOutDialog person={forcing ? person : null} onClose={() => setForcing(false)} onDone={onStatus} />
      <DisableDialog person={disabling ? person : null} onClose={() => setDisabling(false)} onDone={onStatus} />
      <ConfirmDialog
        open={resetting}
        title={t('person.reset.title', { email: person.email })}
        confirmLabel={t('credentials.setPassword')}
        onClose={() => setResetting(false)}
        onConfirm={async () => {
          const result = await reset.mutateAsync();
          setPassword(result.password ?? null);
          onStatus(t('person.reset.done', { email: person.email, sessions: result.revoked, keys: result.apiKeysRevoked }));
        }}
      >
        <p>{t('credentials.passwordHint')}</p>
      </ConfirmDialog>
    </section>
  );
}

/** Their sessions as the team page lists them; with teamSessionAccess off (or no sessions:view) only the count. */
function Sessions({ person, onStatus }: { person: Person; onStatus: (message: string) => void }) {
  const f = useFmt();
  const { t } = f;
  const can = useCan();
  const sessions = useInfiniteQuery({
    queryKey: keys.teamSessions(person.id),
    queryFn: ({ pageParam }) => api.teamSessions({ user: person.id, limit: SESSIONS_PAGE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: can('sessions:view'),
  });
  const detailsOff = !can('sessions:view') || (sessions.error instanceof ApiError && sessions.error.status === 403);
  const list = sessions.data?.pages.flatMap((p) => p.sessions) ?? [];
  const total = sessions.data?.pages.at(-1)?.total ?? 0;
  // Counted up to 10,000: beyond that the server says only "more than" (an exact count of millions is a scan).
  const totalCapped = sessions.data?.pages.at(-1)?.totalCapped ?? false;
  return (
    <section aria-labelledby="person-sessions-heading">
      <h2 id="person-sessions-heading">{t('nav.sessions')}</h2>
      <p className="stat">
        {t('person.sessionCount', { count: person.activeSessions })}
        {person.lastActiveAt ? (
          <>
            {' · '}
            {t('field.lastActive')}: <LastActive iso={person.lastActiveAt} />
          </>
        ) : null}
        {person.manySessions ? <span className="badge badge-warning">{t('team.manySessions')}</span> : null}
      </p>
      {detailsOff ? (
        <p className="empty">{t('team.detailsOff')}</p>
      ) : (
        <>
          {sessions.error ? <LoadError error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
          {sessions.isPending ? <Loading /> : null}
          <TeamSessionTable sessions={list} caption={t('team.sessionsOf', { email: person.email })} showPerson={false} onStatus={onStatus} />
          {sessions.hasNextPage ? (
            <p className="pager">
              {t(totalCapped ? 'common.showingOfMoreThan' : 'common.showingOf', { shown: list.length, total })}
              <button type="button" className="button secondary small" onClick={() => void sessions.fetchNextPage()} disabled={sessions.isFetchingNextPage}>
                {sessions.isFetchingNextPage ? t('common.loading') : t('action.loadMore')}
              </button>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

/** Names and use of their keys (never a key itself), each revocable with a reason recorded in the audit log. */
function ApiKeys({ person, onStatus }: { person: Person; onStatus: (message: string) => void }) {
  const { t } = useFmt();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: keys.personApiKeys(person.id), queryFn: () => api.userApiKeys(person.id) });
  const revoke = useMutation({
    mutationFn: (v: { id: string; reason: string }) => api.adminRevokeApiKey(v.id, v.reason),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin }),
  });
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // The revoked key's row (and its button) is gone: focus goes to the section, not to the top of the page.
  const [revokedOne, setRevokedOne] = useState(0);
  useEffect(() => {
    if (revokedOne > 0) heading.current?.focus();
  }, [revokedOne]);
  const apiKeys = list.data?.apiKeys;
  return (
    <section aria-labelledby="person-keys-heading">
      <h2 id="person-keys-heading" ref={heading} tabIndex={-1}>
        {t('nav.apiKeys')}
      </h2>
      {list.error ? <LoadError error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.isPending ? <Loading /> : null}
      {apiKeys ? (
        <ApiKeyTable
          apiKeys={apiKeys}
          caption={t('person.keysCaption', { email: person.email })}
          empty={t('credentials.noKeys')}
          // An owner's keys are revoked only by an owner (the server refuses anyone else).
          onRevoke={person.manageable ? setRevoking : undefined}
        />
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title={t('person.revokeKey.title', { name: revoking?.name ?? '' })}
        confirmLabel={t('apiKeys.confirm.confirm')}
        autoFocusCancel={false}
        onClose={() => setRevoking(null)}
        onConfirm={async (form) => {
          if (!revoking) return;
          const reason = String(form.get('reason') ?? '').trim() || t('credentials.revokeReason');
          await revoke.mutateAsync({ id: revoking.id, reason });
          onStatus(t('apiKeys.revoked', { name: revoking.name }));
          setRevokedOne((n) => n + 1);
        }}
      >
        {revoking ? (
          <>
            <p>{t('person.revokeKey.body', { name: revoking.name, prefix: revoking.prefix, email: person.email })}</p>
            <ReasonField required={false} />
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

/** The latest events by or about them; "Show all" opens the audit log filtered to them. */
function RecentEvents({ person }: { person: Person }) {
  const { t } = useFmt();
  const filter = { user: person.id, recent: RECENT_EVENTS };
  const events = useQuery({ queryKey: keys.audit(filter), queryFn: () => api.audit({ user: person.id, limit: RECENT_EVENTS }) });
  return (
    <section aria-labelledby="person-audit-heading">
      <div className="section-head">
        <h2 id="person-audit-heading">{t('person.audit')}</h2>
        <Link to={`/admin/audit?user=${encodeURIComponent(person.id)}`} aria-label={t('person.showAllLabel', { email: person.email })}>
          {t('person.showAll')}
        </Link>
      </div>
      {events.error ? <LoadError error={events.error} onRetry={() => void events.refetch()} /> : null}
      {events.isPending ? <Loading /> : null}
      {events.data ? <AuditTable events={events.data.events} users={[]} caption={t('person.auditCaption', { email: person.email })} /> : null}
    </section>
  );
}
