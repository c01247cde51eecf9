import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { durationText } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { Link } from './Link.tsx';
import { LoadError, Loading } from './Page.tsx';

/**
 * The session policy that applies to one person: idle timeout, absolute lifetime, "keep me signed in" and the
 * session limit. Today everyone gets the team-wide settings, so `userId` does not change the answer yet; it is
 * here so this component alone changes when the server answers per person (`GET /api/admin/users/:id/effective-policy`).
 */
export function PolicyInEffect({ userId: _person }: { userId: string }) {
  const f = useFmt();
  const { t } = f;
  const settings = useQuery({ queryKey: keys.settings, queryFn: api.settings });
  if (settings.error) return <LoadError error={settings.error} onRetry={() => void settings.refetch()} />;
  if (!settings.data) return <Loading />;
  const s = settings.data;
  return (
    <>
      <dl className="facts policy">
        <div>
          <dt>{t('policy.idle')}</dt>
          <dd>{s.idleTimeoutSeconds === null ? t('policy.idleNever') : durationText(f, s.idleTimeoutSeconds)}</dd>
        </div>
        <div>
          <dt>{t('policy.lifetime')}</dt>
          <dd>{durationText(f, s.absoluteLifetimeSeconds)}</dd>
        </div>
        <div>
          <dt>{t('policy.remember')}</dt>
          <dd>{s.rememberMe.enabled ? t('policy.rememberFor', { duration: durationText(f, s.rememberMe.durationSeconds) }) : t('policy.rememberOff')}</dd>
        </div>
        <div>
          <dt>{t('policy.limit')}</dt>
          <dd>
            {s.maxSessionsPerUser === null
              ? t('policy.limitNone')
              : t(s.sessionLimitAction === 'deny' ? 'policy.limitDeny' : 'policy.limitEvict', { count: s.maxSessionsPerUser })}
          </dd>
        </div>
      </dl>
      <p className="hint">
        {t('policy.source')} <Link to="/admin/settings">{t('policy.settingsLink')}</Link>
      </p>
    </>
  );
}
