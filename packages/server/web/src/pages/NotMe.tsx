import { useMutation } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorMessage } from '../components/Page.tsx';
import { Link } from '../components/Link.tsx';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';

/**
 * Where the "This wasn't me" link of a new-sign-in e-mail leads; works signed out. Opening it changes nothing
 * (a GET never ends sessions): the person confirms with the button.
 */
export function NotMePage() {
  const f = useFmt();
  const { t } = f;
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const report = useMutation({ mutationFn: () => api.reportByLink(token) });
  return (
    <main id="main" className="sign-in">
      <div className="panel">
        <h1>{t('notMe.title')}</h1>
        {report.data ? (
          <>
            <p role="status">{t('notMe.done', { count: report.data.revoked })}</p>
            <p>
              <Link to="/sign-in">{t('notMe.signIn')}</Link>
            </p>
          </>
        ) : (
          <>
            <p>{t('notMe.intro')}</p>
            <button type="button" className="button danger" disabled={report.isPending || !token} onClick={() => report.mutate()}>
              {t('notMe.confirm')}
            </button>
            <ErrorMessage message={report.error ? errorText(f, report.error) : null} />
          </>
        )}
      </div>
    </main>
  );
}
