/**
 * Keeps track of work that goes on after a request has been answered (Slack
 * wants an ack within 3 s; the real answer follows), so that a graceful stop
 * can wait for it instead of cutting it off.
 */
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  /** Tracks `work` until it settles and returns it unchanged (its rejection still reaches the caller). */
  run<T>(work: Promise<T>): Promise<T> {
    const tracked: Promise<unknown> = work.then(
      () => this.running.delete(tracked),
      () => this.running.delete(tracked),
    );
    this.running.add(tracked);
    return work;
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
