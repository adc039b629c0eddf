/**
 * Tells a database outage apart from other failures, whatever layer raised it:
 * the socket (node), the driver (`pg`, `pg-pool`), PostgreSQL itself, or
 * Prisma with its pg adapter. The shapes below were observed by pointing the
 * bot at a port with nothing listening, at a proxy that accepts and never
 * answers, and at a role over its connection limit (test/db/unavailable.test.ts
 * makes each of them happen). The Slack edge and the readiness check ask this
 * module; nothing else reads these codes or messages.
 */
import { Prisma } from '../generated/prisma/client';

/** How the database is unavailable: nothing was changed by a request that failed so. */
export type DatabaseOutage =
  /** Nothing answered the connection (refused, unknown host, database shutting down or starting). */
  | 'unreachable'
  /** A connection or a query waited past its time (the database or the network hangs). */
  | 'not-answering'
  /** The database refuses more connections. */
  | 'too-many-connections'
  /** An open connection was cut. */
  | 'connection-lost';

/** A few words for a health check's answer (e.g. `/readyz`'s reason). */
export const OUTAGE_REASONS: Record<DatabaseOutage, string> = {
  unreachable: 'database unreachable',
  'not-answering': 'database not answering',
  'too-many-connections': 'database has no free connections',
  'connection-lost': 'database connection lost',
};

const SOCKET_CODES: Record<string, DatabaseOutage> = {
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'not-answering',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
};

/** PostgreSQL's SQLSTATEs for an unavailable server (class 08: connection exception). */
function outageOfSqlState(code: string): DatabaseOutage | undefined {
  if (code === '53300') return 'too-many-connections'; // too_many_connections (also a role's CONNECTION LIMIT)
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'unreachable'; // shutting down, crashed, starting up
  if (code.startsWith('08')) return 'connection-lost';
  return undefined;
}

/** The messages `pg` and `pg-pool` give their own failures, which carry no code. */
const DRIVER_MESSAGES: Record<string, DatabaseOutage> = {
  'Connection terminated unexpectedly': 'connection-lost',
  'Client has encountered a connection error and is not queryable': 'connection-lost',
  'Connection terminated due to connection timeout': 'not-answering', // pg-pool: connect() past connectionTimeoutMillis
  'timeout exceeded when trying to connect': 'not-answering', // pg-pool: every connection busy past connectionTimeoutMillis
  'Query read timeout': 'not-answering', // pg: query_timeout
};

/** Prisma's error codes for an unavailable database. */
const PRISMA_CODES: Record<string, DatabaseOutage> = {
  P1001: 'unreachable', // can't reach database server
  P1002: 'not-answering', // reached but timed out
  P1008: 'not-answering', // operations timed out
  P1017: 'connection-lost', // server closed the connection
  P2024: 'not-answering', // timed out fetching a connection from the pool
  P2037: 'too-many-connections',
};

/** The adapter's error kinds (`@prisma/adapter-pg`'s `convertDriverError`), carried in `meta.driverAdapterError.cause`. */
const ADAPTER_KINDS: Record<string, DatabaseOutage> = {
  DatabaseNotReachable: 'unreachable',
  SocketTimeout: 'not-answering',
  ConnectionClosed: 'connection-lost',
  TooManyConnections: 'too-many-connections',
};

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function outageOfOne(error: unknown): DatabaseOutage | undefined {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const kind = field(field(field(error.meta, 'driverAdapterError'), 'cause'), 'kind');
    if (typeof kind === 'string' && ADAPTER_KINDS[kind]) return ADAPTER_KINDS[kind];
    if (PRISMA_CODES[error.code]) return PRISMA_CODES[error.code];
    // Interactive transactions wait `maxWait` for a connection, then give up with P2028 and this message.
    if (error.code === 'P2028' && error.message.includes('Unable to start a transaction in the given time')) return 'not-answering';
    return undefined;
  }
  // Duck-typed, not `instanceof Error`: node's socket errors may come from another realm (Jest's sandbox, a worker).
  const code = field(error, 'code');
  if (typeof code === 'string') {
    if (typeof field(error, 'syscall') === 'string' && SOCKET_CODES[code]) return SOCKET_CODES[code];
    // A PostgreSQL error as `pg` gives it: a SQLSTATE and a severity.
    if (typeof field(error, 'severity') === 'string') return outageOfSqlState(code);
  }
  const message = field(error, 'message');
  return typeof message === 'string' && Object.hasOwn(DRIVER_MESSAGES, message) ? DRIVER_MESSAGES[message] : undefined;
}

/**
 * How the database was unavailable when `error` happened, or undefined when `error` is something else.
 * Follows `cause` (and AggregateError's `errors`), so an error wrapped by a store or a use case is still seen.
 */
export function databaseOutageOf(error: unknown): DatabaseOutage | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    const outage = outageOfOne(current);
    if (outage) return outage;
    const errors = field(current, 'errors'); // AggregateError
    if (Array.isArray(errors)) pending.push(...errors);
    pending.push(field(current, 'cause'));
  }
  return undefined;
}
