import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, describeError, type AuthOptions, type SignedIn } from '../api.ts';
import { Footer } from '../components/Footer.tsx';
import { durationText } from '../format.ts';

function signInError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'The e-mail address or password is not correct.';
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait ? `Too many sign-in attempts. Try again in ${wait < 60 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}.` : 'Too many sign-in attempts. Try again in a minute.';
    }
    if (error.status === 400) return 'Enter your e-mail address and password.';
  }
  return describeError(error);
}

export function SignInPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: (result: SignedIn) => void }) {
  const [options, setOptions] = useState<AuthOptions | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rememberHint = useId();

  useEffect(() => {
    document.title = 'Sign in · Seshat';
    api.authOptions().then(setOptions, (e: unknown) => setError(describeError(e)));
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await api.login({
          email: String(form.get('email') ?? '').trim(),
          password: String(form.get('password') ?? ''),
          remember: form.get('remember') === 'on',
        }),
      );
    } catch (e) {
      setError(signInError(e));
      setBusy(false);
    }
  }

  const remember = options?.rememberMe;
  return (
    <div className="auth-layout">
      <main id="main" className="auth-card">
        <p className="brand-large" aria-hidden="true">
          Seshat
        </p>
        <h1>Sign in</h1>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} className="stack">
          <div className="field">
            <label htmlFor="email">E-mail address</label>
            <input id="email" name="email" type="email" autoComplete="username" required autoFocus maxLength={254} />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={1024} />
          </div>
          {remember?.enabled ? (
            <div className="checkbox-field">
              <input id="remember" name="remember" type="checkbox" aria-describedby={rememberHint} />
              <div>
                <label htmlFor="remember">Keep me signed in for {durationText(remember.durationSeconds)}</label>
                <p id={rememberHint} className="hint warning-text">
                  Don't use this on a shared or public device: anyone using it afterwards stays signed in as you.
                </p>
              </div>
            </div>
          ) : null}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="button primary wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
      <Footer />
    </div>
  );
}
