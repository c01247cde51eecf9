import { useSyncExternalStore } from 'react';

/**
 * Client-side routing over the History API: a handful of fixed pages does not need a router library.
 * The server answers every non-API path with index.html, so reloads and bookmarks work.
 */
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/** The query string, so a page's filters live in its address (shareable, and kept by reload and Back). */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const search = useSyncExternalStore(subscribe, () => location.search);
  const value = new URLSearchParams(search).get(name) ?? '';
  const set = (next: string) => {
    const params = new URLSearchParams(location.search);
    if (next) params.set(name, next);
    else params.delete(name);
    const text = params.toString();
    navigate(location.pathname + (text ? `?${text}` : ''), { replace: true });
  };
  return [value, set];
}

/** `match('/sessions/:id', '/sessions/ses_1')` → `{ id: 'ses_1' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.replace(/\/+$/, '').split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}
