/**
 * Where to go after sign-in: the `?next=` path, only if it stays on this origin (no open redirect), else `fallback`.
 * Compared as the browser will resolve it — `new URL(next, origin).origin` — rather than by its first characters:
 * `/\evil.com` and `/<TAB>/evil.com` look like paths but browsers resolve them to another host (issue 14.24).
 */
export function safeNextPath(next: string | null, origin: string, fallback: string): string {
  if (!next) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin || url.pathname.startsWith('/sign-in')) return fallback;
  return url.pathname + url.search + url.hash;
}
