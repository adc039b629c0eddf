/**
 * buildApp(deps): the Bolt app with every listener registered, and the jobs.
 * No I/O happens here; `start()` connects (Socket Mode) and starts the jobs.
 */
import type { RequestListener } from 'node:http';
import type { App } from '@slack/bolt';
import { createAdminDirectory } from './auth/admins';
import type { Config } from './config';
import type { AppDeps } from './deps';
import type { Feature } from './feature';
import type { Database } from './db/database';
import type { GitHubClient } from './github/client';
import { upliftAllowedCommits } from './security/security-store';
import type { Logger } from './logger';
import { createWebhookListener } from './github/webhooks';
import type { Metrics } from './metrics';
import { createScheduler, type Scheduler } from './scheduler';
import { AcksFirst, type AcksFirstOptions } from './server/acks-first';
import { InFlightWork } from './server/in-flight';
import { createBolt } from './slack/create-bolt';
import { registerFeatures } from './slack/register';
import { createSlackDirectory } from './slack/directory';
import { createMessenger } from './slack/messenger';
import { findOwnerOfTrain } from './rotation/owner';
import { createPruneDeliveriesJob } from './slack/prune-deliveries-job';
import { claimWebhookDelivery } from './slack/deliveries';
import { createRecoverIntentsJob, intentLeaseMs, recoverIntents } from './slack/intents';
import { createTrainCalendar } from './train/calendar';
import { kickoffFeature } from './kickoff';
import { notesFeature } from './notes';
import { patchesFeature } from './patches';
import { dotReleaseFeature } from './dot-release';
import { securityFeature } from './security';
import { stageDeployFeature } from './stage-deploy';
import { assetsFeature } from './assets';
import { remindersFeature } from './reminders';
import { advisoryRepositoryLock, createGitRepositories, createPrivateRepository, type GitRepositories } from './git';
import { rotationFeature } from './rotation';
import { scheduleFeature } from './schedule';
import { statusFeature } from './status';
import { taggingFeature } from './tagging';
import { countReleasesByState } from './tagging/release-store';
import { countRunsByState } from './dot-release/dot-release-store';
import { qaFeature } from './qa';

/**
 * Every feature, one import each. The order is the order of `/release help`
 * (by their subcommands) and of the scheduled jobs within a tick.
 */
export const FEATURES: readonly Feature[] = [
  kickoffFeature,
  remindersFeature,
  statusFeature,
  scheduleFeature,
  rotationFeature,
  notesFeature,
  patchesFeature,
  dotReleaseFeature,
  taggingFeature,
  qaFeature,
  securityFeature,
  stageDeployFeature,
  assetsFeature,
];

