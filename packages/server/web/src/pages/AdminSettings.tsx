import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError, InputError, type DeviceBindingPolicy, type SessionSettings } from '../api.ts';
import { ErrorMessage, Page, Status } from '../components/Page.tsx';
import { durationText } from '../format.ts';

const DAY = 86400;
const IDLE_CHOICES: { value: string; label: string; note?: string }[] = [
  { value: String(1 * DAY), label: '1 day' },
  { value: String(7 * DAY), label: '7 days' },
  { value: String(30 * DAY), label: '30 days' },
  { value: 'never', label: 'Never', note: 'Not recommended: a forgotten session on a shared device stays signed in until its absolute lifetime ends.' },
];
const REMEMBER_CHOICES = [7, 14, 30, 60, 90].map((days) => days * DAY);

export function AdminSettingsPage() {
  const [settings, setSettings] = useState<SessionSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rememberEnabled, setRememberEnabled] = useState(true);

  useEffect(() => {
    api.settings().then(
      (s) => {
        setSettings(s);
        setRememberEnabled(s.rememberMe.enabled);
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!settings) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const idle = String(form.get('idleTimeout'));
      const maxSessions = String(form.get('maxSessionsPerUser') ?? '').trim();
      const lifetimeDays = Number(form.get('absoluteLifetimeDays'));
      if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1) throw new InputError('The absolute lifetime must be a whole number of days, at least 1.');
      if (maxSessions !== '' && !(Number.isInteger(Number(maxSessions)) && Number(maxSessions) >= 1)) {
        throw new InputError('Maximum sessions must be a whole number of at least 1, or empty for no limit.');
      }
      const saved = await api.updateSettings({
        idleTimeoutSeconds: idle === 'never' ? null : Number(idle),
        rememberMe: { enabled: form.get('rememberEnabled') === 'on', durationSeconds: Number(form.get('rememberDuration')) },
        absoluteLifetimeSeconds: lifetimeDays * DAY,
        maxSessionsPerUser: maxSessions === '' ? null : Number(maxSessions),
        anonymizeIp: form.get('anonymizeIp') === 'on',
        ...(settings.deviceBinding
          ? { deviceBinding: { policy: form.get('deviceBindingPolicy') as DeviceBindingPolicy, boundCookieSeconds: Number(form.get('boundCookieMinutes')) * 60 } }
          : {}),
        // Only sent when the server reports it (it is an extension of API.md's settings shape).
        ...(settings.sessionLimitAction ? { sessionLimitAction: form.get('sessionLimitAction') as SessionSettings['sessionLimitAction'] } : {}),
      });
      setSettings(saved);
      setRememberEnabled(saved.rememberMe.enabled);
      setStatus('Settings saved. They apply to existing sessions at once.');
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  if (!settings) {
    return (
      <Page title="Session settings" trail={['Admin']}>
        <ErrorMessage message={error} />
        {!error ? <p className="loading">Loading…</p> : null}
      </Page>
    );
  }

  const idleValue = settings.idleTimeoutSeconds === null ? 'never' : String(settings.idleTimeoutSeconds);
  const idleChoices = IDLE_CHOICES.some((c) => c.value === idleValue)
    ? IDLE_CHOICES
    : [{ value: idleValue, label: `${durationText(Number(idleValue))} (current)` }, ...IDLE_CHOICES];
  const rememberChoices = REMEMBER_CHOICES.includes(settings.rememberMe.durationSeconds)
    ? REMEMBER_CHOICES
    : [...REMEMBER_CHOICES, settings.rememberMe.durationSeconds].sort((a, b) => a - b);

  return (
    <Page title="Session settings" trail={['Admin']} intro="These rules apply to everyone's sessions, including ones already signed in.">
      <form className="stack" onSubmit={submit}>
        <fieldset className="panel">
          <legend>Idle timeout</legend>
          <p className="hint">Sign out a session (without “Keep me signed in”) after this long without activity.</p>
          <div className="choices">
            {idleChoices.map((choice) => (
              <div className="radio-field" key={choice.value}>
                <input type="radio" id={`idle-${choice.value}`} name="idleTimeout" value={choice.value} defaultChecked={choice.value === idleValue} />
                <label htmlFor={`idle-${choice.value}`}>
                  {choice.label}
                  {choice.note ? <span className="badge badge-warning">Not recommended</span> : null}
                </label>
                {choice.note ? <p className="hint full">{choice.note}</p> : null}
              </div>
            ))}
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>Remember me</legend>
          <div className="checkbox-field">
            <input
              type="checkbox"
              id="rememberEnabled"
              name="rememberEnabled"
              defaultChecked={settings.rememberMe.enabled}
              onChange={(e) => setRememberEnabled(e.currentTarget.checked)}
            />
            <label htmlFor="rememberEnabled">Offer “Keep me signed in” on the sign-in page</label>
          </div>
          <div className="field">
            <label htmlFor="rememberDuration">Remembered sessions last</label>
            <select id="rememberDuration" name="rememberDuration" defaultValue={String(settings.rememberMe.durationSeconds)} disabled={!rememberEnabled}>
              {rememberChoices.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {durationText(seconds)}
                </option>
              ))}
            </select>
            {/* A disabled select is not submitted; keep its value. */}
            {!rememberEnabled ? <input type="hidden" name="rememberDuration" value={String(settings.rememberMe.durationSeconds)} /> : null}
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>Limits and privacy</legend>
          <div className="field">
            <label htmlFor="absoluteLifetimeDays">Absolute lifetime (days)</label>
            <input
              type="number"
              id="absoluteLifetimeDays"
              name="absoluteLifetimeDays"
              min={1}
              max={3650}
              step={1}
              required
              defaultValue={Math.round(settings.absoluteLifetimeSeconds / DAY)}
              aria-describedby="lifetime-hint"
            />
            <p id="lifetime-hint" className="hint">
              No session lasts longer than this, remembered or not.
            </p>
          </div>
          <div className="field">
            <label htmlFor="maxSessionsPerUser">Maximum sessions per person</label>
            <input
              type="number"
              id="maxSessionsPerUser"
              name="maxSessionsPerUser"
              min={1}
              max={10000}
              step={1}
              defaultValue={settings.maxSessionsPerUser ?? ''}
              placeholder="No limit"
              aria-describedby="max-hint"
            />
            <p id="max-hint" className="hint">
              Leave empty for no limit.
            </p>
          </div>
          {settings.sessionLimitAction ? (
            <div className="field">
              <label htmlFor="sessionLimitAction">At the limit</label>
              <select id="sessionLimitAction" name="sessionLimitAction" defaultValue={settings.sessionLimitAction}>
                <option value="evict-oldest">Sign out the least recently used session</option>
                <option value="deny">Refuse the new sign-in</option>
              </select>
            </div>
          ) : null}
          <div className="checkbox-field">
            <input type="checkbox" id="anonymizeIp" name="anonymizeIp" defaultChecked={settings.anonymizeIp} aria-describedby="anon-hint" />
            <div>
              <label htmlFor="anonymizeIp">Anonymise IP addresses</label>
              <p id="anon-hint" className="hint">
                Store only the network part (IPv4 /24, IPv6 /48) of new sessions' addresses.
              </p>
            </div>
          </div>
        </fieldset>
        {settings.deviceBinding ? (
          <fieldset>
            <legend>Device binding</legend>
            <div className="field">
              <label htmlFor="deviceBindingPolicy">Bind sessions to the device (DBSC)</label>
              <select id="deviceBindingPolicy" name="deviceBindingPolicy" defaultValue={settings.deviceBinding.policy} aria-describedby="dbsc-hint">
                <option value="off">Off</option>
                <option value="offer">Offer to every browser that supports it</option>
                <option value="require-for-admins">Offer, and require it for admin actions</option>
              </select>
              <p id="dbsc-hint" className="hint">
                A bound session's cookie stops working on any other device. Browsers without support keep working as before;
                with &ldquo;require&rdquo;, admins need a supporting browser for admin pages.
              </p>
            </div>
            <div className="field">
              <label htmlFor="boundCookieMinutes">Proof of the device every (minutes)</label>
              <input id="boundCookieMinutes" name="boundCookieMinutes" type="number" min={1} max={1440} required defaultValue={Math.round(settings.deviceBinding.boundCookieSeconds / 60)} />
            </div>
          </fieldset>
        ) : null}
        <ErrorMessage message={error} />
        <Status message={status} />
        <div>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </Page>
  );
}
