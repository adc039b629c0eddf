/**
 * `npx release-conductor <command>`: the bot's command line. Like main.ts, it
 * is an edge: it reads the environment and prints for a person.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { ConfigError, loadConfig, loadSettings } from './config';
import { AppError } from './errors';
import { createGitRepositories, type DotReleaseReport, type ForwardPort, type GitRepository, runDotRelease, type WhereIs } from './git';
import { createPrivateRepository, defaultStageTag, type PrivateRepository, runStageDeploy, servicesOf, stageTagProblem } from './git';
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
  dot-release --repo PATH|URL --train N --commits SHA,SHA… [--work-branch dot/train-N.P] [--dry-run] [--json]
                         cherry-pick the commits (-x, in main order) onto train-N, push it fast-forward
                         and push the tag v1.N.P by itself; stops at the first conflict, pushing nothing
                         to train-N (--dry-run: every step but pushing). Exit 1 when it stopped.
  forward-ports --repo PATH|URL [--train N] [--json]
                         fixes on each lower train (after its cut) and whether each newer train has them
  where SHA --repo PATH|URL [--json]
                         which trains and tags contain the commit, directly or as a cherry-pick
  security-tag --repo PATH|URL --private-repo PATH|URL --train N [--dry-run] [--json]
                         tag the fix merged on the private train-N as v1.N.P (P counts the tags of both
                         repositories) and push that tag alone to the private repository
  stage-deploy --repo PATH|URL --commits SHA,SHA… [--tag NAME] [--private-repo PATH|URL] [--dry-run] [--json]
                         cherry-pick the commits onto the latest train branch and push a temporary tag
                         (with a hyphen, never a release name; default stage-<user>-<date>) by itself
  help                   this text

dot-release and stage-deploy take --private-repo too: every push is then checked against the private
repository (refused if it carries a private-only commit) and its tags count when numbering.

The git commands keep a partial clone per repository under DATA_DIR/git (default ./.data/git);
for an HTTPS remote, GITHUB_TOKEN (if set) is handed to git through GIT_ASKPASS, never in a URL.
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

/** Parses a command's options, turning parseArgs' complaints into usage errors. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function openRepository(
  remote: string | undefined,
  env: Record<string, string | undefined>,
  io: Output,
  privateRemote?: string,
): GitRepository {
  if (!remote) throw new UsageError('--repo expects the path of a clone or the URL of a repository');
  const token = env.GITHUB_TOKEN || undefined;
  const repositories = createGitRepositories({
    dataDir: env.DATA_DIR || './.data',
    logger: createLogger({ level: env.LOG_LEVEL || 'warn', destination: { write: (line: string) => io.err(line) } }),
    env,
    credentials: async () => (token && /^https:/i.test(remote) ? { username: 'x-access-token', password: token } : null),
    guard: privateRemote === undefined ? undefined : openPrivateRepository(remote, privateRemote, env, io).guard,
  });
  return repositories.open(remote);
}

function parseTrain(value: string | undefined, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  const train = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(train)) {
    throw new UsageError(`--train expects a train number such as 301, not "${scrubSecrets(value ?? '')}"`);
  }
  return train;
}

async function dotRelease(args: string[], env: Record<string, string | undefined>, io: Output): Promise<number> {
  const { values } = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: 'string' },
      train: { type: 'string' },
      commits: { type: 'string' },
      'work-branch': { type: 'string' },
      'private-repo': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const train = parseTrain(values.train, true) ?? 0;
  const commits = parseCommitList(values.commits);
  const repository = openRepository(values.repo, env, io, values['private-repo']);
  const dryRun = values['dry-run'] ?? false;
  const report = await withJsonErrors(values.json ?? false, io, () =>
    runDotRelease({ repository, train, commits, dryRun, workBranch: dryRun ? undefined : values['work-branch'] }),
  );
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(describeDotRelease(report, train, dryRun, values['work-branch']));
  return report.conflict ? 1 : 0;
}

function describeDotRelease(report: DotReleaseReport, train: number, dryRun: boolean, workBranch: string | undefined): string {
  const text: string[] = [];
  const short = (sha: string) => sha.slice(0, 12);
  text.push(`Dot release of train ${train}${dryRun ? ' (dry run: nothing pushed)' : ''}:`);
  for (const sha of report.picked) text.push(`  picked   ${short(sha)}`);
  for (const skip of report.skipped)
    text.push(`  skipped  ${short(skip.sha)} (already on the train: ${skip.matchedBy} ${short(skip.trainCommit)})`);
  if (report.conflict) {
    text.push(`  CONFLICT ${short(report.conflict.commit)} in ${report.conflict.files.join(', ')}`);
    text.push('Stopped at the conflict: nothing was pushed to the train branch and nothing was tagged.');
    if (workBranch) {
      text.push(`The clean picks are on ${workBranch}. To finish by hand:`);
      text.push(`  git fetch origin && git switch ${workBranch}`);
      text.push(`  git cherry-pick -x ${report.conflict.commit}   # resolve, git add, git cherry-pick --continue`);
      text.push(`  git push origin ${workBranch}`);
    }
  } else if (report.tag === null) {
    text.push('Every commit is on the train already: nothing to release, nothing pushed or tagged.');
  } else {
    text.push(`Tree ${report.tree}; tag ${report.tag}${dryRun ? ' (would be created)' : ' pushed'}.`);
  }
  return `${text.join('\n')}\n`;
}

async function forwardPortsCommand(args: string[], env: Record<string, string | undefined>, io: Output): Promise<number> {
  const { values } = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: { repo: { type: 'string' }, train: { type: 'string' }, json: { type: 'boolean' } },
  });
  const train = parseTrain(values.train, false);
  const repository = openRepository(values.repo, env, io);
  const ports: ForwardPort[] = await withJsonErrors(values.json ?? false, io, () => repository.forwardPorts({ train }));
  if (values.json) {
    io.out(`${JSON.stringify(ports, null, 2)}\n`);
    return 0;
  }
  if (ports.length === 0) {
    io.out('No fix on a lower train after its cut.\n');
    return 0;
  }
  const rows = ports.map((p) => [`${p.lower} → ${p.upper}`, p.sha.slice(0, 12), p.onUpper ? 'yes' : 'NO', p.matchedBy ?? '-', p.subject]);
  io.out(renderTable([['trains', 'commit', 'on upper', 'matched by', 'subject'], ...rows]));
  return 0;
}

async function whereCommand(args: string[], env: Record<string, string | undefined>, io: Output): Promise<number> {
  const { values, positionals } = parseOptions({
    args,
    strict: true,
    allowPositionals: true,
    options: { repo: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [sha, ...extra] = positionals;
  if (!sha || extra.length > 0) throw new UsageError('where expects one commit SHA, e.g. `where 1a2b3c4d --repo .`');
  const repository = openRepository(values.repo, env, io);
  const where: WhereIs = await withJsonErrors(values.json ?? false, io, () => repository.whereIs(sha));
  if (values.json) {
    io.out(`${JSON.stringify(where, null, 2)}\n`);
    return 0;
  }
  const text = [`${where.sha.slice(0, 12)} ${where.subject}${where.onMain ? '' : ' (not on main)'}`];
  if (where.trains.length === 0) text.push('  on no train yet');
  for (const t of where.trains) {
    const how = t.matchedBy === 'same-commit' ? 'directly' : `as ${t.commit.slice(0, 12)} (${t.matchedBy})`;
    text.push(`  ${t.branch} ${how}; tags: ${t.tags.length > 0 ? t.tags.join(', ') : 'none yet'}`);
  }
  io.out(`${text.join('\n')}\n`);
  return 0;
}

/** `--commits a,b,c`: the SHAs, in the order given. */
function parseCommitList(value: string | undefined): string[] {
  if (value === undefined) throw new UsageError('--commits expects the SHAs to pick, separated by commas');
  return value
    .split(',')
    .map((sha) => sha.trim())
    .filter((sha) => sha.length > 0);
}

