/**
 * A scheduled job: WHEN it fires (a pure list of instants) and WHAT it does.
 *
 * Release-train schedules are not cron expressions (every other Wednesday,
 * DST, holidays that move a cutoff), so a job lists its own instants, computed
 * from settings and the train calendar; the scheduler's minute tick asks each
 * job which instants are due and runs each one exactly once across replicas.
 */

/** What `run` is told about the fire it performs. */
export interface JobRunContext {
  /** The current time (the tick's reading of the clock): use it instead of reading the clock. */
  now: Date;
  /** The instant this fire was scheduled for (one of `firesBetween`'s answers). */
  scheduledAt: Date;
  /** 1 for the first try; 2, 3… when an earlier try failed or its replica died mid-run. */
  attempt: number;
}

/** A job that fires at instants it computes itself, run at most once per instant by the scheduler. */
export interface ScheduledJob<Deps> {
  /** Stable name, the ledger key, e.g. "kickoff-announcement". Never rename a live job: its history is keyed by it. */
  name: string;
  /**
   * Instants (ascending) at which the job fires in (from, to]. Pure: computed
   * from settings/calendar, never from the clock; the same arguments always
   * give the same instants (every replica must agree on them).
   */
  firesBetween(from: Date, to: Date): Date[];
  /** How late a fire may still run (e.g. after every replica was down), in ms. Later than that it is recorded as missed. */
  graceMs: number;
  /**
   * How far back a tick looks for fires never recorded, to record them as
   * missed; default: the scheduler's `lookbackMs`. A sweep that fires every
   * few minutes sets it to its `graceMs`: a missed sweep is made up by the
   * next one, and needs no record.
   */
  lookbackMs?: number;
  /**
   * Does the work for the fire at `scheduledAt`; `now` is the current time.
   * Plain function, testable without waiting. Throwing marks the attempt
   * failed; a later tick retries it while still within `graceMs`, so work done
   * before the throw should be safe to repeat (or be recorded by the job).
   * It should finish well within the scheduler's lease (see `SchedulerOptions.leaseMs`).
   */
  run(deps: Deps, context: JobRunContext): Promise<void>;
}
