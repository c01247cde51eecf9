import type { ApiKey } from '../api.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { DateTime, TimeAgo } from './Time.tsx';

/**
 * API keys as their owner and administrators see them: name, prefix (never the key), created, last used, requests in
 * 24 h, and a Revoke button per key when `onRevoke` is given. One table for "API keys" and the person page.
 */
export function ApiKeyTable({ apiKeys, caption, onRevoke }: { apiKeys: ApiKey[]; caption: string; onRevoke?: ((key: ApiKey) => void) | undefined }) {
  const f = useFmt();
  const { t } = f;
  return (
    <table className="table stack-on-mobile">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('apiKeys.colName')}</th>
          <th scope="col">{t('apiKeys.colKey')}</th>
          <th scope="col">{t('apiKeys.colCreated')}</th>
          <th scope="col">{t('apiKeys.colLastUsed')}</th>
          <th scope="col">{t('apiKeys.colRequests')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('common.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {apiKeys.map((key) => (
          <tr key={key.id}>
            <th scope="row" data-label={t('apiKeys.colName')} className="wrap-anywhere">
              {key.name}
            </th>
            <td data-label={t('apiKeys.colKey')} className="mono">
              {key.prefix}…
            </td>
            <td data-label={t('apiKeys.colCreated')}>
              <DateTime iso={key.createdAt} />
            </td>
            <td data-label={t('apiKeys.colLastUsed')}>{key.lastUsedAt ? <TimeAgo iso={key.lastUsedAt} /> : t('common.never')}</td>
            <td data-label={t('apiKeys.colRequests')}>{f.intl.formatNumber(key.requests24h)}</td>
            <td className="actions">
              {onRevoke ? (
                <button type="button" className="button danger-outline small" aria-label={t('apiKeys.revokeLabel', { name: key.name })} onClick={() => onRevoke(key)}>
                  {t('apiKeys.revoke')}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
