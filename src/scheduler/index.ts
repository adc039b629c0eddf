/**
 * Jobs that run exactly once per scheduled instant, across replicas and
 * restarts: the job shape, the `job_runs` ledger and the minute-tick scheduler.
 */
export type { JobRunContext, ScheduledJob } from './job';
export {
  claimFire,
  getFire,
  listFires,
  markDone,
  markFailed,
  markMissed,
  pruneFires,
  truncateError,
  MAX_ERROR_LENGTH,
  type ClaimFireOptions,
  type ClaimRefusal,
  type ClaimResult,
  type FinishFireOptions,
  type JobRunRow,
  type JobRunStatus,
} from './ledger';
export {
  createScheduler,
  defaultInstanceId,
  DEFAULT_LEASE_MS,
  DEFAULT_LOOKBACK_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAY_MS,
  LATE_AFTER_MS,
  TICK_EXPRESSION,
  type FireRef,
  type Scheduler,
  type SchedulerOptions,
  type TickReport,
} from './scheduler';
