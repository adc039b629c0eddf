/**
 * `npx release-conductor <command>`: the bot's command line. Like main.ts, it
 * is an edge: it reads the environment and prints for a person.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { ConfigError, loadConfig, loadSettings } from './config';
import { openDatabase, type Database } from './db/database';
import { applyMigrations, isMigrated, MigrationError, readLocalMigrations } from './db/migrate';
import { createLogger, scrubSecrets, type Logger } from './logger';
import { runMain } from './main';
import { listUpcomingTrains, MAX_SCHEDULE_COUNT } from './schedule/upcoming-trains';
import { createTrainCalendar } from './train/calendar';
import { formatInZone, toIsoWithOffset, zoneLabel } from './train/time-format';

const USAGE = `Usage: release-conductor <command>

Commands:
  start                  run the bot (as \`npm start\`)
  migrate                apply database migrations and exit
  schedule [--from DATE] [--count N] [--json]
                         the next trains: kickoff, cutoff (PT, ET, UTC) and owner
  help                   this text
`;

type Output = { out: (text: string) => void; err: (text: string) => void };

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

async function migrate(env: Record<string, string | undefined>, io: Output): Promise<number> {
  // Migrating needs only the database settings, not Slack's or GitHub's.
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'unused-secret', GITHUB_TOKEN: 'unused', ...env },
  });
  const logger = createLogger({ level: config.env.LOG_LEVEL });
  const database = await openDatabase({
    databaseUrl: config.env.DATABASE_URL,
    dataDir: config.env.DATA_DIR,
    logger,
    connectTimeoutSeconds: config.env.DATABASE_CONNECT_TIMEOUT_SECONDS,
  });
  try {
    const result = await applyMigrations({ sql: database.sql, logger });
    io.out(
      result.applied.length > 0
        ? `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}\n`
        : `Database is up to date (${result.upToDate.length} migration(s) applied before).\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/** A usage mistake: exit code 2 and the message. */
class UsageError extends Error {}

function parseFrom(value: string | undefined, timeZone: string, now: Date): Date {
  if (value === undefined) return now;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = DateTime.fromISO(value, { zone: timeZone });
    if (start.isValid) return start.toJSDate();
  } else {
    const instant = DateTime.fromISO(value, { setZone: true });
    if (instant.isValid && /T/.test(value)) return instant.toJSDate();
  }
  throw new UsageError(`--from expects a date such as 2026-11-04 (or an ISO 8601 instant), not "${scrubSecrets(value)}"`);
}

async function printSchedule(args: string[], env: Record<string, string | undefined>, io: Output, now: Date): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { from: { type: 'string' }, count: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const settings = loadSettings({ path: env.CONDUCTOR_CONFIG || undefined });
  const count = values.count === undefined ? 6 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SCHEDULE_COUNT) {
    throw new UsageError(`--count expects a whole number from 1 to ${MAX_SCHEDULE_COUNT}, not "${scrubSecrets(values.count ?? '')}"`);
  }
  const from = parseFrom(values.from, settings.timeZone, now);
  const calendar = createTrainCalendar(settings);
  const logger = createLogger({ level: 'silent' });
  const database = await openScheduleDatabase(env, logger, io);
  try {
    const trains = await listUpcomingTrains({ calendar, from, count, prisma: database?.prisma ?? null });
    if (values.json) {
      const rows = trains.map((t) => ({
        train: t.train,
        kickoff: toIsoWithOffset(t.kickoff, settings.timeZone),
        cutoff: toIsoWithOffset(t.cutoff, settings.timeZone),
        owner: t.ownerName,
        ownerSlackUserId: t.owner,
      }));
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const zones = settings.displayTimeZones;
    const header = ['train', 'kickoff', ...zones.map((zone) => `cutoff ${zoneLabel(trains[0]?.cutoff ?? from, zone)}`), 'owner'];
    const rows = trains.map((t) => [
      String(t.train),
      formatInZone(t.kickoff, settings.timeZone, 'short'),
      ...zones.map((zone) => formatInZone(t.cutoff, zone, 'short')),
      t.ownerName ?? (database ? 'no owner assigned' : 'unknown (no database)'),
    ]);
    io.out(renderTable([header, ...rows]));
    return 0;
  } finally {
    await database?.close();
  }
}

/** The database for owners: DATABASE_URL, or the embedded one if it exists. Null (owners unknown) when there is none. */
async function openScheduleDatabase(env: Record<string, string | undefined>, logger: Logger, io: Output): Promise<Database | null> {
  const dataDir = env.DATA_DIR || './.data';
  if (!env.DATABASE_URL && !existsSync(path.join(dataDir, 'pglite'))) return null;
  try {
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir, logger, connectTimeoutSeconds: 5 });
    if (await isMigrated({ sql: database.sql, migrations: readLocalMigrations() }).catch(() => false)) return database;
    await database.close();
    io.err('The database is not migrated yet (npm run db:migrate); owners are not shown.\n');
  } catch (error) {
    io.err(`Owners are not shown: ${scrubSecrets(error instanceof Error ? error.message : String(error))}\n`);
  }
  return null;
}

function renderTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Runs one command; returns the exit code. */
export async function runCli(
  argv: string[],
  options: { env?: Record<string, string | undefined>; io?: Output; now?: () => Date } = {},
): Promise<number> {
  const env = options.env ?? process.env;
  const io = options.io ?? stdio;
  const [command = 'help'] = argv;
  try {
    switch (command) {
      case 'start':
        await runMain();
        return 0;
      case 'migrate':
        return await migrate(env, io);
      case 'schedule':
        return await printSchedule(argv.slice(1), env, io, (options.now ?? (() => new Date()))());
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        io.err(`Unknown command "${scrubSecrets(command)}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`release-conductor ${command}: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`Invalid configuration:\n${error.problems.map((line) => `  ${line}`).join('\n')}\n`);
    } else if (error instanceof MigrationError || error instanceof Error) {
      io.err(`release-conductor ${command}: ${scrubSecrets(error.message)}\n`);
    } else {
      io.err(`release-conductor ${command}: ${scrubSecrets(String(error))}\n`);
    }
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
