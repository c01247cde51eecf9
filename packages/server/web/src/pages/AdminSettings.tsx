import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, InputError, type SessionSettings, type SettingsPatch } from '../api.ts';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { ErrorMessage, LoadError, Loading, Page, Status } from '../components/Page.tsx';
import { PolicyEditor } from '../components/PolicyEditor.tsx';
import { errorText } from '../errors.ts';
import { durationText } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { useCan } from '../auth.tsx';
import { keys } from '../queries.ts';
import { adminTrail } from './trails.ts';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
/** 1 hour is the original module's default; "never" is allowed but discouraged. */
const IDLE_PRESETS = [15 * MINUTE, HOUR, 8 * HOUR, DAY, 7 * DAY, 30 * DAY];
const REMEMBER_CHOICES = [7, 14, 30, 60, 90].map((days) => days * DAY);

/** Reads the form into a settings patch; a mistake the server would refuse is an InputError (a message id). */
/** A whole-number field, or its current value when the field is missing; the server checks the bounds. */
const wholeNumber = (value: FormDataEntryValue | null, current: number): number => (value === null || String(value).trim() === '' ? current : Number(value));

function readForm(form: FormData, settings: SessionSettings): SettingsPatch {
  const idle = String(form.get('idleTimeout'));
  let idleTimeoutSeconds: number | null;
  if (idle === 'never') idleTimeoutSeconds = null;
  else if (idle === 'custom') {
    const amount = Number(form.get('idleCustomAmount'));
    const unit = Number(form.get('idleCustomUnit'));
    if (!Number.isInteger(amount) || amount < 1) throw new InputError('settings.idle.customInvalid');
    idleTimeoutSeconds = amount * unit;
  } else idleTimeoutSeconds = Number(idle);
  const maxSessions = String(form.get('maxSessionsPerUser') ?? '').trim();
  const lifetimeDays = Number(form.get('absoluteLifetimeDays'));
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1) throw new InputError('settings.lifetime.invalid');
  if (maxSessions !== '' && !(Number.isInteger(Number(maxSessions)) && Number(maxSessions) >= 1)) throw new InputError('settings.max.invalid');
  return {
    idleTimeoutSeconds,
    rememberMe: { enabled: form.get('rememberEnabled') === 'on', durationSeconds: Number(form.get('rememberDuration')) },
    absoluteLifetimeSeconds: lifetimeDays * DAY,
    maxSessionsPerUser: maxSessions === '' ? null : Number(maxSessions),
    anonymizeIp: form.get('anonymizeIp') === 'on',
    sessionLimitAction: (form.get('sessionLimitAction') as SessionSettings['sessionLimitAction'] | null) ?? settings.sessionLimitAction,
    teamSessionAccess: (form.get('teamSessionAccess') as SessionSettings['teamSessionAccess'] | null) ?? settings.teamSessionAccess,
    manySessionsThreshold: wholeNumber(form.get('manySessionsThreshold'), settings.manySessionsThreshold),
    auditRetentionDays: wholeNumber(form.get('auditRetentionDays'), settings.auditRetentionDays),
    deviceBinding: {
      policy: (form.get('deviceBindingPolicy') as SessionSettings['deviceBinding']['policy'] | null) ?? settings.deviceBinding.policy,
      boundCookieSeconds: Number(form.get('boundCookieMinutes')) * 60,
    },
  };
}

