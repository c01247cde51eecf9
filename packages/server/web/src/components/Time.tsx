import { useEffect, useState } from 'react';
import { dateTime, exactTime, lastActiveText, timeAgo } from '../format.ts';
import { useFmt } from '../i18n/I18n.tsx';

/** Re-renders every 30 s so "Active now" and "5 minutes ago" stay true while the page is open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * A relative time whose exact value is one tap away: hover titles do not exist on touch screens, so the
 * text itself is a button that switches between "5 minutes ago" and "23 Nov 2026, 14:05 UTC".
 */
function Relative({ iso, text }: { iso: string; text: string }) {
  const f = useFmt();
  const [exact, setExact] = useState(false);
  const full = dateTime(f, iso);
  return (
    <button type="button" className="time-toggle" aria-pressed={exact} title={full} onClick={() => setExact((v) => !v)}>
      <time dateTime={iso}>{exact ? full : text}</time>
    </button>
  );
}

/** Last activity: "Active now", a relative time, or the date and time after 7 days. */
export function LastActive({ iso }: { iso: string }) {
  const f = useFmt();
  return <Relative iso={iso} text={lastActiveText(f, iso, useNow())} />;
}

export function TimeAgo({ iso }: { iso: string }) {
  const f = useFmt();
  return <Relative iso={iso} text={timeAgo(f, iso, useNow())} />;
}

export function DateTime({ iso, seconds = false }: { iso: string; seconds?: boolean }) {
  const f = useFmt();
  return <time dateTime={iso}>{seconds ? exactTime(f, iso) : dateTime(f, iso)}</time>;
}
