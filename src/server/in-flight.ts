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
  private closed = false;

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
   * Tracks `work` until it settles and returns its result (its rejection still
   * reaches the caller). A function is started when a slot is free; a promise
   * is already running and is only tracked.
   */
  run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const started =
      typeof work === 'function'
        ? this.whenSlotFree()
            .then(() => this.afterAcks())
            .then(work)
            .finally(() => this.releaseSlot())
        : work;
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

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops accepting the idea of new work and waits for what runs, at most `timeoutMs`. Returns true if all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    return this.idle(timeoutMs);
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
