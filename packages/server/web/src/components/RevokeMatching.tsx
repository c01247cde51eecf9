import { useState, type FormEvent } from 'react';
import { api, describeError, InputError, type MatchPreview, type SessionFilter } from '../api.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { ErrorMessage } from './Page.tsx';

const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'bot', 'unknown'];

/** The filter the form describes; an empty form matches every session, so at least one criterion is required. */
function readFilter(form: FormData): SessionFilter {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const day = (name: string) => (text(name) ? `${text(name)}T00:00:00Z` : undefined);
  const filter: SessionFilter = {};
  const countries = text('countries').split(/[\s,]+/).filter(Boolean);
  if (countries.length > 0) {
    if (countries.some((c) => !/^[A-Za-z]{2}$/.test(c))) throw new InputError('Countries are two-letter codes such as DE or FR, separated by commas.');
    filter.countries = countries.map((c) => c.toUpperCase());
  }
  if (text('ip')) filter.ip = text('ip');
  if (text('deviceType')) filter.deviceTypes = [text('deviceType')];
  if (text('role')) filter.role = text('role') as SessionFilter['role'];
  if (form.get('suspicious') === 'on') filter.suspicious = true;
  if (form.get('persistent') === 'on') filter.persistent = true;
  const createdBefore = day('createdBefore');
  if (createdBefore) filter.createdBefore = createdBefore;
  const activeBefore = day('lastActiveBefore');
  if (activeBefore) filter.lastActiveBefore = activeBefore;
  if (Object.keys(filter).length === 0) throw new InputError('Choose at least one criterion. To sign out everyone, use “Sign out all team sessions”.');
  return filter;
}

/**
 * "Sign out matching sessions": filters, then a preview (the server's dry run: how many sessions of how many
 * people, and a sample) in a dialog, and only then the real run with a reason for the audit log.
 */
export function RevokeMatching({ onDone }: { onDone: (message: string) => void | Promise<void> }) {
  const [preview, setPreview] = useState<{ filter: SessionFilter; result: MatchPreview } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const filter = readFilter(new FormData(event.currentTarget));
      setPreview({ filter, result: await api.previewMatching(filter) });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const matched = preview?.result.matched ?? 0;
  return (
    <section aria-labelledby="matching-heading">
      <h2 id="matching-heading">Sign out sessions by criteria</h2>
      <p className="hint">Every criterion you fill in must hold. You see how many sessions match before anything happens; your own session is never included.</p>
      <form className="filters" onSubmit={submit} aria-describedby="matching-heading">
        <div className="field inline">
          <label htmlFor="match-countries">Countries</label>
          <input id="match-countries" name="countries" placeholder="DE, FR" maxLength={200} />
        </div>
        <div className="field inline">
          <label htmlFor="match-ip">IP address or range</label>
          <input id="match-ip" name="ip" placeholder="203.0.113.0/24" maxLength={64} />
        </div>
        <div className="field inline">
          <label htmlFor="match-device">Device type</label>
          <select id="match-device" name="deviceType" defaultValue="">
            <option value="">Any</option>
            {DEVICE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="match-role">Role</label>
          <select id="match-role" name="role" defaultValue="">
            <option value="">Any</option>
            <option value="owner">Owners</option>
            <option value="admin">Admins</option>
            <option value="auditor">Auditors</option>
            <option value="user">Users</option>
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="match-created">Signed in before</label>
          <input id="match-created" name="createdBefore" type="date" />
        </div>
        <div className="field inline">
          <label htmlFor="match-active">Last active before</label>
          <input id="match-active" name="lastActiveBefore" type="date" />
        </div>
        <div className="checkbox-field">
          <input type="checkbox" id="match-suspicious" name="suspicious" />
          <label htmlFor="match-suspicious">Only suspicious sign-ins</label>
        </div>
        <div className="checkbox-field">
          <input type="checkbox" id="match-persistent" name="persistent" />
          <label htmlFor="match-persistent">Only “keep me signed in” sessions</label>
        </div>
        <div>
          <button type="submit" className="button danger-outline" disabled={busy}>
            {busy ? 'Counting…' : 'Preview matching sessions…'}
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />

      <ConfirmDialog
        open={preview !== null}
        title={matched === 0 ? 'No sessions match' : `Sign out ${matched} matching ${matched === 1 ? 'session' : 'sessions'}?`}
        confirmLabel={`Sign out ${matched} matching ${matched === 1 ? 'session' : 'sessions'}`}
        autoFocusCancel={matched === 0}
        onClose={() => setPreview(null)}
        onConfirm={async (form) => {
          if (!preview || matched === 0) return;
          const reason = String(form.get('reason') ?? '').trim();
          if (!reason) throw new InputError('Give a reason: it is recorded in the audit log.');
          const { revoked } = await api.revokeMatching(preview.filter, reason);
          await onDone(`Signed out ${revoked} matching ${revoked === 1 ? 'session' : 'sessions'}.`);
        }}
      >
        {preview ? (
          <>
            <p>
              <strong>{matched}</strong> {matched === 1 ? 'session' : 'sessions'} of <strong>{preview.result.users}</strong>{' '}
              {preview.result.users === 1 ? 'person' : 'people'} match. They end now, in one step; the people can sign in again.
            </p>
            {preview.result.sample.length > 0 ? (
              <>
                <p className="hint">For example:</p>
                <ul className="sample">
                  {preview.result.sample.map((s) => (
                    <li key={s.id}>
                      {s.user.email} — {s.device.label}
                      {s.location?.country ? `, ${s.location.country}` : ''}
                      {s.ip ? ` (${s.ip})` : ''}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {matched > 0 ? (
              <div className="field">
                <label htmlFor="matching-reason">
                  Reason <span className="required">(required)</span>
                </label>
                <textarea id="matching-reason" name="reason" rows={3} maxLength={500} required data-autofocus="" />
                <p className="hint">Recorded in the audit log with the criteria and the count.</p>
              </div>
            ) : null}
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
