import { useState, type FormEvent } from 'react';
import { api, describeError } from '../api.ts';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';

export function PasswordPage() {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = String(form.get('newPassword') ?? '');
    setStatus(null);
    if (newPassword !== form.get('confirmPassword')) {
      setError('The new passwords do not match.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { revoked } = await api.changePassword({
        currentPassword: String(form.get('currentPassword') ?? ''),
        newPassword,
        signOutOtherSessions: form.get('signOutOtherSessions') === 'on',
      });
      formElement.reset();
      setStatus(`Your password was changed.${revoked > 0 ? ` ${revoked} other ${revoked === 1 ? 'session was' : 'sessions were'} signed out.` : ''}`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Change password" trail={['Settings', 'Security']}>
      <form className="panel stack narrow" onSubmit={submit}>
        <div className="field">
          <label htmlFor="currentPassword">Current password</label>
          <input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required maxLength={1024} />
        </div>
        <div className="field">
          <label htmlFor="newPassword">New password</label>
          <input id="newPassword" name="newPassword" type="password" autoComplete="new-password" required minLength={8} maxLength={1024} aria-describedby="newPassword-hint" />
          <p id="newPassword-hint" className="hint">
            At least 8 characters.
          </p>
        </div>
        <div className="field">
          <label htmlFor="confirmPassword">Repeat new password</label>
          <input id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" required minLength={8} maxLength={1024} />
        </div>
        <div className="checkbox-field">
          <input id="signOutOtherSessions" name="signOutOtherSessions" type="checkbox" defaultChecked />
          <label htmlFor="signOutOtherSessions">Sign out all other sessions</label>
        </div>
        <ErrorMessage message={error} />
        <Status message={status} />
        <div>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </Page>
  );
}
