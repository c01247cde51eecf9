import type { ReactNode } from 'react';
import { useAuth } from '../auth.tsx';
import { useT } from '../i18n/I18n.tsx';
import { Footer } from './Footer.tsx';
import { Link } from './Link.tsx';
import { LocaleSwitcher } from './LocaleSwitcher.tsx';
import { ThemeSwitcher } from './ThemeSwitcher.tsx';

export const HOME = '/settings/security/sessions';

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout } = useAuth();
  const t = useT();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link to={HOME} className="brand">
          Seshat
        </Link>
        <div className="account">
          <span className="account-name" title={user.email}>
            {user.email}
          </span>
          <LocaleSwitcher />
          <ThemeSwitcher />
          <button type="button" className="button secondary small" onClick={() => void logout()}>
            {t('action.signOut')}
          </button>
        </div>
      </header>
      <div className="shell">
        <nav className="sidebar" aria-label={t('nav.main')}>
          <h2 className="nav-heading">{t('nav.account')}</h2>
          <ul>
            <li>
              <Link to={HOME}>{t('nav.sessions')}</Link>
            </li>
            <li>
              <Link to="/settings/security/password">{t('nav.password')}</Link>
            </li>
            <li>
              <Link to="/settings/security/activity">{t('nav.activity')}</Link>
            </li>
            <li>
              <Link to="/settings/api-keys">{t('nav.apiKeys')}</Link>
            </li>
          </ul>
          {user.role === 'admin' ? (
            <>
              <h2 className="nav-heading">{t('nav.admin')}</h2>
              <ul>
                <li>
                  <Link to="/admin/sessions">{t('nav.teamSessions')}</Link>
                </li>
                <li>
                  <Link to="/admin/settings">{t('nav.sessionSettings')}</Link>
                </li>
                <li>
                  <Link to="/admin/audit">{t('nav.audit')}</Link>
                </li>
                <li>
                  <Link to="/admin/webhooks">{t('nav.webhooks')}</Link>
                </li>
              </ul>
            </>
          ) : null}
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
      <Footer />
    </div>
  );
}
