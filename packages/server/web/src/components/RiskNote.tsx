import type { Session } from '../api.ts';
import { riskLine, riskReasons } from '../risk-text.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { WarningIcon } from './Icons.tsx';
import { Link } from './Link.tsx';

/**
 * One short line for a flagged sign-in, the reasons behind "Why?", and actions that exist. Warnings people
 * see on every card teach them to ignore warnings: a new device alone is not flagged (the library decides
 * that), and the current device gets advice that fits it (you are holding it).
 */
export function RiskNote({ session, onSignOut, onSignOutOthers }: { session: Session; onSignOut: () => void; onSignOutOthers?: (() => void) | undefined }) {
  const f = useFmt();
  const { t } = f;
  const risk = session.risk;
  if (!risk?.suspicious) return null;
  return (
    <div className="risk">
      <p className="risk-line">
        <WarningIcon /> {riskLine(f, session)}
      </p>
      <details className="risk-why">
        <summary>{t('risk.why')}</summary>
        <ul>
          {riskReasons(f, session, risk).map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        <p>{t(session.current ? 'risk.adviceCurrent' : 'risk.advice')}</p>
        <div className="risk-actions">
          {session.current ? null : (
            <button type="button" className="button danger small" onClick={onSignOut}>
              {t('risk.signOutThis')}
            </button>
          )}
          {onSignOutOthers ? (
            <button type="button" className="button secondary small" onClick={onSignOutOthers}>
              {t('sessions.signOutOthers')}
            </button>
          ) : null}
          <Link to="/settings/security/password" className="button secondary small">
            {t('risk.changePassword')}
          </Link>
        </div>
      </details>
    </div>
  );
}
