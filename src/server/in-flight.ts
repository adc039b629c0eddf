/**
 * Keeps track of work that goes on after a request has been answered (Slack
 * wants an ack within 3 s; the real answer follows), so that a graceful stop
 * can wait for it instead of cutting it off.
 *
 * Work given as a function is queued: at most `maxConcurrent` run at once,
 * and each starts only when the requests of a burst have been acked (see
 * AcksFirst), instead of interleaving twenty pipelines with the acks.
 *
 * The work of Slack requests is admitted through `admit`, which bounds it by
 * count: past `bounds.light` (or `bounds.heavy` for a dashboard) pieces of
 * work admitted and not yet settled, it refuses, and the listener tells the
 * person at once that the bot is busy (slack/after-ack.ts). Each admitted
 * piece holds what its closure keeps alive (a few kB: the command's fields,
 * its respond function) while it waits, and its reads and render while it
 * runs; the bounds keep that under the memory budget (README, Deploying) at
 * any request rate. Scheduled jobs and GitHub deliveries are never refused
 * (`afterAcks`, `follow`): they are few, and they wait.
 */
import { setImmediate } from 'node:timers/promises';
import type { AnswerOutcome } from '../metrics';
import type { AcksFirst } from './acks-first';

/** Light work (most commands and buttons) or heavy work (a dashboard, which takes a work slot). */
export type WorkKind = 'light' | 'heavy';

/** At most this much work of each kind admitted and not yet settled (waiting or running). */
export type WorkBounds = Record<WorkKind, number>;

/**
 * Measured on dist/main.js with the production memory options (README,
 * Deploying): unbounded, 12,000 queued `/release status` exhausted the 96 MB
 * heap (about 8 kB each), so these bounds hold about 4 MB; at the bench's
 * overload (1,000 a second for 60 s) the peak RSS was 115 MB and about 100
 * dashboards a second were answered, so a full heavy queue waits about 1 s.
 */
export const DEFAULT_WORK_BOUNDS: WorkBounds = { light: 400, heavy: 100 };

export interface InFlightWorkOptions {
  /** Functions run at most this many at once (default 2). */
  maxConcurrent?: number;
  /** Work admitted through `admit`, at most (default DEFAULT_WORK_BOUNDS). */
  bounds?: Partial<WorkBounds>;
  /** The HTTP server's request count: follow-up work waits for a quiet moment. Without it, only for a turn of the event loop. */
  acksFirst?: AcksFirst;
  /** Told how each answer after an ack ended (slack/after-ack.ts reports it through `answered`): the metrics. */
  onAnswer?: (outcome: AnswerOutcome) => void;
  /** Refusals past the bound are logged at most once per this (ms), with their count (slack/after-ack.ts; default 10 s). */
  busyLogEveryMs?: number;
}

/** How often a burst of refusals is summed up in the log (ms). */
export const DEFAULT_BUSY_LOG_EVERY_MS = 10_000;

export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly admitted: WorkBounds = { light: 0, heavy: 0 };
  private readonly refusals: WorkBounds = { light: 0, heavy: 0 };

  private readonly maxConcurrent: number;
  private readonly bounds: WorkBounds;
  private readonly acksFirst: AcksFirst | undefined;
  private readonly onAnswer: ((outcome: AnswerOutcome) => void) | undefined;
  readonly busyLogEveryMs: number;

  constructor(options: InFlightWorkOptions = {}) {
    this.onAnswer = options.onAnswer;
    this.busyLogEveryMs = options.busyLogEveryMs ?? DEFAULT_BUSY_LOG_EVERY_MS;
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.bounds = { ...DEFAULT_WORK_BOUNDS, ...options.bounds };
    this.acksFirst = options.acksFirst;
  }

  /**
   * The work of a Slack request, if there is room for it: heavy work as
   * `run`, light work as `follow` (or `atOnce`: started now and only tracked,
   * for a modal's submission that acks with its outcome). Returns undefined,
   * running nothing, when `bounds[kind]` pieces of that kind are admitted and
   * not yet settled: the caller tells the person the bot is busy.
   */
  admit<T>(kind: WorkKind, work: () => Promise<T>, options: { atOnce?: boolean } = {}): Promise<T> | undefined {
    if (this.admitted[kind] >= this.bounds[kind]) {
      this.refusals[kind] += 1;
      return undefined;
    }
    this.admitted[kind] += 1;
    const settled = () => {
      this.admitted[kind] -= 1;
    };
    const counted = () => {
      let started: Promise<T>;
      try {
        started = work();
      } catch (error) {
        settled();
        return Promise.reject(error);
      }
      started.then(settled, settled);
      return started;
    };
    if (options.atOnce) return this.track(counted());
    return kind === 'heavy' ? this.run(counted) : this.follow(counted);
  }

  /** How the answer to a Slack request ended: answered, failed (the person was told, or nobody could be), busy (refused). */
  answered(outcome: AnswerOutcome): void {
    this.onAnswer?.(outcome);
  }

  /** Tasks waiting for the acks of a burst before they go on. */
  get waitingForAcks(): number {
    return this.acksFirst?.waiting ?? 0;
  }

  /** Work admitted and not yet settled, and work refused since the start, by kind. */
  get load(): { admitted: WorkBounds; refused: WorkBounds; bounds: WorkBounds } {
    return { admitted: { ...this.admitted }, refused: { ...this.refusals }, bounds: { ...this.bounds } };
  }

  /**
   * Resolves when the requests that are waiting to be acked have been: call
   * it in work that follows an ack before each step nobody is waiting on.
   */
  afterAcks(): Promise<void> {
    return this.acksFirst ? this.acksFirst.whenQuiet() : setImmediate();
  }

  /**
   * The work that follows a listener's ack: started once the requests arriving
   * meanwhile have been acked, and tracked until it settles (its result and
   * rejection reach the caller). Takes no slot: a modal must open within 3 s.
   */
  follow<T>(work: () => Promise<T>): Promise<T> {
    return this.track(this.afterAcks().then(work));
  }

  /**
   * Heavy work (a dashboard): started when a slot is free and the requests
   * arriving meanwhile have been acked; tracked until it settles. A promise
   * is already running and is only tracked.
   */
  run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    if (typeof work !== 'function') return this.track(work);
    return this.track(
      this.whenSlotFree()
        .then(() => this.afterAcks())
        .then(work)
        .finally(() => this.releaseSlot()),
    );
  }

  private track<T>(started: Promise<T>): Promise<T> {
    const tracked: Promise<unknown> = started.then(
      () => this.running.delete(tracked),
      () => this.running.delete(tracked),
    );
    this.running.add(tracked);
    return started;
  }

  private whenSlotFree(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  get size(): number {
    return this.running.size;
  }

  /** Waits until nothing runs (at most `timeoutMs`). Returns true if all finished. */
  async idle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      return true as const;
    })();
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
