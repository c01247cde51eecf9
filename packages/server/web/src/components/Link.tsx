import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate, usePath } from '../router.ts';

/** A real <a href> (so open-in-new-tab and keyboard work) that navigates client-side on a plain click. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const path = usePath();
  return (
    <a
      href={to}
      // The page itself, or a section it belongs to (a session's details belong to "Sessions").
      aria-current={path === to ? 'page' : path.startsWith(`${to}/`) ? 'true' : undefined}
      onClick={(event: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
      {...rest}
    />
  );
}
