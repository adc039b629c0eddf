/**
 * Acks first. Slack gives a request 3 seconds to be acknowledged; the answer
 * that follows (through response_url, a posted message, views.update) may come
 * later. On one event loop the two compete: twenty `/release status` at once
 * would each be acked only after the others' database reads and renders.
 *
 * `AcksFirst` counts the requests the HTTP server is answering: from the
 * moment a request has been received whole (headers and body) until its
 * response is sent. One still arriving, however slowly, is not counted: the
 * bot cannot ack it yet, and a slow client must not hold back the answers to
 * the others (http-server.ts, `countOnceReceived`). Work that
 * follows an ack waits at its `whenQuiet()` points until no request has been
 * open for `quietMs` (the burst is over), and then goes on one task per turn
 * of the event loop, so that a request arriving meanwhile is read and acked
 * before the next task's step. No work waits longer than `maxDeferMs`: under
 * a load that never pauses, the answers still come, only later.
 */
export interface AcksFirstOptions {
  /** How long no request may have been open before follow-up work goes on (ms). */
  quietMs?: number;
  /** The longest a task waits at one `whenQuiet()` point, whatever the load (ms). */
  maxDeferMs?: number;
  /** Monotonic milliseconds (default `performance.now`); tests give their own. */
  clock?: () => number;
}

interface Waiter {
  resolve: () => void;
  deadline: number;
}

export const DEFAULT_QUIET_MS = 3;
export const DEFAULT_MAX_DEFER_MS = 1_000;

export class AcksFirst {
  private readonly quietMs: number;
  private readonly maxDeferMs: number;
  private readonly clock: () => number;
  private open = 0;
  private lastClosedAt = Number.NEGATIVE_INFINITY;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When `timer` fires (clock ms). */
  private timerAt = Number.POSITIVE_INFINITY;
  private releasing = false;

  constructor(options: AcksFirstOptions = {}) {
    this.quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
    this.maxDeferMs = options.maxDeferMs ?? DEFAULT_MAX_DEFER_MS;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** A request has been received whole; call the returned function once it has been answered (calling it twice is harmless). */
  requestOpened(): () => void {
    this.open += 1;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.open -= 1;
      this.lastClosedAt = this.clock();
      if (this.open === 0) this.schedule();
    };
  }

  /** Requests being answered right now. */
  get openRequests(): number {
    return this.open;
  }

  /** Tasks waiting for a quiet moment. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves when no request is open and none has been for `quietMs`, taking
   * its turn behind the tasks that were waiting already; at the latest after
   * `maxDeferMs`. Always lets the event loop read waiting I/O first.
   */
  whenQuiet(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ resolve, deadline: this.clock() + this.maxDeferMs });
      this.schedule();
    });
  }

  private isQuiet(now: number): boolean {
    return this.open === 0 && now - this.lastClosedAt >= this.quietMs;
  }

  /** Releases one waiter per turn of the event loop while it is quiet or the first has waited `maxDeferMs`; otherwise sets a timer. */
  private schedule(): void {
    if (this.releasing) return;
    const first = this.waiters[0];
    if (!first) {
      this.clearTimer();
      return;
    }
    const now = this.clock();
    if (this.isQuiet(now) || first.deadline <= now) {
      this.clearTimer();
      // setImmediate runs after the poll phase: requests that arrived by now are read (and counted) first.
      this.releasing = true;
      setImmediate(() => {
        this.releasing = false;
        const at = this.clock();
        const next = this.waiters[0];
        if (next && (this.isQuiet(at) || next.deadline <= at)) {
          this.waiters.shift();
          next.resolve();
        }
        this.schedule();
      });
      return;
    }
    const quietAt = this.open === 0 ? this.lastClosedAt + this.quietMs : Number.POSITIVE_INFINITY;
    const wakeAt = Math.min(quietAt, first.deadline);
    // A burst calls this once per request: keep a timer that fires early enough instead of making a new one.
    if (this.timer && this.timerAt <= wakeAt) return;
    this.clearTimer();
    const delay = Math.max(1, Math.ceil(wakeAt - now));
    this.timerAt = now + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.schedule();
    }, delay);
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