export interface BuiltApp {
  bolt: App;
  /** The scheduled jobs (kickoff announcements, …), exactly once across replicas. */
  scheduler: Scheduler;
  mode: 'http' | 'socket';
  /** `POST /slack/events` in HTTP mode. */
  eventsListener: RequestListener | undefined;
  /** `POST /github/webhooks`, when GITHUB_WEBHOOK_SECRET is set. */
  githubWebhookListener: RequestListener | undefined;
  /** Give it to the HTTP server: the work that follows an ack waits until a burst of requests has been acked. */
  acksFirst: AcksFirst;
  deps: AppDeps;
  start(): Promise<void>;
  /** Waits for work in flight (at most `drainMs`), then disconnects. */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export function buildApp(options: {
  config: Config;
  logger: Logger;
  db: Database;
  github: GitHubClient;
  /** This app's metrics (main.ts also gives them to the GitHub client it builds). */
  metrics: Metrics;
  /** The git adapter (main builds it with the environment; default: one under DATA_DIR with GitHub's credentials and the advisory lock). */
  git?: GitRepositories;
  /** Issue 16: the private repository (main builds it, for the guard of `git`); default: from the settings. */
  security?: AppDeps['security'];
  now: () => Date;
  /** Web API retry timing (tests make it short). */
  slackRetryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  /** Start the minute tick of the scheduled jobs (default true; tests may tick by hand). */
  runScheduler?: boolean;
  /** Names this replica in the scheduler's ledger. */
  instanceId?: string;
  /** How follow-up work lets acks go first (default: AcksFirst's; tests lift the time limit to see what it waits for). */
  acksFirst?: AcksFirstOptions;
}): BuiltApp {
  const { config } = options;
  const { settings } = config;
  const bolt = createBolt({
    botToken: config.env.SLACK_BOT_TOKEN,
    signingSecret: config.env.SLACK_SIGNING_SECRET,
    appToken: config.env.SLACK_APP_TOKEN,
    slackApiUrl: config.env.SLACK_API_URL,
    logger: options.logger,
    retryConfig: options.slackRetryConfig,
    observer: options.metrics,
  });
  const acksFirst = new AcksFirst(options.acksFirst);
  // Issue 16: the private repository, whose guard every push of `git` goes through (main builds both).
  const security = options.security !== undefined ? options.security : buildSecurity(options);
  const deps: AppDeps = {
    ...options,
    git:
      options.git ??
      createGitRepositories({
        dataDir: config.env.DATA_DIR,
        logger: options.logger.child({ module: 'git' }),
        credentials: () => options.github.gitCredentials(),
        lock: advisoryRepositoryLock(options.db.sql),
        guard: security?.repository.guard,
      }),
    security,
    calendar: createTrainCalendar(settings),
    inFlight: new InFlightWork({ acksFirst, onAnswer: (outcome) => options.metrics.answer(outcome) }),
    admins: createAdminDirectory({ settings, client: bolt.client, logger: options.logger }),
    slack: bolt.client,
    githubWebhooks: Boolean(config.env.GITHUB_WEBHOOK_SECRET),
    messenger: createMessenger({
      client: bolt.client,
      sql: options.db.sql,
      // The bot not in a channel: the admins and the owner of the train in progress are told how to invite it.
      channelFixers: {
        logger: options.logger,
        whoFixes: async (now) => {
          const owner = await findOwnerOfTrain(deps, deps.calendar.trainInProgress(now).train);
          return [...(await deps.admins.listAdmins(now)), ...(owner ? [owner] : [])];
        },
      },
    }),
    slackDirectory: createSlackDirectory(bolt.client),
  };
  deps.metrics.collectAtScrape({
    queue: () => ({ admitted: deps.inFlight.load.admitted, tracked: deps.inFlight.size, waitingForQuiet: deps.inFlight.waitingForAcks }),
    releases: () => countReleasesByState(deps.db.prisma),
    dotReleases: () => countRunsByState(deps.db.prisma),
  });
  const features = FEATURES;
  const { replayers } = registerFeatures(bolt.app, deps, features);
  const leaseMs = intentLeaseMs(config.env);
  const appLogger = options.logger.child({ module: 'intents' });
  // One recovery at a time in this process: the start-up recovery and a minute tick overlapping would otherwise both
  // claim an intent whose lease is short and run it twice (the lease guards against other replicas, not against this one).
  let recovering: Promise<unknown> | undefined;
  const recover = () => {
    recovering ??= recoverIntents({ deps, replayers, leaseMs })
      .catch((error: unknown) =>
        appLogger.error({ err: error }, 'could not look for unfinished acked requests; the next minute tries again'),
      )
      .finally(() => {
        recovering = undefined;
      });
    return recovering;
  };
  const scheduler = createScheduler<AppDeps>({
    jobs: [
      ...features.flatMap((feature) => feature.jobs?.(deps) ?? []),
      createPruneDeliveriesJob<AppDeps>({ timeZone: settings.timeZone }),
      createRecoverIntentsJob<AppDeps>(async () => void (await recover())),
    ],
    deps,
    sql: deps.db.sql,
    logger: options.logger,
    now: options.now,
    beforeEachJob: () => deps.inFlight.afterAcks(),
    onOutcome: (job, outcome) => deps.metrics.jobRun(job, outcome),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const webhookSecret = config.env.GITHUB_WEBHOOK_SECRET;
  const webhookLogger = options.logger.child({ module: 'github-webhooks' });
  const githubWebhookListener = webhookSecret
    ? createWebhookListener({
        secret: webhookSecret,
        logger: options.logger,
        onEvent: (event, delivery) =>
          deps.inFlight.follow(() =>
            (async () => {
              const now = deps.now();
              // GitHub redelivers on request, and may deliver twice; a captured body may be re-sent under a new id: handle each once.
              if (!(await claimWebhookDelivery({ sql: deps.db.sql, deliveryId: delivery.id, bodySha256: delivery.bodySha256, now }))) {
                webhookLogger.info({ deliveryId: delivery.id }, 'a GitHub webhook delivered before (same id or same signed body) ignored');
                return;
              }
              for (const feature of features) await feature.githubEvents?.({ deps, event, now });
            })().catch((error: unknown) =>
              webhookLogger.error(
                { err: error, deliveryId: delivery.id },
                'a GitHub webhook could not be applied; the watcher will catch up',
              ),
            ),
          ),
      })
    : undefined;
  return {
    bolt: bolt.app,
    scheduler,
    mode: bolt.mode,
    eventsListener: bolt.eventsListener,
    githubWebhookListener,
    acksFirst,
    deps,
    async start() {
      void bolt.warmUp();
      if (bolt.mode === 'socket') await bolt.app.start();
      if (options.runScheduler !== false) await scheduler.start({ timeZone: settings.timeZone });
      // What a process that died had acked and not finished (the minute tick looks again).
      void deps.inFlight.run(recover);
    },
    async stop(stopOptions) {
      await scheduler.stop();
      const drained = await deps.inFlight.idle(stopOptions?.drainMs ?? 8_000);
      if (!drained) options.logger.warn({ unfinished: deps.inFlight.size }, 'stopped with work still in flight');
      if (bolt.mode === 'socket') await bolt.app.stop();
    },
  };
}

/** Issue 16: the private repository (its own clone under DATA_DIR/git-private) when `privateRepository` is set. */
export function buildSecurity(options: {
  config: Config;
  logger: Logger;
  db: Database;
  github: GitHubClient;
  /** The environment of git processes (PATH, HOME…). */
  env?: Record<string, string | undefined>;
  gitBinary?: string;
}): AppDeps['security'] {
  const { settings, env } = options.config;
  if (!settings.privateRepository) return null;
  return {
    repository: createPrivateRepository({
      dataDir: env.DATA_DIR,
      logger: options.logger.child({ module: 'git-private' }),
      privateRemote: settings.privateGitRemoteUrl ?? `https://github.com/${settings.privateRepository}.git`,
      publicRemote: settings.gitRemoteUrl ?? `https://github.com/${settings.repository}.git`,
      credentials: () => options.github.gitCredentials(),
      lock: advisoryRepositoryLock(options.db.sql),
      env: options.env,
      gitBinary: options.gitBinary,
      formats: { branchFormat: settings.branchFormat, tagFormat: settings.tagFormat },
      privateTagFormat: settings.privateTagFormat,
      allowedCommits: () => upliftAllowedCommits(options.db.prisma),
    }),
    github: options.github.forRepository(settings.privateRepository),
    tracker: options.github.forRepository(settings.upliftTracker ?? settings.privateRepository),
  };
}
