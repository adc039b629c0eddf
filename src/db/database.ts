/**
 * Opens the database: PostgreSQL when a URL is given, otherwise embedded
 * PostgreSQL (PGlite) under the data directory. Both come with a Prisma client
 * and a small raw-SQL port used by the migrator, the readiness check and the
 * exactly-once ledgers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';
import type { Logger } from '../logger';
import { PrismaClient } from '../generated/prisma/client';

/** A dedicated connection: statements run in order on one session (advisory locks, transactions). */
export interface SqlSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements, without parameters. */
  exec(script: string): Promise<void>;
}

/** Raw SQL access for the parts that Prisma's query API does not cover. */
export interface SqlPort extends SqlSession {
  /** Runs `work` on one dedicated connection. */
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface Database {
  kind: 'postgres' | 'embedded';
  prisma: PrismaClient;
  sql: SqlPort;
  /**
   * For health checks: one connection at most, and every query bounded (connecting and answering within
   * PROBE_TIMEOUT_MS each), so a check never waits long or piles up connections when the database hangs.
   */
  probe: Pick<SqlSession, 'query'>;
  /** Where the data is, safe to log (no password). */
  description: string;
  close(): Promise<void>;
}

/** The database could not be reached within the time allowed. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly target: string,
    readonly waitedSeconds: number,
    readonly reason: string,
  ) {
    super(
      `Cannot reach the database at ${target} after ${waitedSeconds} s (${reason}). ` +
        'Check that PostgreSQL is running and that DATABASE_URL is right.',
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** Host, port and database of a URL, without credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}${schema ? ` (schema ${schema})` : ''}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

function pgErrorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Retries `attempt` with exponential backoff until it succeeds or `timeoutMs` has passed. */
async function retryUntil<T>(options: {
  attempt: () => Promise<T>;
  timeoutMs: number;
  logger: Logger;
  onGiveUp: (lastError: unknown, waitedMs: number) => Error;
}): Promise<T> {
  const started = Date.now();
  let delay = 250;
  for (;;) {
    try {
      return await options.attempt();
    } catch (error) {
      const waited = Date.now() - started;
      if (waited + delay > options.timeoutMs) throw options.onGiveUp(error, waited);
      options.logger.warn({ err: error, retryInMs: delay }, 'database not reachable yet, retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** How long the bot's own queries wait for a connection (connecting, or a free one in the pool) before failing. */
export const CONNECTION_TIMEOUT_MS = 5000;

/** How long a health check's query may take to connect, and then to answer. */
export const PROBE_TIMEOUT_MS = 1000;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pgPort(pool: Pool): SqlPort {
  const sessionOf = (client: Pool | PoolClient): SqlSession => ({
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await client.query<Row>(text, params);
      return result.rows;
    },
    async exec(script: string) {
      await client.query(script);
    },
  });
  return {
    ...sessionOf(pool),
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work(sessionOf(client));
      } finally {
        client.release();
      }
    },
  };
}

async function openPostgres(options: { url: string; logger: Logger; connectTimeoutSeconds: number }): Promise<Database> {
  const url = new URL(options.url);
  // Prisma's `?schema=` convention: the bot's tables live in that schema.
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const description = describeDatabaseUrl(options.url);
  const connection = {
    connectionString: url.toString(),
    options: schema ? `-c search_path=${quoteIdentifier(schema)}` : undefined,
    // A connection whose peer vanished (a black-holed network) is found by TCP keep-alive, not left waiting.
    keepAlive: true,
  };
  // No query timeout here: a session may wait on an advisory lock for as long as another replica's job holds it.
  const pool = new Pool({ ...connection, max: 10, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS });
  pool.on('error', (error) => options.logger.error({ err: error }, 'idle database connection failed'));
  // A failed or timed-out query releases its connection with the error, which destroys it: the next check connects anew.
  const probePool = new Pool({ ...connection, max: 1, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  probePool.on('error', (error) => options.logger.warn({ err: error }, 'idle health-check connection failed'));
  await retryUntil({
    attempt: async () => {
      await pool.query(schema ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}` : 'SELECT 1');
    },
    timeoutMs: options.connectTimeoutSeconds * 1000,
    logger: options.logger,
    onGiveUp: (error, waitedMs) => {
      void pool.end().catch(() => undefined);
      void probePool.end().catch(() => undefined);
      return new DatabaseUnavailableError(description, Math.round(waitedMs / 1000), pgErrorReason(error));
    },
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, schema ? { schema } : undefined) });
  return {
    kind: 'postgres',
    prisma,
    sql: pgPort(pool),
    probe: {
      async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
        return (await probePool.query<Row>(text, params)).rows;
      },
    },
    description,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), probePool.end()]);
    },
  };
}

async function openEmbedded(options: { dataDir: string; logger: Logger }): Promise<Database> {
  // Loaded only for the embedded database (about 12 MB that a PostgreSQL deployment does not need).
  // require, not import(): Jest's module system cannot run a dynamic import without a flag.
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PrismaPGlite } = require('pglite-prisma-adapter') as typeof import('pglite-prisma-adapter');
  const directory = path.resolve(options.dataDir, 'pglite');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  // PGlite is one connection: a session is the whole database, taken in turn.
  let queue: Promise<unknown> = Promise.resolve();
  const holding = new AsyncLocalStorage<true>();
  const session: SqlSession = {
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await db.query<Row>(text, params);
      return result.rows;
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    kind: 'embedded',
    prisma,
    description: `embedded PostgreSQL in ${directory}`,
    // One connection in the process: a check runs like any query (it cannot hang on a network).
    probe: session,
    sql: {
      ...session,
      withSession(work) {
        // Re-entrant: work already holding the session (e.g. a post under a lock, which takes the post's own lock)
        // runs on it at once instead of queueing behind itself.
        if (holding.getStore()) return work(session);
        const run = queue.then(() => holding.run(true, () => work(session)));
        queue = run.catch(() => undefined);
        return run;
      },
    },
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}

/** Opens PostgreSQL at `databaseUrl`, or the embedded database under `dataDir` when there is none. */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  connectTimeoutSeconds: number;
}): Promise<Database> {
  const logger = options.logger.child({ module: 'db' });
  const database = options.databaseUrl
    ? await openPostgres({ url: options.databaseUrl, logger, connectTimeoutSeconds: options.connectTimeoutSeconds })
    : await openEmbedded({ dataDir: options.dataDir, logger });
  logger.info({ database: database.description }, 'database connected');
  return database;
}
