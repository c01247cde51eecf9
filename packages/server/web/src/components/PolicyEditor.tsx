import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type EffectivePolicy, type Role, type SessionPolicy } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { errorText } from '../errors.ts';
import { DataTable } from './DataTable.tsx';
import { ConfirmDialog } from './Dialog.tsx';
import { durationText } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';
import type { Fmt } from '../i18n/fmt.ts';
import type { MessageId } from '../i18n/messages/index.ts';
import { keys } from '../queries.ts';
import { ErrorMessage, LoadError, Loading, Status } from './Page.tsx';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const ROLES: Role[] = ['owner', 'admin', 'auditor', 'user'];
const ROLE_LABEL: Record<Role, MessageId> = { owner: 'role.owner', admin: 'role.admin', auditor: 'role.auditor', user: 'role.user' };
const IDLE = [15 * MINUTE, HOUR, 8 * HOUR, DAY, 7 * DAY, 30 * DAY];
const LIFETIME = [HOUR, 8 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY, 90 * DAY];
const REMEMBER = [DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 90 * DAY];
const MAX_SESSIONS = [1, 2, 3, 5, 10];
const STEP_UP = [MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR];
const DBSC: Record<NonNullable<NonNullable<SessionPolicy['deviceBinding']>['policy']>, MessageId> = {
  off: 'settings.dbsc.off',
  offer: 'settings.dbsc.offer',
  'require-for-admins': 'settings.dbsc.require',
};

/** `role:admin` or `user:usr_…`: the one select that says whose policy the form edits. */
type Subject = `role:${Role}` | `user:${string}`;

/** The preset choices, plus the stored value when it is not one of them (set through the API). */
const withCurrent = (choices: number[], current: number | null | undefined) =>
  typeof current === 'number' && !choices.includes(current) ? [...choices, current].sort((a, b) => a - b) : choices;

/** "1 hour idle, 12 hours max, no remember-me": a policy in one line. */
export function policySummary(f: Fmt, p: SessionPolicy): string {
  const { t } = f;
  const parts: string[] = [];
  if (p.idleTimeoutSeconds !== undefined) parts.push(p.idleTimeoutSeconds === null ? t('policies.summary.idleNever') : t('policies.summary.idle', { duration: durationText(f, p.idleTimeoutSeconds) }));
  if (p.absoluteLifetimeSeconds !== undefined) parts.push(t('policies.summary.lifetime', { duration: durationText(f, p.absoluteLifetimeSeconds) }));
  if (p.rememberMe?.enabled === false) parts.push(t('policies.summary.rememberOff'));
  else if (p.rememberMe?.durationSeconds !== undefined) parts.push(t('policies.summary.rememberFor', { duration: durationText(f, p.rememberMe.durationSeconds) }));
  else if (p.rememberMe?.enabled === true) parts.push(t('policies.summary.rememberOn'));
  if (p.maxSessionsPerUser !== undefined) parts.push(p.maxSessionsPerUser === null ? t('policies.summary.unlimited') : t('policies.summary.max', { count: p.maxSessionsPerUser }));
  if (p.sessionLimitAction !== undefined) parts.push(t(p.sessionLimitAction === 'deny' ? 'policies.summary.deny' : 'policies.summary.evict'));
  if (p.reauthenticationWindowSeconds !== undefined) parts.push(t('policies.summary.stepUp', { duration: durationText(f, p.reauthenticationWindowSeconds) }));
  if (p.deviceBinding?.policy !== undefined) parts.push(t('policies.summary.dbsc', { mode: t(DBSC[p.deviceBinding.policy]) }));
  const line = parts.length ? parts.join(', ') : t('policies.summary.empty');
  // The parts are written to follow each other; the line as a whole starts with a capital.
  return line.charAt(0).toLocaleUpperCase(f.intl.locale) + line.slice(1);
}

/** Reads the form: an empty choice is "not set" (the next layer decides), so it is left out of the policy. */
function readPolicy(form: FormData): SessionPolicy {
  const text = (name: string) => String(form.get(name) ?? '');
  const policy: SessionPolicy = {};
  const idle = text('policyIdle');
  if (idle) policy.idleTimeoutSeconds = idle === 'never' ? null : Number(idle);
  if (text('policyLifetime')) policy.absoluteLifetimeSeconds = Number(text('policyLifetime'));
  const remember: NonNullable<SessionPolicy['rememberMe']> = {};
  if (text('policyRemember')) remember.enabled = text('policyRemember') === 'on';
  if (text('policyRememberDuration')) remember.durationSeconds = Number(text('policyRememberDuration'));
  if (Object.keys(remember).length) policy.rememberMe = remember;
  const max = text('policyMax');
  if (max) policy.maxSessionsPerUser = max === 'none' ? null : Number(max);
  if (text('policyLimitAction')) policy.sessionLimitAction = text('policyLimitAction') as NonNullable<SessionPolicy['sessionLimitAction']>;
  if (text('policyStepUp')) policy.reauthenticationWindowSeconds = Number(text('policyStepUp'));
  if (text('policyDbsc')) policy.deviceBinding = { policy: text('policyDbsc') as keyof typeof DBSC };
  return policy;
}

