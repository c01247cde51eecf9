import type { ReactNode } from 'react';
import { Link } from './Link.tsx';

/** The admin page of one person. */
export const personPath = (id: string) => `/admin/people/${encodeURIComponent(id)}`;

/**
 * A person's name or e-mail as a link to their admin page. Ids without an account (sessions or audit events of
 * a library user sharing the database, shown with an empty e-mail or none) have no page: plain text then.
 */
export function PersonLink({ person, children }: { person: { id: string; email: string | null }; children: ReactNode }) {
  if (!person.email) return <>{children}</>;
  return (
    <Link to={personPath(person.id)}>{children}</Link>
  );
}
