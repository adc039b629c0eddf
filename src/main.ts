/**
 * The process: reads the environment (the only place that does), builds the
 * clients, migrates, serves, and stops gracefully on SIGTERM.
 */
import { existsSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { buildApp, buildSecurity, type BuiltApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { DatabaseUnavailableError, openDatabase, type Database } from './db/database';
import { applyMigrations, isMigrated, MigrationError, readLocalMigrations } from './db/migrate';
import { databaseOutageOf, OUTAGE_REASONS } from './db/unavailable';
import { advisoryRepositoryLock, checkGitVersion, createGitRepositories, type GitRepositories } from './git';
import { createGitHubClient, type GitHubClientOptions } from './github/client';
import { createLogger, scrubSecrets, type Logger } from './logger';
import { createMetrics, METRICS_CONTENT_TYPE } from './metrics';
import type { AcksFirstOptions } from './server/acks-first';
import { createHttpServer, listen, type RunningHttpServer } from './server/http-server';
import { gitReadinessWarnings } from './server/readiness';
import { createChannelCheck, type ChannelCheck } from './slack/channel-check';

/** How long a graceful stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 9_000;

export interface RunningBot {
  url: string;
  config: Config;
  database: Database;
  app: BuiltApp;
  /** The check of the announcement channel that `/readyz` reports. */
  channelCheck: ChannelCheck;
  /** Stops taking requests, finishes those in flight, stops jobs, closes the database. */
  stop(): Promise<void>;
}

/** Starts the bot from an environment; throws on bad configuration or an unreachable database. */
export async function startBot(options: {
  env: Record<string, string | undefined>;
  logger?: Logger;
  /** Listen on this host only (tests use 127.0.0.1). */
  host?: string;
  now?: () => Date;
  /** Retry and timeout timings; tests shorten them. */
  tuning?: {
    github?: Pick<GitHubClientOptions, 'requestTimeoutMs' | 'retry'>;
    slackRetry?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
    /** Start the scheduler's minute tick (default true). */
    runScheduler?: boolean;
    instanceId?: string;
    /** How follow-up work lets acks go first (default: AcksFirst's). */
    acksFirst?: AcksFirstOptions;
    /** The git executable (default `git` on PATH). */
    gitBinary?: string;
    /** Wraps the git adapter the bot builds (tests inject faults: a full disk, a broken network). */
    wrapGit?: (git: GitRepositories) => GitRepositories;
  };
}): Promise<RunningBot> {
  const config = loadConfig({ env: options.env });
  const logger = options.logger ?? createLogger({ level: config.env.LOG_LEVEL });
  const database = await openDatabase({
    databaseUrl: config.env.DATABASE_URL,
    dataDir: config.env.DATA_DIR,
    logger,
    connectTimeoutSeconds: config.env.DATABASE_CONNECT_TIMEOUT_SECONDS,
  });
  let server: RunningHttpServer | undefined;
  let app: BuiltApp | undefined;
  let channelCheck: ChannelCheck | undefined;
  try {
    const migrations = readLocalMigrations();
    if (config.env.MIGRATE_ON_START) await applyMigrations({ sql: database.sql, logger, migrations });
    // One registry per bot: two bots in one process (tests) count apart.
    const metrics = createMetrics({ logger });
    const [owner = '', repo = ''] = config.settings.repository.split('/');
    const { github: auth } = config;
    const github = createGitHubClient({
      // Installation tokens' expires_at is an instant on GitHub's real clock, whatever clock the bot is given.
      ...(auth.kind === 'token'
        ? { token: auth.token }
        : { app: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId }, wallClock: Date.now }),
      baseUrl: config.env.GITHUB_API_URL,
      owner,
      repo,
      logger: logger.child({ module: 'github' }),
      observer: metrics,
      ...options.tuning?.github,
    });
    const gitBinary = options.tuning?.gitBinary;
    // git missing or too old is reported by /readyz (checked once, at start).
    const gitCheck = await checkGitVersion({ gitBinary, env: options.env });
    if (!gitCheck.ok) logger.warn({ git: gitCheck.version }, gitCheck.reason);
    // Issue 16: the private repository of security releases (null when off); every push of `git` asks its guard.
    const security = buildSecurity({ config, logger, db: database, github, env: options.env, gitBinary });
    const built = createGitRepositories({
      dataDir: config.env.DATA_DIR,
      logger: logger.child({ module: 'git' }),
      credentials: () => github.gitCredentials(),
      lock: advisoryRepositoryLock(database.sql),
      env: options.env,
      gitBinary,
      formats: { branchFormat: config.settings.branchFormat, tagFormat: config.settings.tagFormat },
      guard: security?.repository.guard,
    });
    const git = options.tuning?.wrapGit ? options.tuning.wrapGit(built) : built;
    app = buildApp({
      config,
      logger,
      db: database,
      github,
      metrics,
      git,
      security,
      now: options.now ?? (() => new Date()),
      slackRetryConfig: options.tuning?.slackRetry,
      runScheduler: options.tuning?.runScheduler,
      instanceId: options.tuning?.instanceId,
      acksFirst: options.tuning?.acksFirst,
    });
    // Whether the bot can post in the announcement channel: checked at start and every few minutes, reported by /readyz.
    const check = createChannelCheck({ client: app.deps.slack, channel: config.settings.announcementChannel, logger });
    channelCheck = check;
    const routes: Record<string, RequestListener> = app.eventsListener ? { '/slack/events': app.eventsListener } : {};
    if (app.githubWebhookListener) routes['/github/webhooks'] = app.githubWebhookListener;
    const httpServer = createHttpServer({
      logger,
      routes,
      acksFirst: app.acksFirst,
      // On the main port, unauthenticated like /healthz: see the README's "Metrics".
      metrics: { render: () => metrics.render(), contentType: METRICS_CONTENT_TYPE },
      // On the database's probe connection (one, bounded), so a hanging database answers 503 quickly.
      isReady: async () => {
        try {
          return (await isMigrated({ sql: database.probe, migrations }))
            ? { ready: true }
            : { ready: false, reason: 'database not migrated' };
        } catch (error) {
          const outage = databaseOutageOf(error);
          logger.warn({ err: error, outage }, 'readiness check failed');
          return { ready: false, reason: outage ? OUTAGE_REASONS[outage] : 'readiness check failed' };
        }
      },
      notAnsweringReason: OUTAGE_REASONS['not-answering'],
      readinessWarnings: () => [...check.warnings(), ...gitReadinessWarnings(gitCheck)],
    });
    server = await listen(httpServer, config.env.PORT, options.host);
    await app.start();
    check.start();
    logger.info({ port: server.port, mode: app.mode, database: database.description }, 'release-conductor is running');
  } catch (error) {
    // The start-up error is the one to report; failures while undoing the start are only logged.
    const logCleanup = (what: string) => (cleanupError: unknown) =>
      logger.warn({ err: cleanupError }, `could not ${what} after a failed start`);
    await channelCheck?.stop().catch(logCleanup('stop the channel check'));
    await server?.close().catch(logCleanup('close the HTTP server'));
    await app?.stop().catch(logCleanup('stop the app'));
    await database.close().catch(logCleanup('close the database'));
    throw error;
  }
  const runningServer = server;
  const runningApp = app;
  const runningChannelCheck = channelCheck;
  let stopping: Promise<void> | undefined;
  return {
    url: runningServer.url,
    config,
    database,
    app: runningApp,
    channelCheck: runningChannelCheck,
    stop() {
      stopping ??= (async () => {
        logger.info('stopping: no new requests; finishing those in flight');
        await Promise.all([runningServer.close(), runningApp.stop(), runningChannelCheck.stop()]);
        await database.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

/** One line for each problem, for a person reading the terminal; no stack traces, no secrets. */
function describeStartupFailure(error: unknown): string[] | undefined {
  if (error instanceof ConfigError) return ['release-conductor: invalid configuration', ...error.problems.map((p) => `  ${p}`)];
  if (error instanceof DatabaseUnavailableError) return [`release-conductor: ${error.message}`];
  if (error instanceof MigrationError) return [`release-conductor: cannot migrate the database: ${error.message}`];
  return undefined;
}

/** Runs the bot until SIGTERM or SIGINT. A `.env` file in the working directory fills in unset variables. */
export async function runMain(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let bot: RunningBot | undefined;
  let signalled: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals, running: RunningBot) => {
    const deadline = setTimeout(() => {
      process.stderr.write(`release-conductor: did not stop within ${STOP_DEADLINE_MS} ms of ${signal}; exiting\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `release-conductor: error while stopping: ${scrubSecrets(error instanceof Error ? error.message : String(error))}\n`,
        );
        process.exit(1);
      },
    );
  };
  // Listening before start-up has finished (the server answers /readyz while the
  // scheduler catches up): a signal then stops the bot as soon as it has started.
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    if (bot) stop(signal, bot);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    bot = await startBot({ env: process.env });
  } catch (error) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    const lines = describeStartupFailure(error);
    if (!lines) throw error;
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  if (signalled) stop(signalled, bot);
}

if (require.main === module) {
  runMain().catch((error: unknown) => {
    process.stderr.write(`release-conductor: failed to start: ${scrubSecrets(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(1);
  });
}
