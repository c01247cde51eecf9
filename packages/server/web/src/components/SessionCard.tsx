import type { Session } from '../api.ts';
import { deviceKind, deviceLabel } from '../device.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { DeviceIcon } from './Icons.tsx';
import { Link } from './Link.tsx';
import { BoundBadge, Place, sessionName } from './SessionBits.tsx';
import { RiskNote } from './RiskNote.tsx';
import { DateTime, LastActive } from './Time.tsx';

/** One session of your own: what it is, where and when, and what you can do about it. */
export function SessionCard({ session, onSignOut, onSignOutOthers }: { session: Session; onSignOut: () => void; onSignOutOthers?: (() => void) | undefined }) {
  const f = useFmt();
  const { t } = f;
  const titleId = `session-${session.id}`;
  const name = sessionName(f, session);
  return (
    <li className={`session-card${session.current ? ' current' : ''}${session.risk?.suspicious ? ' suspicious' : ''}`} aria-labelledby={titleId}>
      <div className="session-icon">
        <DeviceIcon type={session.device.deviceType} />
      </div>
      <div className="session-main">
        <h3 className="session-title" id={titleId}>
          <span className="session-label">{deviceLabel(f, session.device)}</span>
          {session.current ? <span className="badge badge-current">{t('sessions.thisDeviceBadge')}</span> : null}
          {session.persistent ? <span className="badge badge-neutral">{t('sessions.keptSignedIn')}</span> : null}
          <BoundBadge session={session} />
        </h3>
        <dl className="facts">
          <div>
            <dt>{t('field.device')}</dt>
            <dd>{deviceKind(t, session.device)}</dd>
          </div>
          <div>
            <dt>{t('field.location')}</dt>
            <dd>
              <Place location={session.location} ip={session.ip} />
            </dd>
          </div>
          {session.network ? (
            <div>
              <dt>{t('field.network')}</dt>
              <dd className="wrap-anywhere">{session.network}</dd>
            </div>
          ) : null}
          <div>
            <dt>{t('field.ip')}</dt>
            <dd className="mono">{session.ip ?? t('common.unknown')}</dd>
          </div>
          <div>
            <dt>{t('field.signedIn')}</dt>
            <dd>
              <DateTime iso={session.createdAt} />
            </dd>
          </div>
          <div>
            <dt>{t('field.lastActive')}</dt>
            <dd>
              <LastActive iso={session.lastActiveAt} />
            </dd>
          </div>
          <div>
            <dt>{t('field.token')}</dt>
            <dd className="mono">{session.tokenHint}</dd>
          </div>
        </dl>
        <RiskNote session={session} onSignOut={onSignOut} onSignOutOthers={onSignOutOthers} />
      </div>
      <div className="session-actions">
        <Link
          to={`/settings/security/sessions/${encodeURIComponent(session.id)}`}
          className="button secondary small"
          aria-label={t(session.current ? 'sessions.detailsOfCurrent' : 'sessions.detailsOf', { name })}
        >
          {t('action.details')}
        </Link>
        <button
          type="button"
          className={`button small ${session.current ? 'secondary' : 'danger-outline'}`}
          onClick={onSignOut}
          aria-label={t(session.current ? 'sessions.signOutCurrentLabel' : 'sessions.signOutLabel', { name })}
        >
          {t('action.signOut')}
        </button>
      </div>
    </li>
  );
}
