/**
 * `npx release-conductor <command>`: the bot's command line. Like main.ts, it
 * is an edge: it reads the environment and prints for a person.
 */
import { loadConfig, ConfigError } from './config';
import { openDatabase } from './db/database';
import { applyMigrations, MigrationError } from './db/migrate';
import { createLogger } from './logger';
import { runMain } from './main';
import { scrubSecrets } from './logger';

const USAGE = `Usage: release-conductor <command>

Commands:
  start      run the bot (as \`npm start\`)
  migrate    apply database migrations and exit
  help       this text
`;

type Output = { out: (text: string) => void; err: (text: string) => void };

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

async function migrate(env: Record<string, string | undefined>, io: Output): Promise<number> {
  // Migrating needs only the database settings, not Slack's or GitHub's.
  const config = loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'unused-secret', GITHUB_TOKEN: 'unused', ...env } });
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

/** Runs one command; returns the exit code. */
export async function runCli(argv: string[], options: { env?: Record<string, string | undefined>; io?: Output } = {}): Promise<number> {
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