export function AdminSettingsPage() {
  const f = useFmt();
  const { t } = f;
  // Auditors see the settings read-only.
  const canEdit = useCan()('sessions:manage-settings');
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: keys.settings, queryFn: api.settings });
  const save = useMutation({
    mutationFn: api.updateSettings,
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.settings, saved);
      void queryClient.invalidateQueries({ queryKey: keys.admin });
    },
  });
  const [inputError, setInputError] = useState<unknown>(null);
  const [rememberEnabled, setRememberEnabled] = useState<boolean | null>(null);
  const [idleChoice, setIdleChoice] = useState<string | null>(null);
  const [pending, setPending] = useState<{ patch: SettingsPatch; ending: number | null } | null>(null);

  if (!settings.data) {
    return (
      <Page title={t('settings.title')} trail={adminTrail(t)}>
        {settings.error ? <LoadError error={settings.error} onRetry={() => void settings.refetch()} /> : <Loading />}
      </Page>
    );
  }
  const current = settings.data;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.reset();
    setInputError(null);
    let patch: SettingsPatch;
    try {
      patch = readForm(new FormData(event.currentTarget), current);
    } catch (e) {
      setInputError(e);
      return;
    }
    // Ask the server what the change would end now; the dialog says so before anything is saved.
    api.previewSettings(patch).then(
      ({ endingSessions }) => setPending({ patch, ending: endingSessions }),
      () => setPending({ patch, ending: null }),
    );
  }

  const idleValue = current.idleTimeoutSeconds === null ? 'never' : String(current.idleTimeoutSeconds);
  const isPreset = current.idleTimeoutSeconds === null || IDLE_PRESETS.includes(current.idleTimeoutSeconds);
  const selectedIdle = idleChoice ?? (isPreset ? idleValue : 'custom');
  const customDefault = !isPreset && current.idleTimeoutSeconds !== null ? customParts(current.idleTimeoutSeconds) : { amount: 2, unit: HOUR };
  const remember = rememberEnabled ?? current.rememberMe.enabled;
  const rememberChoices = REMEMBER_CHOICES.includes(current.rememberMe.durationSeconds)
    ? REMEMBER_CHOICES
    : [...REMEMBER_CHOICES, current.rememberMe.durationSeconds].sort((a, b) => a - b);
  const error = inputError ?? save.error;

  return (
    <Page title={t('settings.title')} trail={adminTrail(t)} intro={t('settings.intro')}>
      <MailStatus />
      <form className="stack" onSubmit={submit}>
        {!canEdit ? <p className="notice">{t('settings.readOnly')}</p> : null}
        <fieldset disabled={!canEdit} className="plain">
        <fieldset className="panel">
          <legend>{t('settings.idle.legend')}</legend>
          <p className="hint">{t('settings.idle.hint')}</p>
          <div className="choices">
            {IDLE_PRESETS.map((seconds) => (
              <div className="radio-field" key={seconds}>
                <input
                  type="radio"
                  id={`idle-${seconds}`}
                  name="idleTimeout"
                  value={String(seconds)}
                  checked={selectedIdle === String(seconds)}
                  onChange={() => setIdleChoice(String(seconds))}
                />
                <label htmlFor={`idle-${seconds}`}>{durationText(f, seconds)}</label>
              </div>
            ))}
            <div className="radio-field">
              <input type="radio" id="idle-custom" name="idleTimeout" value="custom" checked={selectedIdle === 'custom'} onChange={() => setIdleChoice('custom')} />
              <label htmlFor="idle-custom">{t('settings.idle.custom')}</label>
            </div>
            <div className="radio-field">
              <input type="radio" id="idle-never" name="idleTimeout" value="never" checked={selectedIdle === 'never'} onChange={() => setIdleChoice('never')} aria-describedby="idle-never-note" />
              <label htmlFor="idle-never">{t('settings.idle.never')}</label>
            </div>
          </div>
          {selectedIdle === 'custom' ? (
            <div className="field inline custom-duration">
              <label htmlFor="idleCustomAmount">{t('settings.idle.customLabel')}</label>
              <input type="number" id="idleCustomAmount" name="idleCustomAmount" min={1} max={9999} step={1} required defaultValue={customDefault.amount} className="size-4" />
              <label htmlFor="idleCustomUnit" className="visually-hidden">
                {t('settings.idle.customUnit')}
              </label>
              <select id="idleCustomUnit" name="idleCustomUnit" defaultValue={String(customDefault.unit)}>
                <option value={String(MINUTE)}>{t('unit.minutes')}</option>
                <option value={String(HOUR)}>{t('unit.hours')}</option>
                <option value={String(DAY)}>{t('unit.days')}</option>
              </select>
            </div>
          ) : null}
          <p id="idle-never-note" className="hint">
            <span className="badge badge-warning">{t('settings.notRecommended')}</span> {t('settings.idle.neverNote')}
          </p>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('settings.remember.legend')}</legend>
          <div className="checkbox-field">
            <input type="checkbox" id="rememberEnabled" name="rememberEnabled" defaultChecked={current.rememberMe.enabled} onChange={(e) => setRememberEnabled(e.currentTarget.checked)} />
            <label htmlFor="rememberEnabled">{t('settings.remember.offer')}</label>
          </div>
          <div className="field">
            <label htmlFor="rememberDuration">{t('settings.remember.duration')}</label>
            <select id="rememberDuration" name="rememberDuration" defaultValue={String(current.rememberMe.durationSeconds)} disabled={!remember} className="fit">
              {rememberChoices.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {durationText(f, seconds)}
                </option>
              ))}
            </select>
            {/* A disabled select is not submitted; keep its value. */}
            {!remember ? <input type="hidden" name="rememberDuration" value={String(current.rememberMe.durationSeconds)} /> : null}
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('settings.limits.legend')}</legend>
          <div className="field">
            <label htmlFor="absoluteLifetimeDays">{t('settings.lifetime.label')}</label>
            <input
              type="number"
              id="absoluteLifetimeDays"
              name="absoluteLifetimeDays"
              min={1}
              max={3650}
              step={1}
              required
              className="size-5"
              defaultValue={Math.round(current.absoluteLifetimeSeconds / DAY)}
              aria-describedby="lifetime-hint"
            />
            <p id="lifetime-hint" className="hint">
              {t('settings.lifetime.hint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="maxSessionsPerUser">{t('settings.max.label')}</label>
            <input
              type="number"
              id="maxSessionsPerUser"
              name="maxSessionsPerUser"
              min={1}
              max={10000}
              step={1}
              className="size-6"
              defaultValue={current.maxSessionsPerUser ?? ''}
              placeholder={t('settings.max.none')}
              aria-describedby="max-hint"
            />
            <p id="max-hint" className="hint">
              {t('settings.max.hint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="sessionLimitAction">{t('settings.limitAction.label')}</label>
            <select id="sessionLimitAction" name="sessionLimitAction" defaultValue={current.sessionLimitAction} className="fit">
              <option value="evict-oldest">{t('settings.limitAction.evict')}</option>
              <option value="deny">{t('settings.limitAction.deny')}</option>
            </select>
          </div>
          <div className="checkbox-field">
            <input type="checkbox" id="anonymizeIp" name="anonymizeIp" defaultChecked={current.anonymizeIp} aria-describedby="anon-hint" />
            <div>
              <label htmlFor="anonymizeIp">{t('settings.anonymize.label')}</label>
              <p id="anon-hint" className="hint">
                {t('settings.anonymize.hint')}
              </p>
            </div>
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('settings.dbsc.legend')}</legend>
          <div className="field">
            <label htmlFor="deviceBindingPolicy">{t('settings.dbsc.label')}</label>
            <select id="deviceBindingPolicy" name="deviceBindingPolicy" defaultValue={current.deviceBinding.policy} className="fit" aria-describedby="dbsc-hint">
              <option value="off">{t('settings.dbsc.off')}</option>
              <option value="offer">{t('settings.dbsc.offer')}</option>
              <option value="require-for-admins">{t('settings.dbsc.require')}</option>
            </select>
            <p id="dbsc-hint" className="hint">
              {t('settings.dbsc.hint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="boundCookieMinutes">{t('settings.dbsc.minutes')}</label>
            <input id="boundCookieMinutes" name="boundCookieMinutes" type="number" min={1} max={1440} required className="fit" defaultValue={Math.round(current.deviceBinding.boundCookieSeconds / 60)} />
          </div>
        </fieldset>
        <fieldset className="panel">
          <legend>{t('settings.access.legend')}</legend>
          <p className="hint">{t('settings.access.hint')}</p>
          <div className="choices">
            {(['full', 'view-only', 'off'] as const).map((value) => (
              <div className="radio-field" key={value}>
                <input type="radio" id={`access-${value}`} name="teamSessionAccess" value={value} defaultChecked={current.teamSessionAccess === value} />
                <label htmlFor={`access-${value}`}>{t(value === 'full' ? 'settings.access.full' : value === 'off' ? 'settings.access.off' : 'settings.access.viewOnly')}</label>
              </div>
            ))}
          </div>
          <div className="field">
            <label htmlFor="manySessionsThreshold">{t('settings.manyThreshold')}</label>
            <input type="number" id="manySessionsThreshold" name="manySessionsThreshold" min={1} max={10000} step={1} required defaultValue={current.manySessionsThreshold} className="fit" />
          </div>
          <div className="field">
            <label htmlFor="auditRetentionDays">{t('settings.auditRetention')}</label>
            <input type="number" id="auditRetentionDays" name="auditRetentionDays" min={1} max={36500} step={1} required defaultValue={current.auditRetentionDays} className="fit" />
          </div>
        </fieldset>
        </fieldset>
        <ErrorMessage message={error ? errorText(f, error) : null} />
        <Status message={save.isSuccess ? t('settings.saved') : null} />
        {canEdit ? (
          <div>
            <button type="submit" className="button primary" disabled={save.isPending}>
              {save.isPending ? t('settings.saving') : t('settings.save')}
            </button>
          </div>
        ) : null}
      </form>
      <PolicyEditor canEdit={canEdit} />
      <ConfirmDialog
        open={pending !== null}
        title={t('settings.confirm.title')}
        confirmLabel={t('settings.save')}
        danger={(pending?.ending ?? 0) > 0}
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (pending) await save.mutateAsync(pending.patch);
        }}
      >
        <p>{t('settings.confirm.body')}</p>
        {pending && pending.ending !== null ? (
          <p className={pending.ending > 0 ? 'warning-text' : undefined}>
            <strong>{t('settings.confirm.ending', { count: pending.ending })}</strong>
          </p>
        ) : null}
      </ConfirmDialog>
    </Page>
  );
}

function customParts(seconds: number): { amount: number; unit: number } {
  if (seconds % DAY === 0) return { amount: seconds / DAY, unit: DAY };
  if (seconds % HOUR === 0) return { amount: seconds / HOUR, unit: HOUR };
  return { amount: Math.max(1, Math.round(seconds / MINUTE)), unit: MINUTE };
}

/** Whether "new sign-in" e-mails can go out: without SESHAT_SMTP_URL none are sent, and the page says so. */
function MailStatus() {
  const t = useFmt().t;
  const mail = useQuery({ queryKey: keys.notifications, queryFn: api.notifications });
  if (!mail.data) return null;
  return <p className={mail.data.smtpConfigured ? 'muted' : 'panel notice'}>{mail.data.smtpConfigured ? t('settings.mail.on', { from: mail.data.from }) : t('settings.mail.off')}</p>;
}
