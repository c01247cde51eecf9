import { useEffect, useRef, type ReactNode } from 'react';

let firstPage = true;

/**
 * A page's heading and document title. After a client-side navigation focus moves to the heading,
 * so keyboard and screen-reader users start at the new content (not at the link they left).
 */
export function Page({ title, trail, intro, children, actions }: { title: string; trail?: string[]; intro?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Seshat`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return (
    <>
      <div className="page-head">
        <div>
          {trail ? <p className="breadcrumb">{trail.join(' › ')}</p> : null}
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {intro ? <p className="intro">{intro}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}

/** Polite announcements ("Signed out Chrome on macOS.") for screen readers, visible to everyone. */
export function Status({ message }: { message: string | null }) {
  return (
    <p className="status" role="status" aria-live="polite">
      {message}
    </p>
  );
}

export function ErrorMessage({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}
