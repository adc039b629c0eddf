/**
 * The answer to `GET /readyz`, bounded: one check in flight at a time (the
 * requests arriving meanwhile share its result, so a hanging database never
 * piles up checks or connections), and each request waits for it at most
 * `timeoutMs`, then answers "not ready" with `notAnswering` as the reason.
 */

import type { GitVersionCheck } from '../git';

/**
 * What `/readyz` says about git, checked once at start: nothing when it is fine, otherwise a warning (the bot
 * serves everything else; dot releases, `where` and forward ports fail until git is installed or upgraded).
 */
export function gitReadinessWarnings(check: GitVersionCheck): string[] {
  return check.ok ? [] : [`git: ${check.reason}; dot releases cannot run`];
}

/** Whether the bot can serve, and why not. */
export interface Readiness {
  ready: boolean;
  /** Why not, for the 503 body (e.g. "database not answering"). */
  reason?: string;
}

export function boundedReadiness(options: {
  check: () => Promise<Readiness>;
  timeoutMs: number;
  /** The reason given when the check has not answered within `timeoutMs`. */
  notAnswering: string;
}): () => Promise<Readiness> {
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    if (!inFlight) {
      const started = options.check().finally(() => {
        if (inFlight === started) inFlight = undefined;
      });
      inFlight = started;
    }
    const shared = inFlight;
    return new Promise<Readiness>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ ready: false, reason: options.notAnswering }), options.timeoutMs);
      shared.then(
        (readiness) => {
          clearTimeout(timer);
          resolve(readiness);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
}
