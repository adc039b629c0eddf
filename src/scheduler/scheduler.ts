/**
 * The scheduler: a minute tick (node-cron) asks every job which of its fires
 * are due and runs each fire exactly once across replicas and restarts, the
 * `job_runs` ledger deciding which replica runs it.
 *
 * Per tick and job, the fires in (now − max(graceMs, lookbackMs), now] are
 * looked at; a fire with a `done` or `missed` row is settled. A fire within
 * grace (now − scheduledAt ≤ graceMs) is claimed and run: success marks it
 * done, an error marks it failed and a later tick retries it (no sooner than
 * `retryDelayMs`, at most `maxAttempts` times, while within grace). A fire
 * beyond grace that never ran is recorded `missed` with a warning. Fires of
 * one job run one after another, in order; different jobs run side by side.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { IANAZone } from 'luxon';
import { schedule, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { SqlPort } from '../db/database';
import { scrubSecrets, type Logger } from '../logger';
import type { JobOutcome } from '../metrics';
import type { ScheduledJob } from './job';
import { claimFire, listFires, markDone, markFailed, markMissed, type ClaimRefusal, type JobRunRow } from './ledger';

const MINUTE = 60_000;

/** Default `leaseMs`: 10 minutes. */
export const DEFAULT_LEASE_MS = 10 * MINUTE;
/** Default `retryDelayMs`: 5 minutes. */
export const DEFAULT_RETRY_DELAY_MS = 5 * MINUTE;
/** Default `lookbackMs`: 3 days (a weekend with every replica down is still noticed and recorded). */
export const DEFAULT_LOOKBACK_MS = 3 * 24 * 60 * MINUTE;
/** Default `maxAttempts`: 5. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The node-cron expression of the tick: every minute. */
export const TICK_EXPRESSION = '* * * * *';

/** Options of `createScheduler`. */
export interface SchedulerOptions<Deps> {
  /** The jobs; names must be unique. */
  jobs: ReadonlyArray<ScheduledJob<Deps>>;
  /** Passed to every job's `run`. */
  deps: Deps;
  /** The database holding `job_runs`. */
  sql: SqlPort;
  /** Where runs, failures and missed fires are logged (a `module: scheduler` child is used). */
  logger: Logger;
  /** The clock: the real one in main, a manual one in tests. Read by `tick()` and `start()` when no `now` is given. */
  now: () => Date;
  /** Names this replica in the ledger (`claimedBy`). Default: `<host>:<pid>:<random>`. */
  instanceId?: string;
  /**
   * How far back a tick looks for fires that were never recorded, so that
   * fires missed while every replica was down are recorded `missed` (and
   * warned about). At least each job's `graceMs` is looked at anyway.
   * Default `DEFAULT_LOOKBACK_MS` (3 days).
   */
  lookbackMs?: number;
  /**
   * How long a claim stays valid without an outcome: after that, the
   * claimant is taken for dead and another replica may run the fire again.
   * Must exceed the longest run of any job. Default `DEFAULT_LEASE_MS` (10 min).
   */
  leaseMs?: number;
  /** How long after a failed attempt the fire may be retried. Default `DEFAULT_RETRY_DELAY_MS` (5 min). */
  retryDelayMs?: number;
  /** Attempts per fire at most (failures and dead claimants count). Default `DEFAULT_MAX_ATTEMPTS` (5). */
  maxAttempts?: number;
  /**
   * Awaited before each job's turn in a tick. The app passes
   * `InFlightWork.afterAcks`: a job waits until the Slack requests arriving
   * meanwhile have been acked (a second at most), like all other follow-up work.
   */
  beforeEachJob?: () => Promise<void>;
  /**
   * Told how each fire this replica handled ended: `ran`, `late` (ran, `LATE_AFTER_MS` or more after it was
   * due: a catch-up after every replica was down), `failed` (threw; a later tick may retry it) or `missed`
   * (recorded missed beyond its grace). Fires another replica handles are not told. The metrics.
   */
  onOutcome?: (job: string, outcome: JobOutcome) => void;
}

