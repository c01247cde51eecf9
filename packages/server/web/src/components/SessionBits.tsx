import type { Location, Session } from '../api.ts';
import { deviceLabel } from '../device.ts';
import { placeOf } from '../format.ts';
import { useFmt, type Fmt } from '../i18n/I18n.tsx';
import { WarningIcon } from './Icons.tsx';

/** "Berlin, Germany", "Local network", or "Unknown location". */
export function Place({ location, ip }: { location: Location | null; ip: string | null }) {
  const place = placeOf(useFmt(), location, ip);
  return <span className={place.kind === 'geo' ? undefined : 'muted'}>{place.text}</span>;
}

/** How a session is named in confirm dialogs and button labels: "Chrome on macOS in Berlin, Germany". */
export function sessionName(f: Fmt, session: Pick<Session, 'device' | 'location' | 'ip'>): string {
  const place = placeOf(f, session.location, session.ip);
  const device = deviceLabel(f, session.device);
  if (place.kind === 'geo') return f.t('session.nameIn', { device, place: place.text });
  if (place.kind === 'local') return f.t('session.nameLocal', { device });
  return f.t('session.nameUnknown', { device });
}

/**
 * "Protected: bound to this device": the browser keeps a key for this session in its hardware and proves it
 * every few minutes, so a copied cookie stops working on another machine.
 */
export function BoundBadge({ session }: { session: Pick<Session, 'deviceBound'> }) {
  const { t } = useFmt();
  if (!session.deviceBound) return null;
  return (
    <span className="badge badge-protected" title={t('session.boundHint')}>
      {t('session.bound')}
    </span>
  );
}

/** A warning for suspicious sign-ins; a quiet "New device" note when the only signal is a device not seen before. */
export function SuspiciousBadge({ risk }: { risk: Session['risk'] }) {
  const { t } = useFmt();
  if (risk?.suspicious) {
    return (
      <span className="badge badge-warning">
        <WarningIcon /> {t('risk.badge')}
      </span>
    );
  }
  if (risk && risk.reasons.length > 0) return <span className="badge badge-neutral">{t('risk.newDevice')}</span>;
  return null;
}