/** The private repository of security releases (its own clone under DATA_DIR/git-private), for the CLI. */
function openPrivateRepository(
  remote: string | undefined,
  privateRemote: string | undefined,
  env: Record<string, string | undefined>,
  io: Output,
): PrivateRepository {
  if (!remote) throw new UsageError('--repo expects the path of a clone or the URL of the public repository');
  if (!privateRemote) throw new UsageError('--private-repo expects the path or URL of the private repository');
  const token = env.GITHUB_TOKEN || undefined;
  return createPrivateRepository({
    dataDir: env.DATA_DIR || './.data',
    logger: createLogger({ level: env.LOG_LEVEL || 'warn', destination: { write: (line: string) => io.err(line) } }),
    env,
    privateRemote,
    publicRemote: remote,
    credentials: async () => (token ? { username: 'x-access-token', password: token } : null),
  });
}

async function securityTag(args: string[], env: Record<string, string | undefined>, io: Output): Promise<number> {
  const { values } = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: 'string' },
      'private-repo': { type: 'string' },
      train: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const train = parseTrain(values.train, true) ?? 0;
  const security = openPrivateRepository(values.repo, values['private-repo'], env, io);
  const dryRun = values['dry-run'] ?? false;
  const result = await withJsonErrors(values.json ?? false, io, () => security.tag({ train, dryRun }));
  if (values.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else
    io.out(
      dryRun
        ? `Security release of train ${train} (dry run): would tag ${result.commit.slice(0, 12)} as ${result.tag} in the private repository.\n`
        : `Tagged ${result.commit.slice(0, 12)} as ${result.tag} and pushed that tag alone to ${result.pushedTo}.\n`,
    );
  return 0;
}