/** A fire that runs this long after it was due or later counts as `late` for `onOutcome` (the minute tick runs it within seconds). */
export const LATE_AFTER_MS = MINUTE;

/** One fire of one job. */
export interface FireRef {
  job: string;
  scheduledAt: Date;
}

/** What one tick did; for tests and logs. */
export interface TickReport {
  /** The tick's `now`. */
  now: Date;
  /** False when the tick did nothing because another tick of this scheduler was still running. */
  performed: boolean;
  /** Fires this replica ran to success (with the attempt number). */
  ran: Array<FireRef & { attempt: number }>;
  /** Due fires left alone because another replica holds or finished them. */
  skippedAlreadyClaimed: Array<FireRef & { reason: ClaimRefusal }>;
  /** Fires this replica recorded as missed (beyond grace, never run). */
  missed: FireRef[];
  /** Fires this replica ran and that threw (with the attempt number and error text). */
  failed: Array<FireRef & { attempt: number; error: string }>;
  /** Failed fires waiting for `retryDelayMs` to pass. */
  waitingForRetry: FireRef[];
  /** Jobs the tick could not handle (their `firesBetween` threw, or the database failed). */
  errors: Array<{ job: string; error: string }>;
}

/** A running scheduler. */
export interface Scheduler {
  /** Runs what is due at `now` (default: the scheduler's clock). Never throws: problems are logged and reported. */
  tick(now?: Date): Promise<TickReport>;
  /**
   * Runs one catch-up tick immediately (fires missed while every replica was
   * down run late when within grace, else are recorded missed) and schedules
   * the minute tick with node-cron in `timeZone`. Resolves with the catch-up
   * tick's report; the minute tick is scheduled before that tick starts.
   * Throws for an unknown time zone or when already started.
   */
  start(options: { timeZone: string }): Promise<TickReport>;
  /** Stops the minute tick and waits for a running tick to finish. Safe to call twice. */
  stop(): Promise<void>;
}

/** The instance id used when none is given: host, pid and a random suffix (unique per process start). */
export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Text of a thrown value for logs and the ledger, free of tokens. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return scrubSecrets(text);
}

