/**
 * Keeps track of work that goes on after a request has been answered (Slack
 * wants an ack within 3 s; the real answer follows), so that a graceful stop
 * can wait for it instead of cutting it off.
 *
 * Work given as a function is queued: at most `maxConcurrent` run at once.
 * Under a burst of requests the event loop then stays free to ack new ones
 * between steps of the work, instead of interleaving twenty pipelines.
 */
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private closed = false;

  constructor(private readonly maxConcurrent = 2) {}

  /**
   * Tracks `work` until it settles and returns its result (its rejection still
   * reaches the caller). A function is started when a slot is free; a promise
   * is already running and is only tracked.
   */
  run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const started = typeof work === 'function' ? this.whenSlotFree().then(work).finally(() => this.releaseSlot()) : work;
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