async function stageDeploy(args: string[], env: Record<string, string | undefined>, io: Output, now: Date): Promise<number> {
  const { values } = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: 'string' },
      commits: { type: 'string' },
      tag: { type: 'string' },
      'private-repo': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const commits = parseCommitList(values.commits);
  const settings = loadSettings({ path: env.CONDUCTOR_CONFIG || undefined });
  const tag = values.tag ?? defaultStageTag(env.USER || env.LOGNAME || 'someone', now);
  const problem = stageTagProblem(tag, settings.tagFormat);
  if (problem) throw new UsageError(`--tag: ${problem.replace(/`/g, '')}`);
  const repository = openRepository(values.repo, env, io, values['private-repo']);
  const report = await withJsonErrors(values.json ?? false, io, () =>
    runStageDeploy({ repository, commits, tag, tagFormat: settings.tagFormat, dryRun: values['dry-run'] ?? false }),
  );
  if (values.json) {
    const { branch, tag: pushed, picked, conflict } = report;
    io.out(`${JSON.stringify({ branch, tag: pushed, picked, conflict }, null, 2)}\n`);
  } else if (report.conflict) {
    io.out(
      `Stopped: ${report.conflict.commit.slice(0, 12)} conflicts on ${report.branch} in ${report.conflict.files.join(', ')}. Nothing was pushed.\n`,
    );
  } else {
    const { services } = servicesOf(report.changedPaths);
    io.out(
      `${values['dry-run'] ? 'Would push' : 'Pushed'} ${report.tag} (off ${report.branch}, ${report.picked.length} pick(s)). Services touched: ${services.join(', ') || 'none under packages/'}. The next train or dot-release tag on stage replaces it.\n`,
    );
  }
  return report.conflict ? 1 : 0;
}

/** In JSON mode, a failure is also a JSON object on stdout (`{ "error": { "code", "message" } }`) for scripts. */
async function withJsonErrors<T>(json: boolean, io: Output, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (json && error instanceof AppError) {
      const code = 'reason' in error && typeof error.reason === 'string' ? error.reason : error.code;
      io.out(`${JSON.stringify({ error: { code, message: error.userMessage } }, null, 2)}\n`);
    }
    throw error;
  }
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
      case 'dot-release':
        return await dotRelease(argv.slice(1), env, io);
      case 'forward-ports':
        return await forwardPortsCommand(argv.slice(1), env, io);
      case 'where':
        return await whereCommand(argv.slice(1), env, io);
      case 'security-tag':
        return await securityTag(argv.slice(1), env, io);
      case 'stage-deploy':
        return await stageDeploy(argv.slice(1), env, io, (options.now ?? (() => new Date()))());
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
    if (error instanceof AppError) {
      io.err(`release-conductor ${command}: ${error.userMessage}\n`);
    } else if (error instanceof ConfigError) {
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
