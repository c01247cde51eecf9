import { useQuery } from '@tanstack/react-query';
import { api, type EffectivePolicy } from '../api.ts';
import { durationText } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';
import type { MessageId } from '../i18n/messages/index.ts';
import { keys } from '../queries.ts';
import { Link } from './Link.tsx';
import { LoadError, Loading } from './Page.tsx';

const ROLE_LABEL: Record<EffectivePolicy['user']['role'], MessageId> = { owner: 'role.owner', admin: 'role.admin', auditor: 'role.auditor', user: 'role.user' };

/**
 * The session rules that apply to one person — idle timeout, absolute lifetime, "keep me signed in", the session
 * limit and the step-up window — each with where it comes from: their own policy, their role's, or the team-wide
 * settings (`GET /api/admin/users/:id/effective-policy`).
 */
export function PolicyInEffect({ userId }: { userId: string }) {
  const f = useFmt();
  const { t } = f;
  const effective = useQuery({ queryKey: keys.effectivePolicy(userId), queryFn: () => api.effectivePolicy(userId) });
  if (effective.error) return <LoadError error={effective.error} onRetry={() => void effective.refetch()} />;
  if (!effective.data) return <Loading />;
  const { fields, user } = effective.data;
  const from = (field: keyof EffectivePolicy['fields']) => {
    const source = fields[field].source;
    const text = source === 'user' ? t('policies.source.user') : source === 'role' ? t('policies.source.role', { role: t(ROLE_LABEL[user.role]) }) : t('policies.source.global');
    return <span className="muted"> · {text}</span>;
  };
  const seconds = (field: keyof EffectivePolicy['fields']) => fields[field].value as number;
  const idle = fields.idleTimeoutSeconds.value as number | null;
  const max = fields.maxSessionsPerUser.value as number | null;
  return (
    <>
      <dl className="facts policy">
        <div>
          <dt>{t('policy.idle')}</dt>
          <dd>
            {idle === null ? t('policy.idleNever') : durationText(f, idle)}
            {from('idleTimeoutSeconds')}
          </dd>
        </div>
        <div>
          <dt>{t('policy.lifetime')}</dt>
          <dd>
            {durationText(f, seconds('absoluteLifetimeSeconds'))}
            {from('absoluteLifetimeSeconds')}
          </dd>
        </div>
        <div>
          <dt>{t('policy.remember')}</dt>
          <dd>
            {fields['rememberMe.enabled'].value ? t('policy.rememberFor', { duration: durationText(f, seconds('rememberMe.durationSeconds')) }) : t('policy.rememberOff')}
            {from('rememberMe.enabled')}
          </dd>
        </div>
        <div>
          <dt>{t('policy.limit')}</dt>
          <dd>
            {max === null ? t('policy.limitNone') : t(fields.sessionLimitAction.value === 'deny' ? 'policy.limitDeny' : 'policy.limitEvict', { count: max })}
            {from('maxSessionsPerUser')}
          </dd>
        </div>
        <div>
          <dt>{t('policies.stepUp')}</dt>
          <dd>
            {durationText(f, seconds('reauthenticationWindowSeconds'))}
            {from('reauthenticationWindowSeconds')}
          </dd>
        </div>
      </dl>
      <p className="hint">
        {t('policy.source')} <Link to="/admin/settings">{t('policy.settingsLink')}</Link>
      </p>
    </>
  );
}
