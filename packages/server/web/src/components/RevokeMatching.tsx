import { useState, type FormEvent } from 'react';
import { api, InputError, type MatchPreview, type SessionFilter } from '../api.ts';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';
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
    if (countries.some((c) => !/^[A-Za-z]{2}$/.test(c))) throw new InputError('match.badCountry');
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
  if (Object.keys(filter).length === 0) throw new InputError('match.chooseOne');
  return filter;
}

/**
 * "Sign out matching sessions": filters, then a preview (the server's dry run: how many sessions of how many
 * people, and a sample) in a dialog, and only then the real run with a reason for the audit log.
 */
export function RevokeMatching({ onDone }: { onDone: (message: string) => void | Promise<void> }) {
  const f = useFmt();
  const { t } = f;
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
      setError(errorText(f, e));
    } finally {
      setBusy(false);
    }
  }

  const matched = preview?.result.matched ?? 0;
  return (
    <section aria-labelledby="matching-heading">
      <h2 id="matching-heading">{t('match.heading')}</h2>
      <p className="hint">{t('match.hint')}</p>
      <form className="filters" onSubmit={submit} aria-describedby="matching-heading">
        <div className="field inline">
          <label htmlFor="match-countries">{t('match.countries')}</label>
          <input id="match-countries" name="countries" placeholder="DE, FR" maxLength={200} />
        </div>
        <div className="field inline">
          <label htmlFor="match-ip">{t('match.ip')}</label>
          <input id="match-ip" name="ip" placeholder="203.0.113.0/24" maxLength={64} />
        </div>
        <div className="field inline">
          <label htmlFor="match-device">{t('match.deviceType')}</label>
          <select id="match-device" name="deviceType" defaultValue="">
            <option value="">{t('match.any')}</option>
            {DEVICE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="match-role">{t('match.role')}</label>
          <select id="match-role" name="role" defaultValue="">
            <option value="">{t('match.any')}</option>
            <option value="owner">{t('role.owner')}</option>
            <option value="admin">{t('role.admin')}</option>
            <option value="auditor">{t('role.auditor')}</option>
            <option value="user">{t('role.user')}</option>
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="match-created">{t('match.createdBefore')}</label>
          <input id="match-created" name="createdBefore" type="date" />
        </div>
        <div className="field inline">
          <label htmlFor="match-active">{t('match.activeBefore')}</label>
          <input id="match-active" name="lastActiveBefore" type="date" />
        </div>
        <div className="checkbox-field">
          <input type="checkbox" id="match-suspicious" name="suspicious" />
          <label htmlFor="match-suspicious">{t('match.suspicious')}</label>
        </div>
        <div className="checkbox-field">
          <input type="checkbox" id="match-persistent" name="persistent" />
          <label htmlFor="match-persistent">{t('match.persistent')}</label>
        </div>
        <div>
          <button type="submit" className="button danger-outline" disabled={busy}>
            {busy ? t('match.counting') : t('match.preview')}
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />

      <ConfirmDialog
        open={preview !== null}
        title={t('match.title', { count: matched })}
        confirmLabel={t('match.confirm', { count: matched })}
        autoFocusCancel={matched === 0}
        onClose={() => setPreview(null)}
        onConfirm={async (form) => {
          if (!preview || matched === 0) return;
          const reason = String(form.get('reason') ?? '').trim();
          if (!reason) throw new InputError('team.reasonMissing');
          const { revoked } = await api.revokeMatching(preview.filter, reason);
          await onDone(t('match.done', { count: revoked }));
        }}
      >
        {preview ? (
          <>
            <p>{t('match.summary', { count: matched, people: preview.result.users })}</p>
            {preview.result.sample.length > 0 ? (
              <>
                <p className="hint">{t('match.example')}</p>
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
                  {t('reason.label')} <span className="required">{t('reason.required')}</span>
                </label>
                <textarea id="matching-reason" name="reason" rows={3} maxLength={500} required data-autofocus="" />
                <p className="hint">{t('match.reasonHint')}</p>
              </div>
            ) : null}
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
