import type { ReactNode } from 'react';
import { useAuth, useCan } from '../auth.tsx';
import { Footer } from './Footer.tsx';
import { Link } from './Link.tsx';

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout, permissions } = useAuth();
  const can = useCan();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/settings/security/sessions" className="brand">
          Seshat
        </Link>
        <div className="account">
          <span className="account-name" title={user.email}>
            {user.email}
          </span>
          <button type="button" className="button secondary small" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <div className="shell">
        <nav className="sidebar" aria-label="Main">
          <h2 className="nav-heading">Security</h2>
          <ul>
            <li>
              <Link to="/settings/security/sessions">Sessions</Link>
            </li>
            <li>
              <Link to="/settings/security/password">Password</Link>
            </li>
            <li>
              <Link to="/settings/api-keys">API keys</Link>
            </li>
          </ul>
          {permissions.length > 0 ? (
            <>
              <h2 className="nav-heading">Admin</h2>
              <ul>
                <li>
                  <Link to="/admin/sessions">Team sessions</Link>
                </li>
                {can('sessions:manage-settings') || can('audit:read') ? (
                  <li>
                    <Link to="/admin/settings">Session settings</Link>
                  </li>
                ) : null}
                {can('audit:read') ? (
                  <li>
                    <Link to="/admin/audit">Audit log</Link>
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
