import { useEffect, useRef, type ReactNode } from 'react';
import { errorText, retryable } from '../errors.ts';
import { useFmt, useT } from '../i18n/I18n.tsx';
import { Link } from './Link.tsx';

let firstPage = true;

export interface Crumb {
  label: string;
  to: string;
}

/**
 * A page's heading and document title. After a client-side navigation focus moves to the heading,
 * so keyboard and screen-reader users start at the new content (not at the link they left).
 */
export function Page({ title, trail, intro, children, actions }: { title: string; trail?: Crumb[]; intro?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Seshat`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return (
    <>
      <div className="page-head">
        <div className="page-head-text">
          {trail ? (
            <nav aria-label={t('nav.breadcrumb')} className="breadcrumb">
              <ol>
                {trail.map((crumb) => (
                  <li key={crumb.to}>
                    <Link to={crumb.to}>{crumb.label}</Link>
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
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

/** A failed load: what went wrong and, when asking again can help, a Retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const f = useFmt();
  return (
    <div className="error load-error" role="alert">
      <p>{errorText(f, error)}</p>
      {retryable(error) ? (
        <button type="button" className="button secondary small" onClick={onRetry}>
          {f.t('action.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Loading() {
  return <p className="loading">{useT()('common.loading')}</p>;
}
