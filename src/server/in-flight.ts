/**
 * Keeps track of work that goes on after a request has been answered (Slack
 * wants an ack within 3 s; the real answer follows), so that a graceful stop
 * can wait for it instead of cutting it off.
 *
 * Work given as a function is queued: at most `maxConcurrent` run at once,
 * and each starts only when the requests of a burst have been acked (see
 * AcksFirst), instead of interleaving twenty pipelines with the acks.
 */
import { setImmediate } from 'node:timers/promises';
import type { AcksFirst } from './acks-first';

export interface InFlightWorkOptions {
  /** Functions run at most this many at once (default 2). */
  maxConcurrent?: number;
  /** The HTTP server's request count: follow-up work waits for a quiet moment. Without it, only for a turn of the event loop. */
  acksFirst?: AcksFirst;
}

export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;

  private readonly maxConcurrent: number;
  private readonly acksFirst: AcksFirst | undefined;

  constructor(options: InFlightWorkOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.acksFirst = options.acksFirst;
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
