import { useEffect, useState } from 'react';
import { dateTime, lastActiveText, timeAgo } from '../format.ts';

/** Re-renders every 30 s so "Active now" and "5 minutes ago" stay true while the page is open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Last activity: "Active now", a relative time, or a date after 7 days; the exact time on hover. */
export function LastActive({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {lastActiveText(iso, now)}
    </time>
  );
}

export function TimeAgo({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {timeAgo(iso, now)}
    </time>
  );
}

export function DateTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}
