import type { ReactNode } from 'react';
import { useAuth, useCan } from '../auth.tsx';
import { useT } from '../i18n/I18n.tsx';
import { Footer } from './Footer.tsx';
import { Link } from './Link.tsx';
import { LocaleSwitcher } from './LocaleSwitcher.tsx';
import { ThemeSwitcher } from './ThemeSwitcher.tsx';

export const HOME = '/settings/security/sessions';

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout, permissions } = useAuth();
  const can = useCan();
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
          {permissions.length > 0 ? (
            <>
              <h2 className="nav-heading">{t('nav.admin')}</h2>
              <ul>
                {can('sessions:view') || can('users:manage') ? (
                  <li>
                    <Link to="/admin/overview">{t('nav.overview')}</Link>
                  </li>
                ) : null}
                <li>
                  <Link to="/admin/sessions">{t('nav.teamSessions')}</Link>
                </li>
                {can('sessions:manage-settings') || can('audit:read') ? (
                  <li>
                    <Link to="/admin/settings">{t('nav.sessionSettings')}</Link>
                  </li>
                ) : null}
                {can('audit:read') ? (
                  <li>
                    <Link to="/admin/audit">{t('nav.audit')}</Link>
                  </li>
                ) : null}
                {can('audit:read') ? (
                  <li>
                    {/* Sessions people reported with "This wasn't me" (issue #10 item 4): the audit log, filtered. */}
                    <Link to="/admin/audit?action=session.reported">{t('nav.reported')}</Link>
                  </li>
                ) : null}
                {can('sessions:manage-settings') ? (
                  <li>
                    <Link to="/admin/webhooks">{t('nav.webhooks')}</Link>
                  </li>
                ) : null}
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