/**
 * Session policies per role and per person (issue 13.2), on the settings page: the policies in force, a form to
 * set one (every field can stay "not set", so the role's policy or the settings decide it), and what applies to one
 * person, field by field, with where each value comes from. Auditors see everything but the form.
 */
export function PolicyEditor({ canEdit }: { canEdit: boolean }) {
  const f = useFmt();
  const { t } = f;
  const queryClient = useQueryClient();
  const policies = useQuery({ queryKey: keys.policies, queryFn: api.policies });
  const people = useQuery({ queryKey: keys.teamUsers, queryFn: api.teamUsers });
  const { user: me } = useAuth();
  // Only an owner changes the owners' policy or an owner's override: nobody else is offered either.
  const mayChange = (role: Role) => role !== 'owner' || me.role === 'owner';
  const [subject, setSubject] = useState<Subject>('role:admin');
  const [status, setStatus] = useState<string | null>(null);
  /** The edit waiting for confirmation, with how many sessions it would end now (null: the preview failed). */
  const [pending, setPending] = useState<{ to: Subject; policy: SessionPolicy; ending: number | null } | null>(null);
  const changed = () => void queryClient.invalidateQueries({ queryKey: keys.admin });
  const save = useMutation({
    mutationFn: async ({ to, policy }: { to: Subject; policy: SessionPolicy }) => {
      if (to.startsWith('role:')) await api.saveRolePolicy(to.slice(5) as Role, policy);
      else await api.saveUserPolicy(to.slice(5), policy);
    },
    onSuccess: () => (setStatus(t('policies.saved')), changed()),
  });
  const remove = useMutation({
    mutationFn: (to: Subject) => (to.startsWith('role:') ? api.removeRolePolicy(to.slice(5) as Role) : api.removeUserPolicy(to.slice(5))),
    onSuccess: () => (setStatus(t('policies.removed')), changed()),
  });

  if (!policies.data) {
    return (
      <section aria-labelledby="policies-heading" className="stack">
        <h2 id="policies-heading">{t('policies.title')}</h2>
        {policies.error ? <LoadError error={policies.error} onRetry={() => void policies.refetch()} /> : <Loading />}
      </section>
    );
  }
  const rows = [
    ...policies.data.roles.map((r) => ({ subject: `role:${r.role}` as Subject, who: t('policies.forRole', { role: t(ROLE_LABEL[r.role]) }), policy: r.policy, changeable: mayChange(r.role) })),
    ...policies.data.users.map((u) => ({ subject: `user:${u.user.id}` as Subject, who: u.user.email, policy: u.policy, changeable: mayChange(u.user.role) })),
  ];
  const editing = rows.find((r) => r.subject === subject)?.policy ?? {};
  const error = save.error ?? remove.error;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStatus(null);
    save.reset();
    const policy = readPolicy(new FormData(event.currentTarget));
    const to = subject;
    // Ask the server what the edit would end now; the dialog says so before anything is saved.
    const target = to.startsWith('role:') ? { role: to.slice(5) as Role } : { userId: to.slice(5) };
    api.previewPolicy({ ...target, policy }).then(
      ({ endingSessions }) => setPending({ to, policy, ending: endingSessions }),
      () => setPending({ to, policy, ending: null }),
    );
  }

  return (
    <section aria-labelledby="policies-heading" className="stack">
      <h2 id="policies-heading">{t('policies.title')}</h2>
      <p className="hint">{t('policies.intro')}</p>
      <DataTable
        caption={t('policies.caption')}
        empty={t('policies.none')}
        rows={rows}
        rowKey={(r) => r.subject}
        columns={[
          { key: 'who', header: t('policies.colWho'), rowHeader: true, className: 'wrap-anywhere', cell: (r) => r.who },
          { key: 'rules', header: t('policies.colRules'), cell: (r) => policySummary(f, r.policy) },
        ]}
        actions={
          canEdit
            ? (r) =>
                r.changeable ? (
                  <>
                    <button type="button" className="button secondary small" onClick={() => (setSubject(r.subject), setStatus(null))} aria-label={t('policies.editFor', { who: r.who })}>
                      {t('policies.edit')}
                    </button>
                    <button type="button" className="button danger-outline small" onClick={() => (setStatus(null), remove.mutate(r.subject))} aria-label={t('policies.removeFor', { who: r.who })}>
                      {t('policies.remove')}
                    </button>
                  </>
                ) : null
            : undefined
        }
      />

      {canEdit ? (
        // Keyed by subject (and its stored version), so switching whose policy is edited shows that policy's values.
        <form key={`${subject}:${JSON.stringify(editing)}`} className="panel stack" onSubmit={submit} aria-labelledby="policy-form-heading">
          <h3 id="policy-form-heading">{t('policies.formTitle')}</h3>
          <div className="field">
            <label htmlFor="policySubject">{t('policies.subject')}</label>
            <select id="policySubject" value={subject} onChange={(e) => (setSubject(e.currentTarget.value as Subject), setStatus(null))} className="fit">
              <optgroup label={t('policies.rolesGroup')}>
                {ROLES.filter(mayChange).map((role) => (
                  <option key={role} value={`role:${role}`}>
                    {t('policies.forRole', { role: t(ROLE_LABEL[role]) })}
                  </option>
                ))}
              </optgroup>
              {people.data?.users.length ? (
                <optgroup label={t('policies.peopleGroup')}>
                  {people.data.users.filter((u) => mayChange(u.role)).map((u) => (
                    <option key={u.id} value={`user:${u.id}`}>
                      {u.email}
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </div>
          <p className="hint" id="policy-inherit-hint">{t(subject.startsWith('user:') ? 'policies.inheritHintPerson' : 'policies.inheritHintRole')}</p>
          <div className="policy-grid">
            <Choice name="policyIdle" label={t('policies.idle')} current={editing.idleTimeoutSeconds === null ? 'never' : editing.idleTimeoutSeconds}>
              {withCurrent(IDLE, editing.idleTimeoutSeconds).map((s) => <option key={s} value={s}>{durationText(f, s)}</option>)}
              <option value="never">{t('policies.idleNever')}</option>
            </Choice>
            <Choice name="policyLifetime" label={t('policies.lifetime')} current={editing.absoluteLifetimeSeconds}>
              {withCurrent(LIFETIME, editing.absoluteLifetimeSeconds).map((s) => <option key={s} value={s}>{durationText(f, s)}</option>)}
            </Choice>
            <Choice name="policyRemember" label={t('policies.remember')} current={editing.rememberMe?.enabled === undefined ? undefined : editing.rememberMe.enabled ? 'on' : 'off'}>
              <option value="on">{t('policies.allowed')}</option>
              <option value="off">{t('policies.notAllowed')}</option>
            </Choice>
            <Choice name="policyRememberDuration" label={t('policies.rememberDuration')} current={editing.rememberMe?.durationSeconds}>
              {withCurrent(REMEMBER, editing.rememberMe?.durationSeconds).map((s) => <option key={s} value={s}>{durationText(f, s)}</option>)}
            </Choice>
            <Choice name="policyMax" label={t('policies.max')} current={editing.maxSessionsPerUser === null ? 'none' : editing.maxSessionsPerUser}>
              {withCurrent(MAX_SESSIONS, editing.maxSessionsPerUser).map((n) => <option key={n} value={n}>{f.intl.formatNumber(n)}</option>)}
              <option value="none">{t('policies.unlimited')}</option>
            </Choice>
            <Choice name="policyLimitAction" label={t('policies.limitAction')} current={editing.sessionLimitAction}>
              <option value="evict-oldest">{t('settings.limitAction.evict')}</option>
              <option value="deny">{t('settings.limitAction.deny')}</option>
            </Choice>
            <Choice name="policyStepUp" label={t('policies.stepUp')} current={editing.reauthenticationWindowSeconds}>
              {withCurrent(STEP_UP, editing.reauthenticationWindowSeconds).map((s) => <option key={s} value={s}>{durationText(f, s)}</option>)}
            </Choice>
            <Choice name="policyDbsc" label={t('policies.dbsc')} current={editing.deviceBinding?.policy}>
              {(Object.keys(DBSC) as (keyof typeof DBSC)[]).map((mode) => <option key={mode} value={mode}>{t(DBSC[mode])}</option>)}
            </Choice>
          </div>
          <div>
            <button type="submit" className="button primary" disabled={save.isPending}>
              {save.isPending ? t('settings.saving') : t('policies.save')}
            </button>
          </div>
        </form>
      ) : null}
      <ErrorMessage message={error ? errorText(f, error) : null} />
      <Status message={status} />
      <EffectivePolicyView people={people.data?.users ?? []} />
      <ConfirmDialog
        open={pending !== null}
        title={t('policies.confirm.title')}
        confirmLabel={t('policies.save')}
        danger={(pending?.ending ?? 0) > 0}
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (pending) await save.mutateAsync({ to: pending.to, policy: pending.policy });
        }}
      >
        <p>{t('policies.confirm.body')}</p>
        {pending && pending.ending !== null ? (
          <p className={pending.ending > 0 ? 'warning-text' : undefined}>
            <strong>{t('settings.confirm.ending', { count: pending.ending })}</strong>
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

/** One policy field: a select whose first choice, "not set", leaves the field to the role or the settings. */
function Choice({ name, label, current, children }: { name: string; label: string; current: string | number | undefined; children: ReactNode }) {
  const t = useFmt().t;
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={current === undefined ? '' : String(current)} className="fit" aria-describedby="policy-inherit-hint">
        <option value="">{t('policies.inherit')}</option>
        {children}
      </select>
    </div>
  );
}

const FIELD_LABEL: Record<keyof EffectivePolicy['fields'], MessageId> = {
  idleTimeoutSeconds: 'policies.idle',
  absoluteLifetimeSeconds: 'policies.lifetime',
  'rememberMe.enabled': 'policies.remember',
  'rememberMe.durationSeconds': 'policies.rememberDuration',
  maxSessionsPerUser: 'policies.max',
  sessionLimitAction: 'policies.limitAction',
  reauthenticationWindowSeconds: 'policies.stepUp',
  'deviceBinding.policy': 'policies.dbsc',
};

/** An effective value in words: durations, limits, on/off and the enum choices. */
function valueText(f: Fmt, field: keyof EffectivePolicy['fields'], value: unknown): string {
  const { t } = f;
  switch (field) {
    case 'idleTimeoutSeconds':
      return value === null ? t('policies.idleNever') : durationText(f, value as number);
    case 'maxSessionsPerUser':
      return value === null ? t('policies.unlimited') : f.intl.formatNumber(value as number);
    case 'rememberMe.enabled':
      return t(value ? 'policies.allowed' : 'policies.notAllowed');
    case 'sessionLimitAction':
      return t(value === 'deny' ? 'settings.limitAction.deny' : 'settings.limitAction.evict');
    case 'deviceBinding.policy':
      return t(DBSC[value as keyof typeof DBSC]);
    default:
      return durationText(f, value as number);
  }
}

/** What applies to one person, field by field, and where each value comes from (their policy, their role's, the settings). */
function EffectivePolicyView({ people }: { people: { id: string; email: string }[] }) {
  const f = useFmt();
  const { t } = f;
  const [userId, setUserId] = useState('');
  const effective = useQuery({ queryKey: keys.effectivePolicy(userId), queryFn: () => api.effectivePolicy(userId), enabled: userId !== '' });
  const data = effective.data;
  return (
    <div className="panel stack">
      <h3 id="effective-heading">{t('policies.effective.title')}</h3>
      <div className="field">
        <label htmlFor="effectivePerson">{t('policies.effective.person')}</label>
        <select id="effectivePerson" value={userId} onChange={(e) => setUserId(e.currentTarget.value)} className="fit">
          <option value="">{t('policies.effective.choose')}</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.email}
            </option>
          ))}
        </select>
      </div>
      {effective.error ? <LoadError error={effective.error} onRetry={() => void effective.refetch()} /> : null}
      {data ? (
        <DataTable
          caption={t('policies.effective.caption', { email: data.user.email })}
          showCaption
          rows={Object.keys(FIELD_LABEL) as (keyof EffectivePolicy['fields'])[]}
          rowKey={(field) => field}
          columns={[
            { key: 'setting', header: t('policies.effective.colSetting'), rowHeader: true, cell: (field) => t(FIELD_LABEL[field]) },
            { key: 'value', header: t('policies.effective.colValue'), cell: (field) => valueText(f, field, data.fields[field].value) },
            {
              key: 'source',
              header: t('policies.effective.colSource'),
              cell: (field) => {
                const { source } = data.fields[field];
                if (source === 'user') return t('policies.source.user');
                return source === 'role' ? t('policies.source.role', { role: t(ROLE_LABEL[data.user.role]) }) : t('policies.source.global');
              },
            },
          ]}
        />
      ) : null}
    </div>
  );
}