function assertDuration(value: number, name: string, allowZero: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${value}`);
  }
}

/** Delays between tries of `withRetries`. */
const OUTCOME_RETRY_DELAYS_MS = [250, 1000, 4000];

/** Runs `work`, retrying after `OUTCOME_RETRY_DELAYS_MS` when it throws; rethrows the last error. */
async function withRetries<T>(work: () => Promise<T>, onRetry: (error: unknown, waitMs: number) => void): Promise<T> {
  for (const waitMs of OUTCOME_RETRY_DELAYS_MS) {
    try {
      return await work();
    } catch (error) {
      onRetry(error, waitMs);
      await sleep(waitMs);
    }
  }
  return work();
}

/** Sends node-cron's own messages (overlap, missed heartbeat) to the app's logger instead of the console. */
function cronLogger(logger: Logger): CronLogger {
  const withError = (level: 'error' | 'debug', message: string | Error, error?: Error): void => {
    if (message instanceof Error) logger[level]({ err: message }, message.message);
    else if (error !== undefined) logger[level]({ err: error }, message);
    else logger[level](message);
  };
  return {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message, error) => withError('error', message, error),
    debug: (message, error) => withError('debug', message, error),
  };
}

/**
 * Creates a scheduler for `jobs`. Nothing runs until `tick` or `start` is
 * called. Several schedulers (replicas) may share one database: each fire
 * runs once, on whichever claims it first.
 */
export function createScheduler<Deps>(options: SchedulerOptions<Deps>): Scheduler {
  const instanceId = options.instanceId ?? defaultInstanceId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  assertDuration(leaseMs, 'leaseMs', false);
  assertDuration(retryDelayMs, 'retryDelayMs', true);
  assertDuration(lookbackMs, 'lookbackMs', true);
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
  const names = new Set<string>();
  for (const job of options.jobs) {
    if (job.name.trim() === '') throw new RangeError('a scheduled job needs a name');
    if (names.has(job.name)) throw new RangeError(`two scheduled jobs are named "${job.name}"`);
    names.add(job.name);
    assertDuration(job.graceMs, `graceMs of job "${job.name}"`, true);
    if (job.lookbackMs !== undefined) assertDuration(job.lookbackMs, `lookbackMs of job "${job.name}"`, true);
  }
  const jobs = [...options.jobs];
  const { sql, deps } = options;
  const logger = options.logger.child({ module: 'scheduler', instanceId });

  let running: Promise<TickReport> | undefined;
  let task: ScheduledTask | undefined;
  let started = false;

  /** The due fires of `job` at `now`, ascending and in the window, without duplicates. */
  const firesOf = (job: ScheduledJob<Deps>, from: Date, now: Date): Date[] => {
    const seen = new Set<number>();
    return job
      .firesBetween(from, now)
      .filter((fire) => {
        const t = fire instanceof Date ? fire.getTime() : Number.NaN;
        if (Number.isNaN(t) || t <= from.getTime() || t > now.getTime() || seen.has(t)) return false;
        seen.add(t);
        return true;
      })
      .sort((a, b) => a.getTime() - b.getTime());
  };

  const runFire = async (job: ScheduledJob<Deps>, scheduledAt: Date, now: Date, report: TickReport): Promise<void> => {
    const fire = { job: job.name, scheduledAt };
    const claim = await claimFire({
      sql,
      job: job.name,
      scheduledAt,
      now,
      claimedBy: instanceId,
      leaseMs,
      graceMs: job.graceMs,
      retryDelayMs,
      maxAttempts,
    });
    if (!claim.claimed) {
      if (claim.reason === 'retry-not-due') report.waitingForRetry.push(fire);
      else if (claim.reason !== 'attempts-exhausted' && claim.reason !== 'beyond-grace') {
        report.skippedAlreadyClaimed.push({ ...fire, reason: claim.reason });
      }
      return;
    }
    const { attempt } = claim;
    const log = logger.child({ job: job.name, scheduledAt: scheduledAt.toISOString(), attempt });
    log.info({ lateByMs: now.getTime() - scheduledAt.getTime() }, `running ${job.name} for ${scheduledAt.toISOString()}`);
    // Elapsed time on the monotonic clock, added to the tick's `now`: outcomes
    // stay on the same time base as the tick (the injected clock), however long the run.
    const startedAt = performance.now();
    let failure: string | undefined;
    try {
      await job.run(deps, { now, scheduledAt, attempt });
    } catch (error) {
      failure = errorText(error);
      log.error({ err: error }, `scheduled job ${job.name} failed for ${scheduledAt.toISOString()} (attempt ${attempt})`);
    }
    const tookMs = Math.round(performance.now() - startedAt);
    if (tookMs > leaseMs) {
      log.warn({ tookMs, leaseMs }, `${job.name} ran longer than the lease: another replica may have run it too`);
    }
    const finish = { sql, job: job.name, scheduledAt, now: new Date(now.getTime() + tookMs), claimedBy: instanceId, attempt };
    if (failure === undefined) report.ran.push({ ...fire, attempt });
    else report.failed.push({ ...fire, attempt, error: failure });
    const late = now.getTime() - scheduledAt.getTime() >= LATE_AFTER_MS;
    options.onOutcome?.(job.name, failure !== undefined ? 'failed' : late ? 'late' : 'ran');
    // The work is done: losing its outcome would let another replica redo it
    // once the lease expires, so a database hiccup here is retried briefly.
    const recorded = await withRetries(
      () => (failure === undefined ? markDone(finish) : markFailed({ ...finish, error: failure })),
      (error, waitMs) => log.warn({ err: error, retryInMs: waitMs }, `could not record the outcome of ${job.name}; retrying`),
    );
    if (!recorded) {
      log.warn(`the claim on ${job.name} for ${scheduledAt.toISOString()} was taken over before attempt ${attempt} finished`);
    }
  };

  const tickJob = async (job: ScheduledJob<Deps>, now: Date, report: TickReport): Promise<void> => {
    const from = new Date(now.getTime() - Math.max(job.graceMs, job.lookbackMs ?? lookbackMs));
    const fires = firesOf(job, from, now);
    if (fires.length === 0) return;
    const rows = new Map<number, JobRunRow>();
    for (const row of await listFires({ sql, job: job.name, from, to: now })) rows.set(row.scheduledAt.getTime(), row);
    for (const scheduledAt of fires) {
      const row = rows.get(scheduledAt.getTime());
      if (row?.status === 'done' || row?.status === 'missed') continue;
      const lateByMs = now.getTime() - scheduledAt.getTime();
      if (lateByMs <= job.graceMs) {
        await runFire(job, scheduledAt, now, report);
        continue;
      }
      // Beyond grace: a fire that never ran (or whose claimant died) is missed;
      // one that ran and failed keeps its `failed` row and error.
      if (row?.status === 'failed') continue;
      if (await markMissed({ sql, job: job.name, scheduledAt, now, claimedBy: instanceId, leaseMs })) {
        report.missed.push({ job: job.name, scheduledAt });
        options.onOutcome?.(job.name, 'missed');
        logger.warn(
          { job: job.name, scheduledAt: scheduledAt.toISOString(), lateByMs, graceMs: job.graceMs },
          `missed scheduled job ${job.name} for ${scheduledAt.toISOString()}: not run within its grace period ` +
            `(${Math.round(lateByMs / MINUTE)} min late, grace ${Math.round(job.graceMs / MINUTE)} min)`,
        );
      }
    }
  };

  const performTick = async (now: Date): Promise<TickReport> => {
    const report: TickReport = {
      now,
      performed: true,
      ran: [],
      skippedAlreadyClaimed: [],
      missed: [],
      failed: [],
      waitingForRetry: [],
      errors: [],
    };
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await options.beforeEachJob?.();
          await tickJob(job, now, report);
        } catch (error) {
          report.errors.push({ job: job.name, error: errorText(error) });
          logger.error({ err: error, job: job.name }, `scheduler tick failed for job ${job.name}`);
        }
      }),
    );
    return report;
  };

  const tick = (now?: Date): Promise<TickReport> => {
    const at = now ?? options.now();
    if (running !== undefined) {
      logger.debug({ now: at.toISOString() }, 'previous tick still running; skipping this one');
      return Promise.resolve({
        now: at,
        performed: false,
        ran: [],
        skippedAlreadyClaimed: [],
        missed: [],
        failed: [],
        waitingForRetry: [],
        errors: [],
      });
    }
    const current = performTick(at).finally(() => {
      running = undefined;
    });
    running = current;
    return current;
  };

  return {
    tick,
    async start({ timeZone }) {
      if (started) throw new Error('the scheduler is already started');
      if (!IANAZone.isValidZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
      started = true;
      // A named function, not a mock: node-cron 4 accepts only `instanceof Function`
      // values of its own realm as inline tasks and takes anything else for a file path.
      const onMinute = function onMinute(): Promise<TickReport> {
        return tick(options.now());
      };
      task = schedule(TICK_EXPRESSION, onMinute, {
        timezone: timeZone,
        noOverlap: true,
        name: `scheduler:${instanceId}`,
        logger: cronLogger(logger),
      });
      logger.info({ jobs: jobs.map((job) => job.name), timeZone }, 'scheduler started');
      return tick(options.now());
    },
    async stop() {
      const current = task;
      task = undefined;
      if (current !== undefined) {
        // destroy(), not just stop(): it also removes the task from node-cron's global registry.
        await current.destroy();
        logger.info('scheduler stopped');
      }
      started = false;
      if (running !== undefined) await running.catch(() => undefined);
    },
  };
}
