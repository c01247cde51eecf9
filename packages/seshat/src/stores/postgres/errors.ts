import pg from 'pg';

/**
 * Whether a pg error means "the database cannot be reached right now" (as opposed to a bad statement):
 * socket errors, pool timeouts, terminated connections, and the server's own connection-class SQLSTATEs
 * (08 connection exception, 53 insufficient resources, 57P admin shutdown / crash / cannot connect now,
 * 3D000 database does not exist). These must surface as 503 so clients retry, never as "not signed in".
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    return code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '3D000';
  }
  // Programming mistakes (bad parameter types) are TypeErrors/RangeErrors: those stay 500s.
  if (error instanceof TypeError || error instanceof RangeError) return false;
  // Everything else pg throws comes from the connection: ECONNREFUSED/ECONNRESET/ETIMEDOUT (possibly as an
  // AggregateError from happy-eyeballs), "Connection terminated unexpectedly", "timeout exceeded when trying
  // to connect", "Client has encountered a connection error and is not queryable".
  return error instanceof Error;
}
