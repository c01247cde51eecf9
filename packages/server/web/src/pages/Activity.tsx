import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type ActivityEvent } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { LoadError, Loading, Page } from '../components/Page.tsx';
import { DateTime } from '../components/Time.tsx';
import type { Translate } from '../i18n/fmt.ts';
import { useT } from '../i18n/I18n.tsx';
import type { MessageId } from '../i18n/messages/index.ts';
import { keys } from '../queries.ts';
import { accountTrail } from './trails.ts';

const labels: Record<string, MessageId> = {
  'auth.sign-in': 'activity.signIn',
  'auth.sign-in-failed': 'activity.signInFailed',
  'auth.sign-out': 'activity.signOut',
  'session.revoked': 'activity.revoked',
  'session.expired': 'activity.expired',
  'sessions.revoked-others': 'activity.revokedOthers',
  'user.force-signed-out': 'activity.forceSignedOut',
  'password.changed': 'activity.passwordChanged',
  'password.change-failed': 'activity.passwordChangeFailed',
  'password.reset': 'activity.passwordReset',
  'api-key.created': 'activity.apiKeyCreated',
  'api-key.revoked': 'activity.apiKeyRevoked',
  'api-keys.revoked': 'activity.apiKeysRevoked',
  'session.reported': 'activity.reported',
};

function who(t: Translate, e: ActivityEvent): string {
  if (e.actor.kind === 'administrator') return t('activity.by.administrator', { name: e.actor.name ?? '?' });
  if (e.actor.kind === 'you') return t('activity.by.you');
  if (e.actor.kind === 'system') return t('activity.by.system');
  return t('activity.by.someone');
}

/** Settings → Security → Security activity: what happened to your account, newest first, with "Not you?" on sign-ins. */
export function ActivityPage() {
  const t = useT();
  const activity = useInfiniteQuery({
    queryKey: keys.activity,
    queryFn: ({ pageParam }) => api.activity(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const events = activity.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <Page title={t('activity.title')} trail={accountTrail(t)} intro={t('activity.intro')}>
      {activity.error ? <LoadError error={activity.error} onRetry={() => void activity.refetch()} /> : null}
      {activity.isPending ? <Loading /> : null}
      {activity.data && events.length === 0 ? <p className="empty">{t('activity.empty')}</p> : null}
      {events.length > 0 ? (
        <ol className="activity-list">
          {events.map((e) => (
            <li key={e.id} className="panel activity-item">
              <div>
                <strong>{labels[e.type] ? t(labels[e.type]!) : e.type}</strong> <span className="muted">{who(t, e)}</span>
                {e.current ? <span className="badge badge-current">{t('activity.thisSession')}</span> : null}
                {e.newDevice ? <span className="badge">{t('activity.newDevice')}</span> : null}
                {e.suspicious ? <span className="badge badge-warning">{t('activity.suspicious')}</span> : null}
              </div>
              <div className="muted">
                <DateTime iso={e.at} />
                {e.device ? ` · ${e.device}` : ''}
                {e.location?.country ? ` · ${e.location.country}` : ''}
                {e.ip ? ` · ${e.ip}` : ''}
                {e.count !== null ? ` · ${t('activity.count', { count: e.count })}` : ''}
              </div>
              {e.reason ? <div>{t('activity.reason', { reason: e.reason })}</div> : null}
              {e.type === 'auth.sign-in' && !e.current && e.sessionId ? (
                <Link to={`/settings/security/sessions/${encodeURIComponent(e.sessionId)}`} aria-label={t('activity.notYouLabel')}>
                  {t('activity.notYou')}
                </Link>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {activity.hasNextPage ? (
        <button type="button" className="button secondary" disabled={activity.isFetchingNextPage} onClick={() => void activity.fetchNextPage()}>
          {t('action.loadMore')}
        </button>
      ) : null}
    </Page>
  );
}
