import { createHash } from 'node:crypto';
import { openDatabase, DatabaseUnavailableError } from '../../src/db/database';
import { applyMigrations, checksumOf, isMigrated, MigrationError, readLocalMigrations, type LocalMigration } from '../../src/db/migrate';
import { openTestDatabase, silentLogger, urlForSchema, type TestDatabase } from '../support/database';

const migrations = readLocalMigrations();

async function openSchema(schema: string) {
  return openDatabase({ databaseUrl: urlForSchema(schema), dataDir: '/nonexistent', logger: silentLogger, connectTimeoutSeconds: 5 });
}

describe('migrations', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase({ migrate: false });
  });
  afterEach(async () => {
    await test.drop();
  });

  it('applies every migration once and records it exactly as Prisma does', async () => {
    const first = await applyMigrations({ sql: test.db.sql, logger: silentLogger });
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const second = await applyMigrations({ sql: test.db.sql, logger: silentLogger });
    expect(second).toEqual({ applied: [], upToDate: migrations.map((m) => m.name) });

    const columns = await test.db.sql.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      [test.schema],
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'checksum', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'migration_name', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'logs', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'started_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'applied_steps_count', data_type: 'integer', is_nullable: 'NO' },
    ]);
    const rows = await test.db.sql.query<Record<string, unknown>>(
      'SELECT id, checksum, migration_name, finished_at, rolled_back_at, applied_steps_count, logs FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toHaveLength(migrations.length);
    rows.forEach((row, index) => {
      const migration = migrations[index] as LocalMigration;
      expect(row.migration_name).toBe(migration.name);
      // Prisma's checksum: sha256 of the migration.sql bytes, hex.
      expect(row.checksum).toBe(createHash('sha256').update(migration.sql).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    });
    expect(await isMigrated({ sql: test.db.sql, migrations })).toBe(true);
  });

  it('refuses to start when an applied migration was edited, and names it', async () => {
    await applyMigrations({ sql: test.db.sql, logger: silentLogger });
    const edited = migrations.map((m, i) =>
      i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: checksumOf(`${m.sql}\n-- edited`) } : m,
    );
    const attempt = applyMigrations({ sql: test.db.sql, logger: silentLogger, migrations: edited });
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(new RegExp(`Migration ${migrations[0]?.name} was changed after it was applied`));
  });

  it('rolls back a failing migration whole and records nothing', async () => {
    await applyMigrations({ sql: test.db.sql, logger: silentLogger });
    const broken: LocalMigration = {
      name: '29990101000000_broken',
      sql: 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;',
      checksum: checksumOf('x'),
    };
    await expect(applyMigrations({ sql: test.db.sql, logger: silentLogger, migrations: [...migrations, broken] })).rejects.toThrow(
      /Migration 29990101000000_broken failed and was rolled back: .*no_such_table/,
    );
    const tables = await test.db.sql.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
      test.schema,
      'half_done',
    ]);
    expect(tables).toHaveLength(0);
    const recorded = await test.db.sql.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', [broken.name]);
    expect(recorded).toHaveLength(0);
    expect(await isMigrated({ sql: test.db.sql, migrations: [...migrations, broken] })).toBe(false);
  });

  it('two processes migrating at once both succeed and each migration is applied once', async () => {
    // Two separate pools (as two replicas would have) against the same empty schema.
    const other = await openSchema(test.schema);
    try {
      const slow: LocalMigration = {
        name: '29990101000000_slow',
        sql: 'SELECT pg_sleep(0.3);\nCREATE TABLE slow_marker (id int);',
        checksum: checksumOf('SELECT pg_sleep(0.3);\nCREATE TABLE slow_marker (id int);'),
      };
      const all = [...migrations, slow];
      const [a, b] = await Promise.all([
        applyMigrations({ sql: test.db.sql, logger: silentLogger, migrations: all }),
        applyMigrations({ sql: other.sql, logger: silentLogger, migrations: all }),
      ]);
      expect([...a.applied, ...b.applied].sort()).toEqual(all.map((m) => m.name).sort());
      const counts = await test.db.sql.query<{ migration_name: string; n: string }>(
        'SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name',
      );
      expect(counts).toHaveLength(all.length);
      for (const row of counts) expect(Number(row.n)).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('database unreachable', () => {
  it('retries with backoff for the time allowed, then fails with a clear message and no password', async () => {
    const started = Date.now();
    const attempt = openDatabase({
      databaseUrl: 'postgresql://bot:s3cretpass@127.0.0.1:1/conductor',
      dataDir: '/nonexistent',
      logger: silentLogger,
      connectTimeoutSeconds: 1.5,
    });
    await expect(attempt).rejects.toThrow(DatabaseUnavailableError);
    const error = await attempt.catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/Cannot reach the database at 127\.0\.0\.1:1\/conductor after \d+ s \(.*ECONNREFUSED/);
    expect(String((error as Error).message)).not.toContain('s3cretpass');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(5000);
  });
});
