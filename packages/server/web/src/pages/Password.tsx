import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { accountTrail } from './trails.ts';

/** `required`: the account must choose a new password before anything else (403 `…/password-change-required`). */
export function PasswordPage({ required = false, onChanged }: { required?: boolean; onChanged?: () => void } = {}) {
  const f = useFmt();
  const { t } = f;
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({ mutationFn: api.changePassword, onSuccess: () => onChanged?.() });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = String(form.get('newPassword') ?? '');
    change.reset();
    if (newPassword !== form.get('confirmPassword')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword: String(form.get('currentPassword') ?? ''), newPassword, signOutOtherSessions: form.get('signOutOtherSessions') === 'on' },
      { onSuccess: () => formElement.reset() },
    );
  }

  return (
    <Page title={t('password.title')} trail={accountTrail(t)}>
      {required ? (
        <p className="notice" role="status">
          {t('password.required')}
        </p>
      ) : null}
      <form className="panel stack narrow" onSubmit={submit}>
        <div className="field">
          <label htmlFor="currentPassword">{t('password.current')}</label>
          <input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required maxLength={1024} />
        </div>
        <div className="field">
          <label htmlFor="newPassword">{t('password.new')}</label>
          <input id="newPassword" name="newPassword" type="password" autoComplete="new-password" required minLength={15} maxLength={1024} aria-describedby="newPassword-hint" />
          <p id="newPassword-hint" className="hint">
            {t('password.newHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="confirmPassword">{t('password.repeat')}</label>
          <input id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" required minLength={15} maxLength={1024} />
        </div>
        <div className="checkbox-field">
          <input id="signOutOtherSessions" name="signOutOtherSessions" type="checkbox" defaultChecked />
          <label htmlFor="signOutOtherSessions">{t('password.signOutOthers')}</label>
        </div>
        <ErrorMessage message={mismatch ? t('password.mismatch') : change.error ? errorText(f, change.error) : null} />
        <Status message={change.data ? t('password.changed', { count: change.data.revoked }) : null} />
        <div>
          <button type="submit" className="button primary" disabled={change.isPending}>
            {change.isPending ? t('password.busy') : t('password.submit')}
          </button>
        </div>
      </form>
    </Page>
  );
}
