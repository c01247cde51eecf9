import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, onStepUpRequired } from '../api.ts';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { Modal } from './Dialog.tsx';

/**
 * Step-up (issue 10.3): when an action answers 401 `…/reauthentication-required`, asks for the password over the
 * dialog the person is in, and the action goes on by itself once the server accepts it. Cancel leaves the action
 * refused (its dialog shows the error). Mounted once, for signed-in pages.
 */
export function StepUpPrompt() {
  const f = useFmt();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const settle = useRef<((ok: boolean) => void) | null>(null);

  useEffect(
    () =>
      onStepUpRequired(
        () =>
          new Promise<boolean>((resolve) => {
            settle.current = resolve;
            setError(null);
            setBusy(false);
            setOpen(true);
          }),
      ),
    [],
  );

  function finish(ok: boolean) {
    setOpen(false);
    settle.current?.(ok);
    settle.current = null;
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.reauthenticate(String(new FormData(event.currentTarget).get('password') ?? ''));
      finish(true);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={f.t('stepUp.title')} onClose={() => finish(false)}>
      <form onSubmit={submit} className="dialog-form">
        <div className="dialog-body">
          <p>{f.t('stepUp.explain')}</p>
          <div className="field">
            <label htmlFor="step-up-password">{f.t('signIn.password')}</label>
            <input id="step-up-password" name="password" type="password" autoComplete="current-password" required maxLength={1024} data-autofocus="" />
          </div>
        </div>
        {error ? (
          <p className="error" role="alert">
            {errorText(f, error)}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={() => finish(false)}>
            {f.t('action.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? f.t('common.working') : f.t('stepUp.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
