/**
 * Runs once before the suite: checks that PostgreSQL answers (so that a
 * missing database is one clear message, not a hundred failures), drops the
 * databases earlier test processes left (test/support/database.ts), and builds
 * the project if its sources changed (as `npm start` does), whose compiled entry points some tests start as
 * processes.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { dropDatabasesOfEndedProcesses } from './database';
import { testDatabaseUrl } from './env';

export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `The tests need PostgreSQL at ${new URL(testDatabaseUrl).host} (set TEST_DATABASE_URL to use another): ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  await dropDatabasesOfEndedProcesses();
  const root = path.resolve(__dirname, '..', '..');
  // As `npm start` builds: only when the sources changed since the last build (scripts/build.cjs).
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.cjs'), '--if-changed'], { cwd: root, stdio: 'inherit' });
}
