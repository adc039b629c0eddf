/**
 * Real PostgreSQL for tests: each test file gets its own schema, migrated with
 * the project's migrator, and dropped at the end.
 *
 * A schema does not isolate everything: PostgreSQL's advisory locks belong to
 * the database. With every test file in one database, files running at once
 * (two Jest workers, or another checkout's run on the same server) took each
 * other's locks: a roster import waited for another file's roster transaction
 * (its Prisma transaction then expired), and a notice flush found "another
 * flusher busy" that was another file's release 1, so the notice was left for
 * a next flush that never came (test/tagging/webhooks.test.ts under load). So
 * under Jest each process has its own database, `<test database>_p<pid>`
 * (created by test/support/process-database.ts before a file's hooks), and its
 * files' schemas live in it; outside Jest (the bench) the test database itself.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { testDatabaseUrl, underJest } from './env';

export const silentLogger = createLogger({ level: 'silent' });

export interface TestDatabase {
  db: Database;
  /** DATABASE_URL that points at this schema (for a second process or replica). */
  url: string;
  schema: string;
  /** Closes the connections and drops the schema. */
  drop(): Promise<void>;
}

const baseDatabase = decodeURIComponent(new URL(testDatabaseUrl).pathname.slice(1)) || 'postgres';
const PROCESS_DATABASE_PREFIX = `${baseDatabase}_p`;

/** This process's database: where its schemas (and so its advisory locks) live. */
export const processDatabaseUrl: string = (() => {
  if (!underJest) return testDatabaseUrl;
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${encodeURIComponent(`${PROCESS_DATABASE_PREFIX}${process.pid}`)}`;
  return url.toString();
})();

async function withServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let created: Promise<void> | undefined;

/** Creates this process's database if it does not exist yet (once per process; a no-op outside Jest). */
export function ensureProcessDatabase(): Promise<void> {
  if (!underJest) return Promise.resolve();
  created ??= withServer(async (client) => {
    const name = decodeURIComponent(new URL(processDatabaseUrl).pathname.slice(1));
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    // template0: nobody is ever connected to it (CREATE DATABASE from template1 fails while anyone is).
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
      // A commit returns once it is visible, without waiting for its WAL to reach the disk: what other sessions
      // see, and when, is the same (so are locks and isolation); only a crash of PostgreSQL itself could lose
      // the last commits, and no test crashes the server. The suite commits thousands of times (each migration,
      // each row the bot writes), and on a busy machine each flush costs milliseconds.
      await client.query(`ALTER DATABASE "${name}" SET synchronous_commit TO off`);
    }
  });
  return created;
}

/**
 * Drops the databases of test processes that are gone (a process's database
 * outlives it: nothing async runs at a worker's exit). Only `<test database>_p<pid>`
 * whose pid no longer runs on this machine; those of runs going on meanwhile stay.
 */
export async function dropDatabasesOfEndedProcesses(): Promise<void> {
  await withServer(async (client) => {
    const rows = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      PROCESS_DATABASE_PREFIX,
    ]);
    for (const { datname } of rows.rows) {
      const pid = Number(datname.slice(PROCESS_DATABASE_PREFIX.length));
      if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh schema name, unique per call. */
export function freshSchemaName(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** This process's database URL with `?schema=`. */
export function urlForSchema(schema: string): string {
  const url = new URL(processDatabaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Drops a schema created by a test. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: processDatabaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens a new, migrated schema (unless `migrate: false`). */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const schema = freshSchemaName();
  const url = urlForSchema(schema);
  const db = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent', logger: silentLogger, connectTimeoutSeconds: 5 });
  if (options.migrate !== false) await applyMigrations({ sql: db.sql, logger: silentLogger });
  return {
    db,
    url,
    schema,
    async drop() {
      await db.close();
      await dropSchema(schema);
    },
  };
}
