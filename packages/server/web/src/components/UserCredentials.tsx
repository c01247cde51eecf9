import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type User } from '../api.ts';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { Modal } from './Dialog.tsx';

/**
 * Containment tools for one person (issue 14.16, 14.17), for administrators: their API keys (revoke one), a new
 * password they must change at the next sign-in (shown once; their sessions and keys end), and their role.
 * Each change may ask for the administrator's password first (step-up).
 */
export function UserCredentialsButton({ user }: { user: Pick<User, 'id' | 'email' | 'role'> }) {
  const f = useFmt();
  const { t } = f;
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const keyList = useQuery({ queryKey: keys.personApiKeys(user.id), queryFn: () => api.userApiKeys(user.id), enabled: open });
  const refresh = () => void queryClient.invalidateQueries();
  const revokeKey = useMutation({ mutationFn: (keyId: string) => api.adminRevokeApiKey(keyId, t('credentials.revokeReason')), onSettled: refresh });
  const reset = useMutation({ mutationFn: () => api.setUserPassword(user.id), onSettled: refresh });
  const role = useMutation({ mutationFn: (next: User['role']) => api.setUserRole(user.id, next), onSettled: refresh });
  const error = revokeKey.error ?? reset.error ?? role.error ?? keyList.error;

  return (
    <>
      <button type="button" className="button secondary small" aria-label={t('credentials.openLabel', { email: user.email })} onClick={() => setOpen(true)}>
        {t('credentials.open')}
      </button>
      <Modal open={open} title={t('credentials.title', { email: user.email })} onClose={() => setOpen(false)}>
        <div className="dialog-body stack">
          <h3>{t('credentials.apiKeys')}</h3>
          {keyList.data && keyList.data.apiKeys.length === 0 ? <p className="empty">{t('credentials.noKeys')}</p> : null}
          <ul className="plain-list">
            {keyList.data?.apiKeys.map((key) => (
              <li key={key.id}>
                <span className="mono">{key.prefix}…</span> {key.name}{' '}
                <button type="button" className="button danger-outline small" disabled={revokeKey.isPending} onClick={() => revokeKey.mutate(key.id)}>
                  {t('credentials.revokeKey')}
                </button>
              </li>
            ))}
          </ul>
          <h3>{t('credentials.password')}</h3>
          <p className="hint">{t('credentials.passwordHint')}</p>
          <button type="button" className="button danger-outline small" disabled={reset.isPending} onClick={() => reset.mutate()}>
            {t('credentials.setPassword')}
          </button>
          {reset.data?.password ? (
            <p role="status">
              {t('credentials.newPassword')} <code className="mono">{reset.data.password}</code>
            </p>
          ) : null}
          <h3>{t('credentials.role')}</h3>
          <button type="button" className="button secondary small" disabled={role.isPending} onClick={() => role.mutate(user.role === 'admin' ? 'user' : 'admin')}>
            {user.role === 'admin' ? t('credentials.makeUser') : t('credentials.makeAdmin')}
          </button>
          {error ? (
            <p className="error" role="alert">
              {errorText(f, error)}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={() => setOpen(false)} data-autofocus="">
            {t('credentials.close')}
          </button>
        </div>
      </Modal>
    </>
  );
}
