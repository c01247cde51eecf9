import type { Location, Session } from '../api.ts';
import { placeOf } from '../format.ts';
import { WarningIcon } from './Icons.tsx';

/** "Berlin, Germany" with the honesty note, "Local network", or "Unknown location". */
export function Place({ location, ip, note = true }: { location: Location | null; ip: string | null; note?: boolean }) {
  const place = placeOf(location, ip);
  return (
    <>
      <span className={place.kind === 'geo' ? undefined : 'muted'}>{place.text}</span>
      {place.kind === 'geo' && note ? <span className="hint block">Approximate location based on IP</span> : null}
    </>
  );
}

/** How a session is named in confirm dialogs and button labels: "Chrome on macOS in Berlin, Germany". */
export function sessionName(session: Pick<Session, 'device' | 'location' | 'ip'>): string {
  const place = placeOf(session.location, session.ip);
  if (place.kind === 'geo') return `${session.device.label} in ${place.text}`;
  if (place.kind === 'local') return `${session.device.label} on the local network`;
  return `${session.device.label} (location unknown)`;
}

/**
 * "Protected: bound to this device": the browser keeps a key for this session in its hardware and proves it
 * every few minutes, so a copied cookie stops working on another machine.
 */
export function BoundBadge({ session }: { session: Pick<Session, 'deviceBound' | 'boundSince'> }) {
  if (!session.deviceBound) return null;
  return (
    <span className="badge badge-protected" title="A copy of this session's cookie stops working on any other device within minutes.">
      Protected: bound to this device
    </span>
  );
}

/** A warning for suspicious sign-ins; a quiet "New device" note when the only signal is a device not seen before. */
export function SuspiciousBadge({ risk }: { risk: Session['risk'] }) {
  if (risk?.suspicious) return <span className="badge badge-warning"><WarningIcon /> Suspicious sign-in</span>;
  if (risk && risk.reasons.length > 0) return <span className="badge badge-neutral" title={risk.reasons.join('; ')}>New device</span>;
  return null;
}

export function RiskReasons({ risk }: { risk: Session['risk'] }) {
  if (!risk?.suspicious) return null;
  return (
    <div className="risk">
      <p className="risk-title">This sign-in looked unusual{risk.reasons.length > 0 ? ':' : '.'}</p>
      {risk.reasons.length > 0 ? (
        <ul>
          {risk.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : null}
      <p>If this wasn't you, sign it out and change your password.</p>
    </div>
  );
}
