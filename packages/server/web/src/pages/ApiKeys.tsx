import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type ApiKey } from '../api.ts';
import { ApiKeyTable } from '../components/ApiKeyTable.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { ErrorMessage, LoadError, Loading, Page, Status } from '../components/Page.tsx';
import { errorText } from '../errors.ts';
import { useFmt, useT } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { accountTrail } from './trails.ts';

export function ApiKeysPage() {
  const f = useFmt();
  const { t } = f;
  const queryClient = useQueryClient();
  const apiKeys = useQuery({ queryKey: keys.apiKeys, queryFn: api.apiKeys });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.apiKeys });
  const create = useMutation({ mutationFn: api.createApiKey, onSettled: refresh });
  const revoke = useMutation({ mutationFn: api.revokeApiKey, onSettled: refresh });
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get('name') ?? '').trim();
    if (!name) return;
    setStatus(null);
    create.mutate(name, {
      onSuccess: (result) => {
        setCreated({ name: result.name, key: result.key });
        formElement.reset();
      },
    });
  }

  const list = apiKeys.data?.apiKeys;
  return (
    <Page title={t('apiKeys.title')} trail={accountTrail(t)} intro={t('apiKeys.intro', { header: 'Authorization: Bearer <key>' })}>
      <form className="panel inline-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor="key-name">{t('apiKeys.name')}</label>
          <input id="key-name" name="name" required maxLength={100} placeholder={t('apiKeys.namePlaceholder')} />
        </div>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {t('apiKeys.create')}
        </button>
      </form>
      {created ? <NewKey name={created.name} apiKey={created.key} onDone={() => setCreated(null)} /> : null}
      <ErrorMessage message={create.error ? errorText(f, create.error) : null} />
      <Status message={status} />
      {apiKeys.error ? <LoadError error={apiKeys.error} onRetry={() => void apiKeys.refetch()} /> : null}
      {apiKeys.isPending ? <Loading /> : null}
      {list ? <ApiKeyTable apiKeys={list} caption={t('apiKeys.caption')} empty={t('apiKeys.empty')} onRevoke={setRevoking} /> : null}
      <ConfirmDialog
        open={revoking !== null}
        title={t('apiKeys.confirm.title')}
        confirmLabel={t('apiKeys.confirm.confirm')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await revoke.mutateAsync(revoking.id);
          setStatus(t('apiKeys.revoked', { name: revoking.name }));
          if (created?.name === revoking.name) setCreated(null);
        }}
      >
        {revoking ? <p>{t('apiKeys.confirm.body', { name: revoking.name, prefix: revoking.prefix })}</p> : null}
      </ConfirmDialog>
    </Page>
  );
}

/** The only time the key is visible: the server stores just its hash. */
function NewKey({ name, apiKey, onDone }: { name: string; apiKey: string; onDone: () => void }) {
  const t = useT();
  const [copied, setCopied] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey);
      setCopied(t('apiKeys.copied'));
    } catch {
      // No clipboard access (insecure origin, permission denied): select it for a manual copy.
      input.current?.select();
      setCopied(t('apiKeys.copyManually'));
    }
  }

  return (
    <section className="panel new-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">{t('apiKeys.newHeading', { name })}</h2>
      <p className="warning-text">{t('apiKeys.newWarning')}</p>
      <div className="copy-row">
        <label htmlFor="new-key" className="visually-hidden">
          {t('apiKeys.newLabel')}
        </label>
        <input id="new-key" ref={input} className="mono" readOnly value={apiKey} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button primary" onClick={() => void copy()}>
          {t('apiKeys.copy')}
        </button>
      </div>
      <p className="status" role="status" aria-live="polite">
        {copied}
      </p>
      <button type="button" className="button secondary small" onClick={onDone}>
        {t('apiKeys.done')}
      </button>
    </section>
  );
}
