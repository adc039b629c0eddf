/**
 * Applies the SQL migrations in prisma/migrations/<timestamp>_<name>/migration.sql,
 * the way `prisma migrate deploy` does, without Prisma's native schema engine
 * (which cannot be downloaded everywhere the bot runs):
 *
 * - the same advisory lock as Prisma, so two replicas (or the bot and Prisma's
 *   CLI) never migrate at once: the second waits, then finds nothing to do;
 * - the same `_prisma_migrations` table and rows (sha256 checksum of the file),
 *   so `prisma migrate deploy` elsewhere sees these migrations as applied;
 * - each migration in its own transaction: it is applied and recorded whole, or
 *   not at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import type { SqlPort, SqlSession } from './database';
import { withAdvisoryLock } from './locks';

/** Where the migrations are, from src/db or dist/db alike. */
export const defaultMigrationsDir = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** A migration failed, or the database does not match the migration files. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The same statement Prisma uses to create its bookkeeping table on PostgreSQL. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** sha256 of the file's bytes, hex, as Prisma records it. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads the migration folders in name order (their timestamp prefix orders them). */
export function readLocalMigrations(migrationsDir: string = defaultMigrationsDir): LocalMigration[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

async function readApplied(session: SqlSession): Promise<Map<string, AppliedRow>> {
  const rows = await session.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const applied = new Map<string, AppliedRow>();
  for (const row of rows) if (row.rolled_back_at === null) applied.set(row.migration_name, row);
  return applied;
}

function checkApplied(local: LocalMigration, row: AppliedRow): void {
  if (row.finished_at === null) {
    throw new MigrationError(
      `Migration ${local.name} started earlier and did not finish. Repair the database by hand, ` +
        `then mark it with \`prisma migrate resolve\`.`,
      local.name,
    );
  }
  if (row.checksum !== local.checksum) {
    throw new MigrationError(
      `Migration ${local.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the ` +
        `database, ${local.checksum.slice(0, 12)}… in the file). Restore the file and add a new migration instead.`,
      local.name,
    );
  }
}

/** Applies every migration not yet applied; returns the names applied now. */
export async function applyMigrations(options: {
  sql: SqlPort;
  logger: Logger;
  migrations?: LocalMigration[];
}): Promise<{ applied: string[]; upToDate: string[] }> {
  const logger = options.logger.child({ module: 'migrate' });
  const migrations = options.migrations ?? readLocalMigrations();
  return withAdvisoryLock(options.sql, { namespace: 'migrations' }, async (session) => {
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const applied = await readApplied(session);
    const localNames = new Set(migrations.map((migration) => migration.name));
    for (const name of applied.keys()) {
      if (!localNames.has(name)) logger.warn({ migration: name }, 'the database has a migration this version does not know');
    }
    const appliedNow: string[] = [];
    const upToDate: string[] = [];
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row) {
        checkApplied(migration, row);
        upToDate.push(migration.name);
        continue;
      }
      await applyOne(session, migration);
      logger.info({ migration: migration.name }, 'migration applied');
      appliedNow.push(migration.name);
    }
    return { applied: appliedNow, upToDate };
  });
}

async function applyOne(session: SqlSession, migration: LocalMigration): Promise<void> {
  await session.exec('BEGIN');
  try {
    await session.exec(migration.sql);
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${reason}`, migration.name);
  }
}

/** True when every local migration is applied (the readiness check). */
export async function isMigrated(options: { sql: Pick<SqlSession, 'query'>; migrations: LocalMigration[] }): Promise<boolean> {
  const rows = await options.sql.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Set(rows.map((row) => row.migration_name));
  return options.migrations.every((migration) => applied.has(migration.name));
}
