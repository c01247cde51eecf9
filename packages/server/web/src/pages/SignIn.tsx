import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, type FormEvent } from 'react';
import { api, ApiError, type SignedIn } from '../api.ts';
import type { Notice } from '../notice.ts';
import { Footer } from '../components/Footer.tsx';
import { LocaleSwitcher } from '../components/LocaleSwitcher.tsx';
import { ThemeSwitcher } from '../components/ThemeSwitcher.tsx';
import { LoadError } from '../components/Page.tsx';
import { errorText, waitText } from '../errors.ts';
import { durationText } from '../format.ts';
import { useFmt, type Fmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';

function signInError(f: Fmt, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return f.t('signIn.error.wrong');
    if (error.status === 429) return error.retryAfterSeconds ? f.t('signIn.error.tooManyWait', { wait: waitText(f, error.retryAfterSeconds) }) : f.t('signIn.error.tooMany');
    if (error.status === 400) return f.t('signIn.error.missing');
  }
  return errorText(f, error);
}

/** A notice's sentences, in order ("You were signed out… Reason given: …"). */
function noticeToText(f: Fmt, notice: Notice): string {
  if ('error' in notice) return errorText(f, notice.error);
  const first = f.t(notice.id, notice.values);
  return notice.then ? `${first} ${noticeToText(f, notice.then)}` : first;
}

export function SignInPage({ notice, onSignedIn }: { notice: Notice | null; onSignedIn: (result: SignedIn) => void }) {
  const f = useFmt();
  const { t } = f;
  const options = useQuery({ queryKey: keys.authOptions, queryFn: api.authOptions });
  const login = useMutation({ mutationFn: api.login, onSuccess: onSignedIn });
  const rememberHint = useId();

  useEffect(() => {
    document.title = `${t('signIn.title')} · Seshat`;
  }, [t]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    login.mutate({
      email: String(form.get('email') ?? '').trim(),
      password: String(form.get('password') ?? ''),
      remember: form.get('remember') === 'on',
    });
  }

  const remember = options.data?.rememberMe;
  const noticeText = notice ? noticeToText(f, notice) : null;
  return (
    <div className="auth-layout">
      <div className="auth-top">
        <LocaleSwitcher />
          <ThemeSwitcher />
      </div>
      <main id="main" className="auth-card">
        <p className="brand-large" aria-hidden="true">
          Seshat
        </p>
        <h1>{t('signIn.title')}</h1>
        {noticeText ? (
          <p className="notice" role="status">
            {noticeText}
          </p>
        ) : null}
        {options.error ? <LoadError error={options.error} onRetry={() => void options.refetch()} /> : null}
        <form onSubmit={submit} className="stack">
          <div className="field">
            <label htmlFor="email">{t('signIn.email')}</label>
            <input id="email" name="email" type="email" autoComplete="username" required autoFocus maxLength={254} />
          </div>
          <div className="field">
            <label htmlFor="password">{t('signIn.password')}</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={1024} />
          </div>
          {remember?.enabled ? (
            <div className="checkbox-field">
              <input id="remember" name="remember" type="checkbox" aria-describedby={rememberHint} />
              <div>
                <label htmlFor="remember">{t('signIn.remember', { duration: durationText(f, remember.durationSeconds) })}</label>
                <p id={rememberHint} className="hint warning-text">
                  {t('signIn.rememberHint')}
                </p>
              </div>
            </div>
          ) : null}
          {login.error ? (
            <p className="error" role="alert">
              {signInError(f, login.error)}
            </p>
          ) : null}
          <button type="submit" className="button primary wide" disabled={login.isPending || login.isSuccess}>
            {login.isPending ? t('signIn.busy') : t('signIn.submit')}
          </button>
        </form>
      </main>
      <Footer />
    </div>
  );
}
