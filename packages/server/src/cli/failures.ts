/**
 * Why the database could not be reached, in one sentence that names the server, the database and the cause
 * (refused, unknown host, no such database, authentication failed, timed out), for PostgreSQL URLs. Drivers
 * report these as codes buried in an error's cause chain; an operator needs the sentence.
 */
export function describeConnectionFailure(error: unknown, databaseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return null;
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) return null;
  const host = url.hostname || 'localhost';
  const port = url.port || '5432';
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  const user = decodeURIComponent(url.username) || '(default user)';
  const where = `PostgreSQL at ${host}:${port}, database "${database}"`;
  const cause = causeOf(error);
  switch (cause) {
    case 'ECONNREFUSED':
      return `Cannot connect to ${where}: connection refused (is PostgreSQL running and listening on ${host}:${port}?).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to ${where}: the host name ${host} does not resolve.`;
    case '3D000':
      return `Cannot connect to ${where}: the database does not exist (create it with \`createdb ${database}\`).`;
    case '28P01':
    case '28000':
      return `Cannot connect to ${where}: authentication failed for user ${user}.`;
    case 'ETIMEDOUT':
    case 'timeout':
      return `Cannot connect to ${where}: timed out.`;
    case 'ECONNRESET':
    case 'terminated':
      return `Lost the connection to ${where}.`;
    default:
      return null;
  }
}

/** The first recognisable code along an error's cause chain (and inside AggregateErrors). */
function causeOf(error: unknown, depth = 0): string | null {
  if (!(error instanceof Error) || depth > 8) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|3D000|28P01|28000)$/.test(code)) return code;
  if (/timeout exceeded when trying to connect/i.test(error.message)) return 'timeout';
  if (/Connection terminated/i.test(error.message)) return 'terminated';
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = causeOf(inner, depth + 1);
      if (found) return found;
    }
  }
  return causeOf(error.cause, depth + 1);
}
