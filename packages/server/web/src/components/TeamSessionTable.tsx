import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type TeamSession } from '../api.ts';
import { useCan } from '../auth.tsx';
import { deviceLabel } from '../device.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { keys } from '../queries.ts';
import { DataTable } from './DataTable.tsx';
import { ConfirmDialog } from './Dialog.tsx';
import { DeviceIcon } from './Icons.tsx';
import { PersonLink } from './PersonLink.tsx';
import { ReasonField } from './PersonDialogs.tsx';
import { BoundBadge, Place, sessionName, SuspiciousBadge } from './SessionBits.tsx';
import { LastActive } from './Time.tsx';

/**
 * Other people's sessions as the team view shows them (addresses as the server sends them: anonymised without
 * sessions:view-ip), each with "Sign out" for `sessions:revoke`. The team page lists everyone's; the person
 * page one person's, without the person column.
 */
export function TeamSessionTable({
  sessions,
  caption,
  empty,
  showPerson = true,
  onStatus,
}: {
  sessions: TeamSession[];
  caption: string;
  empty?: string;
  showPerson?: boolean;
  onStatus: (message: string) => void;
}) {
  const f = useFmt();
  const { t } = f;
  const can = useCan();
  const queryClient = useQueryClient();
  const [revoking, setRevoking] = useState<TeamSession | null>(null);
  const revoke = useMutation({
    mutationFn: (v: { id: string; reason?: string }) => api.adminRevokeSession(v.id, v.reason),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin }),
  });

  const device = (s: TeamSession) => (
    <>
      <span className="device-cell">
        <DeviceIcon type={s.device.deviceType} />
        {deviceLabel(f, s.device)}
      </span>
      {s.current ? <span className="badge badge-current">{t('sessions.thisDeviceBadge')}</span> : null}
      <SuspiciousBadge risk={s.risk} />
      <BoundBadge session={s} />
    </>
  );

  return (
    <>
      <DataTable
        caption={caption}
        className="team-table"
        empty={empty}
        rows={sessions}
        rowKey={(s) => s.id}
        columns={[
          // The row is named by its person, or on one person's page by its device.
          ...(showPerson ? [{ key: 'person', header: t('field.person'), rowHeader: true, className: 'wrap-anywhere', cell: (s: TeamSession) => <PersonLink person={s.user}>{s.user.email}</PersonLink> }] : []),
          { key: 'device', header: t('field.device'), rowHeader: !showPerson, cell: device },
          { key: 'location', header: t('field.location'), cell: (s) => <Place location={s.location} ip={s.ip} /> },
          { key: 'ip', header: t('field.ip'), className: 'mono ip', cell: (s) => s.ip ?? t('common.unknown') },
          { key: 'lastActive', header: t('field.lastActive'), cell: (s) => <LastActive iso={s.lastActiveAt} /> },
        ]}
        actions={(s) =>
          s.current || !can('sessions:revoke') ? null : (
            <button
              type="button"
              className="button danger-outline small"
              aria-label={t('team.signOutSessionLabel', { email: s.user.email, name: sessionName(f, s) })}
              onClick={() => setRevoking(s)}
            >
              {t('action.signOut')}
            </button>
          )
        }
      />
      <ConfirmDialog
        open={revoking !== null}
        title={t('team.confirmSession.title')}
        confirmLabel={t('team.confirmSession.confirm')}
        autoFocusCancel={false}
        onClose={() => setRevoking(null)}
        onConfirm={async (form) => {
          if (!revoking) return;
          const reason = String(form.get('reason') ?? '').trim();
          await revoke.mutateAsync({ id: revoking.id, ...(reason ? { reason } : {}) });
          onStatus(t('team.signedOutSession', { email: revoking.user.email, name: sessionName(f, revoking) }));
        }}
      >
        {revoking ? (
          <>
            <p>{t('team.confirmSession.body', { email: revoking.user.email, name: sessionName(f, revoking) })}</p>
            <ReasonField required={false} />
          </>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
