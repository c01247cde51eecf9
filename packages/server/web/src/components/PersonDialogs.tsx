import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, InputError, type TeamUser } from '../api.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { ConfirmDialog, DialogList } from './Dialog.tsx';
import { sessionName } from './SessionBits.tsx';
import { LastActive } from './Time.tsx';

/**
 * The dialogs that act on one person, shared by the team page and the person page: sign out everywhere and
 * disable, each with the reason the audit log records. Step-up (the password again) is asked by the API layer
 * over these dialogs when the server wants it; closing returns focus to the button that opened them.
 */

/** Name for people: their name when they have one, else the e-mail. */
export const displayName = (u: { name: string; email: string }) => (u.name && u.name !== u.email ? u.name : u.email);

type Person = Pick<TeamUser, 'id' | 'email' | 'name' | 'activeSessions'>;

const reasonOf = (form: FormData) => String(form.get('reason') ?? '').trim();

export function ReasonField({ required }: { required: boolean }) {
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

/** "Sign {name} out everywhere?": lists the sessions that end (when the caller may see them), reason required. */
export function ForceSignOutDialog({ person, onClose, onDone }: { person: Person | null; onClose: () => void; onDone: (message: string) => void }) {
  const f = useFmt();
  const { t } = f;
  const queryClient = useQueryClient();
  // The person's own list; refused (and then not shown) without sessions:view or with teamSessionAccess off.
  const sessions = useQuery({
    queryKey: keys.personSessions(person?.id ?? ''),
    queryFn: () => api.teamSessions({ user: person!.id, limit: 100 }),
    enabled: person !== null,
  });
  const force = useMutation({
    mutationFn: (v: { id: string; reason: string }) => api.forceSignOut(v.id, v.reason),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin }),
  });
  return (
    <ConfirmDialog
      open={person !== null}
      title={person ? t('team.confirmPerson.title', { name: displayName(person) }) : ''}
      confirmLabel={t('team.confirmPerson.confirm', { count: person?.activeSessions ?? 0 })}
      autoFocusCancel={false}
      onClose={onClose}
      onConfirm={async (form) => {
        if (!person) return;
        const reason = reasonOf(form);
        if (!reason) throw new InputError('team.reasonMissing');
        const { revoked } = await force.mutateAsync({ id: person.id, reason });
        onDone(t('team.signedOutPerson', { name: displayName(person), count: revoked }));
      }}
    >
      {person ? (
        <>
          <p>{t('team.confirmPerson.body', { name: displayName(person), email: person.email, count: person.activeSessions })}</p>
          {sessions.data ? (
            <DialogList label={t('team.confirmPerson.listLabel', { count: sessions.data.sessions.length })}>
              {sessions.data.sessions.map((s) => (
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
  );
}

/** "Disable {email}?": every session ends and the API keys are revoked; reason required. */
export function DisableDialog({ person, onClose, onDone }: { person: Person | null; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useFmt();
  const queryClient = useQueryClient();
  const disable = useMutation({
    mutationFn: (v: { id: string; reason: string }) => api.disableUser(v.id, v.reason),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin }),
  });
  return (
    <ConfirmDialog
      open={person !== null}
      title={t('team.disableTitle', { email: person?.email ?? '' })}
      confirmLabel={t('team.disableConfirm')}
      autoFocusCancel={false}
      onClose={onClose}
      onConfirm={async (form) => {
        if (!person) return;
        const reason = reasonOf(form);
        if (!reason) throw new InputError('team.reasonMissing');
        const { revoked } = await disable.mutateAsync({ id: person.id, reason });
        onDone(t('team.disabledDone', { email: person.email, count: revoked }));
      }}
    >
      {person ? (
        <>
          <p>{t('team.disableBody', { name: displayName(person) })}</p>
          <ReasonField required />
        </>
      ) : null}
    </ConfirmDialog>
  );
}
