import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, type WebhookEndpoint } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { ErrorMessage, LoadError, Loading, Page, Status } from '../components/Page.tsx';
import { DateTime } from '../components/Time.tsx';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { adminTrail } from './trails.ts';

const EVENT_TYPES = ['session.created', 'session.ended', 'session.suspicious', 'session.reported', 'user.force-signed-out', 'settings.changed', 'policy.changed', 'api-key.created', 'api-key.revoked'] as const;

/** Admin → Webhooks: endpoints (the secret shown once), enable/disable, test events, and the delivery log with replay. */
export function WebhooksPage() {
  const f = useFmt();
  const { t } = f;
  const queryClient = useQueryClient();
  const endpoints = useQuery({ queryKey: keys.webhooks, queryFn: api.webhooks });
  const deliveries = useQuery({ queryKey: keys.webhookDeliveries, queryFn: api.webhookDeliveries, refetchInterval: 5000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.webhooks });
  const create = useMutation({ mutationFn: api.createWebhook, onSettled: refresh });
  const update = useMutation({ mutationFn: (v: { id: string; enabled: boolean }) => api.updateWebhook(v.id, { enabled: v.enabled }), onSettled: refresh });
  const remove = useMutation({ mutationFn: api.deleteWebhook, onSettled: refresh });
  const test = useMutation({ mutationFn: api.testWebhook, onSettled: refresh });
  const replay = useMutation({ mutationFn: api.replayDelivery, onSettled: refresh });
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const url = String(data.get('url') ?? '').trim();
    const chosen = data.getAll('events').map(String) as (typeof EVENT_TYPES)[number][];
    setStatus(null);
    create.mutate(
      { url, events: chosen.length === 0 || chosen.length === EVENT_TYPES.length ? null : chosen },
      {
        onSuccess: (created) => {
          setSecret(created.secret);
          form.reset();
        },
      },
    );
  }

  const error = create.error ?? update.error ?? remove.error ?? test.error ?? replay.error;
  const byId = new Map((endpoints.data?.endpoints ?? []).map((e) => [e.id, e]));
  return (
    <Page title={t('webhooks.title')} trail={adminTrail(t)} intro={t('webhooks.intro')}>
      <form className="panel" onSubmit={submit}>
        <div className="field">
          <label htmlFor="webhook-url">{t('webhooks.url')}</label>
          <input id="webhook-url" name="url" type="url" required maxLength={2000} placeholder="https://example.com/hooks/seshat" />
        </div>
        <fieldset className="field">
          <legend>{t('webhooks.events')}</legend>
          <p className="muted">{t('webhooks.allEvents')}</p>
          {EVENT_TYPES.map((type) => (
            <label key={type} className="checkbox">
              <input type="checkbox" name="events" value={type} /> <span className="mono">{type}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {t('webhooks.create')}
        </button>
      </form>
      {secret ? (
        <div className="panel notice" role="status">
          <h2>{t('webhooks.secretTitle')}</h2>
          <p>{t('webhooks.secretText')}</p>
          <input readOnly className="mono" value={secret} aria-label={t('webhooks.secretTitle')} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" className="button secondary" onClick={() => setSecret(null)}>
            {t('webhooks.done')}
          </button>
        </div>
      ) : null}
      <ErrorMessage message={error ? errorText(f, error) : null} />
      <Status message={status} />
      {endpoints.error ? <LoadError error={endpoints.error} onRetry={() => void endpoints.refetch()} /> : null}
      {endpoints.isPending ? <Loading /> : null}
      {endpoints.data ? (
        <DataTable
          caption={t('webhooks.caption')}
          empty={t('webhooks.empty')}
          rows={endpoints.data.endpoints}
          rowKey={(e) => e.id}
          columns={[
            { key: 'url', header: t('webhooks.colUrl'), rowHeader: true, className: 'wrap-anywhere mono', cell: (e) => e.url },
            { key: 'events', header: t('webhooks.colEvents'), cell: (e) => (e.events ? e.events.join(', ') : t('webhooks.every')) },
            { key: 'state', header: t('webhooks.colState'), cell: (e) => (e.enabled ? t('webhooks.enabled') : t('webhooks.disabled')) },
          ]}
          actions={(e) => (
            <>
              <button type="button" className="button secondary small" onClick={() => update.mutate({ id: e.id, enabled: !e.enabled })}>
                {e.enabled ? t('webhooks.disable') : t('webhooks.enable')}
              </button>
              <button type="button" className="button secondary small" onClick={() => test.mutate(e.id, { onSuccess: () => setStatus(t('webhooks.testQueued')) })}>
                {t('webhooks.test')}
              </button>
              <button type="button" className="button danger-outline small" onClick={() => setDeleting(e)}>
                {t('webhooks.delete')}
              </button>
            </>
          )}
        />
      ) : null}

      <h2>{t('webhooks.deliveries')}</h2>
      {deliveries.data ? (
        <DataTable
          caption={t('webhooks.deliveriesCaption')}
          empty={t('webhooks.deliveriesEmpty')}
          rows={deliveries.data.deliveries}
          rowKey={(d) => d.id}
          columns={[
            { key: 'when', header: t('webhooks.colWhen'), cell: (d) => <DateTime iso={d.createdAt} seconds /> },
            { key: 'event', header: t('webhooks.colEvent'), className: 'mono', cell: (d) => d.eventType },
            { key: 'url', header: t('webhooks.colUrl'), className: 'wrap-anywhere mono', cell: (d) => byId.get(d.endpointId)?.url ?? d.endpointId },
            { key: 'status', header: t('webhooks.colStatus'), cell: (d) => t(`webhooks.status.${d.status}`) },
            { key: 'code', header: t('webhooks.colCode'), cell: (d) => d.lastStatusCode ?? d.lastError ?? '—' },
            { key: 'attempts', header: t('webhooks.colAttempts'), cell: (d) => f.intl.formatNumber(d.attempts) },
          ]}
          actions={(d) => (
            <button type="button" className="button secondary small" onClick={() => replay.mutate(d.id, { onSuccess: () => setStatus(t('webhooks.replayQueued')) })}>
              {t('webhooks.replay')}
            </button>
          )}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('webhooks.deleteConfirm.title')}
        confirmLabel={t('webhooks.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting) await remove.mutateAsync(deleting.id);
        }}
      >
        {deleting ? <p>{t('webhooks.deleteConfirm.body', { url: deleting.url })}</p> : null}
      </ConfirmDialog>
    </Page>
  );
}
