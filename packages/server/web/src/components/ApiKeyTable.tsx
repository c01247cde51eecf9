import type { ApiKey } from '../api.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { DataTable } from './DataTable.tsx';
import { DateTime, TimeAgo } from './Time.tsx';

/**
 * API keys as their owner and administrators see them: name, prefix (never the key), created, last used, requests in
 * 24 h, and a Revoke button per key when `onRevoke` is given. One table for "API keys" and the person page.
 */
export function ApiKeyTable({ apiKeys, caption, empty, onRevoke }: { apiKeys: ApiKey[]; caption: string; empty: string; onRevoke?: ((key: ApiKey) => void) | undefined }) {
  const f = useFmt();
  const { t } = f;
  return (
    <DataTable
      caption={caption}
      empty={empty}
      rows={apiKeys}
      rowKey={(key) => key.id}
      columns={[
        { key: 'name', header: t('apiKeys.colName'), rowHeader: true, className: 'wrap-anywhere', cell: (key) => key.name },
        { key: 'prefix', header: t('apiKeys.colKey'), className: 'mono', cell: (key) => `${key.prefix}…` },
        { key: 'created', header: t('apiKeys.colCreated'), cell: (key) => <DateTime iso={key.createdAt} /> },
        { key: 'lastUsed', header: t('apiKeys.colLastUsed'), cell: (key) => (key.lastUsedAt ? <TimeAgo iso={key.lastUsedAt} /> : t('common.never')) },
        { key: 'requests', header: t('apiKeys.colRequests'), cell: (key) => f.intl.formatNumber(key.requests24h) },
      ]}
      actions={(key) =>
        onRevoke ? (
          <button type="button" className="button danger-outline small" aria-label={t('apiKeys.revokeLabel', { name: key.name })} onClick={() => onRevoke(key)}>
            {t('apiKeys.revoke')}
          </button>
        ) : null
      }
    />
  );
}
