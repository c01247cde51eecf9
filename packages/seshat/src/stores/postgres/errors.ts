import pg from 'pg';

/**
 * Whether a pg error means "the database cannot be reached right now" (as opposed to a bad statement):
 * socket errors, pool timeouts, terminated connections, and the server's own connection-class SQLSTATEs
 * (08 connection exception, 53 insufficient resources, 57P admin shutdown / crash / cannot connect now,
 * 3D000 database does not exist), and 57014 (a statement cancelled by statement_timeout: the server is too slow). These must surface as 503 so clients retry, never as "not signed in".
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    return code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '3D000' || code === '57014';
  }
  // Programming mistakes (bad parameter types) are TypeErrors/RangeErrors: those stay 500s.
  if (error instanceof TypeError || error instanceof RangeError) return false;
  // Everything else pg throws comes from the connection: ECONNREFUSED/ECONNRESET/ETIMEDOUT (possibly as an
  // AggregateError from happy-eyeballs), "Connection terminated unexpectedly", "timeout exceeded when trying
  // to connect", "Client has encountered a connection error and is not queryable".
  return error instanceof Error;
}

/**
 * Whether a pg error is one of the store's timeouts: no answer to a statement in time (client side, `Query read
 * timeout`), no connection in time (`timeout exceeded when trying to connect`), or the server cancelling a
 * statement that ran past `statement_timeout` (SQLSTATE 57014). All mean "try again later": 503.
 */
export function isTimeout(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return error.code === '57014';
  return error instanceof Error && /Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(error.message);
}
