import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, describeError, type ApiKey } from '../api.ts';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';
import { DateTime, TimeAgo } from '../components/Time.tsx';

export function ApiKeysPage() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setKeys((await api.apiKeys()).apiKeys);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get('name') ?? '').trim();
    if (!name) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const result = await api.createApiKey(name);
      setCreated({ name: result.name, key: result.key });
      formElement.reset();
      await load();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page
      title="API keys"
      trail={['Settings', 'Security']}
      intro="API keys let scripts call the Seshat API as you (not the admin endpoints). Send one as “Authorization: Bearer <key>”."
    >
      <form className="panel inline-form" onSubmit={create}>
        <div className="field grow">
          <label htmlFor="key-name">New key name</label>
          <input id="key-name" name="name" required maxLength={100} placeholder="e.g. Deploy script" />
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          Create key
        </button>
      </form>
      {created ? <NewKey name={created.name} apiKey={created.key} onDone={() => setCreated(null)} /> : null}
      <ErrorMessage message={error} />
      <Status message={status} />
      {keys === null && !error ? <p className="loading">Loading keys…</p> : null}
      {keys && keys.length === 0 ? <p className="empty">You have no API keys.</p> : null}
      {keys && keys.length > 0 ? (
        <div className="table-wrap">
          <table className="table stack-on-mobile">
            <caption className="visually-hidden">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col" className="nowrap">Requests (24 h)</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <th scope="row" data-label="Name">
                    {key.name}
                  </th>
                  <td data-label="Key" className="mono">
                    {key.prefix}…
                  </td>
                  <td data-label="Created" className="nowrap">
                    <DateTime iso={key.createdAt} />
                  </td>
                  <td data-label="Last used" className="nowrap">{key.lastUsedAt ? <TimeAgo iso={key.lastUsedAt} /> : 'Never'}</td>
                  <td data-label="Requests (24 h)">{key.requests24h.toLocaleString()}</td>
                  <td className="actions">
                    <button type="button" className="button danger-outline small" aria-label={`Revoke API key ${key.name}`} onClick={() => setRevoking(key)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this API key?"
        confirmLabel="Revoke key"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeApiKey(revoking.id);
          setStatus(`Revoked API key “${revoking.name}”.`);
          if (created?.name === revoking.name) setCreated(null);
          await load();
        }}
      >
        {revoking ? (
          <p>
            Scripts using <strong>{revoking.name}</strong> ({revoking.prefix}…) will stop working immediately.
          </p>
        ) : null}
      </ConfirmDialog>
    </Page>
  );
}

/** The only time the key is visible: the server stores just its hash. */
function NewKey({ name, apiKey, onDone }: { name: string; apiKey: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (insecure origin, permission denied): select it for a manual copy.
      input.current?.select();
      setCopied('Copying is not allowed here: the key is selected, press Ctrl+C (⌘C) to copy it.');
    }
  }

  return (
    <section className="panel new-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">Your new key “{name}”</h2>
      <p className="warning-text">Copy it now: it is shown only once and cannot be recovered.</p>
      <div className="copy-row">
        <label htmlFor="new-key" className="visually-hidden">
          New API key
        </label>
        <input id="new-key" ref={input} className="mono" readOnly value={apiKey} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="status" role="status" aria-live="polite">
        {copied}
      </p>
      <button type="button" className="button secondary small" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}
