import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, type Session } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ConfirmDialog, DialogList } from '../components/Dialog.tsx';
import { LoadError, Loading, Page } from '../components/Page.tsx';
import { SessionCard } from '../components/SessionCard.tsx';
import { sessionName } from '../components/SessionBits.tsx';
import { LastActive } from '../components/Time.tsx';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { accountTrail } from './trails.ts';

/** What the last action did, shown (and focused) where it happened: in place of the card, or at the list's head. */
type Done = { at: number; text: string } | { at: 'head'; text: string };

export function SessionsPage() {
  const f = useFmt();
  const { t } = f;
  const { logout } = useAuth();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: keys.sessions, queryFn: api.sessions });
  const options = useQuery({ queryKey: keys.authOptions, queryFn: api.authOptions, staleTime: Infinity });
  const helpUrl = options.data?.helpUrl ?? null;
  const [revoking, setRevoking] = useState<Session | null>(null);
  const [revokingOthers, setRevokingOthers] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const doneRef = useRef<HTMLElement>(null);
  useEffect(() => doneRef.current?.focus(), [done]);

  const revoke = useMutation({ mutationFn: api.revokeSession, onSettled: () => queryClient.invalidateQueries({ queryKey: keys.sessions }) });
  const revokeOthers = useMutation({ mutationFn: api.revokeOtherSessions, onSettled: () => queryClient.invalidateQueries({ queryKey: keys.sessions }) });

  const list = sessions.data?.sessions ?? [];
  const current = list.find((s) => s.current) ?? null;
  const others = list.filter((s) => !s.current);

  const notice = (text: string) => (
    <p className="notice done" tabIndex={-1} ref={doneRef as React.RefObject<HTMLParagraphElement>} role="status">
      {text}
    </p>
  );

  return (
    <Page
      title={t('sessions.title')}
      trail={accountTrail(t)}
      intro={
        <>
          {t('sessions.intro')}
          {helpUrl ? (
            <>
              {' '}
              <a href={helpUrl} rel="noopener" target="_blank">
                {t('sessions.learnMore')}
              </a>
            </>
          ) : null}
        </>
      }
    >
      {sessions.error ? <LoadError error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
      {sessions.isPending ? <Loading /> : null}
      {sessions.data ? (
        <>
          {current ? (
            <section aria-labelledby="this-device-heading" className="session-group">
              <h2 id="this-device-heading">{t('sessions.thisDevice')}</h2>
              <ul className="session-list">
                <SessionCard session={current} onSignOut={() => void logout()} onSignOutOthers={others.length > 0 ? () => setRevokingOthers(true) : undefined} />
              </ul>
            </section>
          ) : null}
          <section aria-labelledby="others-heading" className="session-group">
            <div className="section-head">
              <h2 id="others-heading">{t('sessions.othersHeading', { count: others.length })}</h2>
              {others.length > 0 ? (
                <button type="button" className="button danger small" onClick={() => setRevokingOthers(true)}>
                  {t('sessions.signOutOthers')}
                </button>
              ) : null}
            </div>
            {done?.at === 'head' ? notice(done.text) : null}
            {others.length === 0 && done?.at !== 'head' ? <p className="empty">{t('sessions.noOthers')}</p> : null}
            {others.length > 0 || (done && done.at !== 'head') ? (
              <ul className="session-list">
                {others.map((session, index) => (
                  <SessionItemWithNotice key={session.id} show={done !== null && done.at === index} notice={done ? notice(done.text) : null}>
                    <SessionCard
                      session={session}
                      onSignOut={() => setRevoking(session)}
                      onSignOutOthers={() => setRevokingOthers(true)}
                    />
                  </SessionItemWithNotice>
                ))}
                {done !== null && done.at !== 'head' && done.at >= others.length ? <li className="notice-item">{notice(done.text)}</li> : null}
              </ul>
            ) : null}
          </section>
          <p className="hint">{t('sessions.locationNote')}</p>
        </>
      ) : null}

      <ConfirmDialog
        open={revoking !== null}
        title={t('sessions.confirmOne.title')}
        confirmLabel={t('action.signOut')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const index = others.findIndex((s) => s.id === revoking.id);
          await revoke.mutateAsync(revoking.id);
          setDone({ at: Math.max(0, index), text: t('sessions.signedOutOne', { name: sessionName(f, revoking) }) });
        }}
      >
        {revoking ? <p>{t('sessions.confirmOne.body', { name: sessionName(f, revoking) })}</p> : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={revokingOthers}
        title={t('sessions.confirmOthers.title')}
        confirmLabel={t('sessions.confirmOthers.confirm', { count: others.length })}
        onClose={() => setRevokingOthers(false)}
        onConfirm={async () => {
          const { revoked } = await revokeOthers.mutateAsync();
          setDone({ at: 'head', text: t('sessions.signedOutOthers', { count: revoked }) });
        }}
      >
        <p>{t('sessions.confirmOthers.body', { count: others.length })}</p>
        <DialogList label={t('sessions.confirmOthers.listLabel', { count: others.length })}>
          {others.map((s) => (
            <li key={s.id}>
              {sessionName(f, s)} · <LastActive iso={s.lastActiveAt} />
            </li>
          ))}
        </DialogList>
      </ConfirmDialog>
    </Page>
  );
}

/** The "Signed out …" notice takes the place of the card that was signed out, so it is where the eye and focus were. */
function SessionItemWithNotice({ show, notice, children }: { show: boolean; notice: React.ReactNode; children: React.ReactNode }) {
  return (
    <>
      {show ? <li className="notice-item">{notice}</li> : null}
      {children}
    </>
  );
}
