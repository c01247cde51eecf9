import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.ts';
import { useFmt } from '../i18n/I18n.tsx';
import { ConfirmDialog } from './Dialog.tsx';

/**
 * "This wasn't me" (issue 10.4) on a session that is not the current one: signs out that session and every other,
 * revokes the API keys, and then only a password change is allowed (`onReported` shows that page).
 */
export function ReportSessionButton({ sessionId, onReported }: { sessionId: string; onReported: () => void }) {
  const { t } = useFmt();
  const [open, setOpen] = useState(false);
  const report = useMutation({ mutationFn: () => api.reportSession(sessionId) });
  return (
    <>
      <button type="button" className="button danger-outline" onClick={() => setOpen(true)}>
        {t('report.button')}
      </button>
      <ConfirmDialog
        open={open}
        title={t('report.title')}
        confirmLabel={t('report.confirm')}
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          await report.mutateAsync();
          onReported();
        }}
      >
        <p>{t('report.body')}</p>
      </ConfirmDialog>
    </>
  );
}
