/**
 * Real PostgreSQL for tests: each test file gets its own schema, migrated with
 * the project's migrator, and dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { testDatabaseUrl } from './env';

export const silentLogger = createLogger({ level: 'silent' });

export interface TestDatabase {
  db: Database;
  /** DATABASE_URL that points at this schema (for a second process or replica). */
  url: string;
  schema: string;
  /** Closes the connections and drops the schema. */
  drop(): Promise<void>;
}

/** A fresh schema name, unique per call. */
export function freshSchemaName(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The test database URL with `?schema=`. */
export function urlForSchema(schema: string): string {
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Drops a schema created by a test. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl });
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
