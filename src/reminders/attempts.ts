/**
 * Whether a scheduled fire's attempt is its last: the scheduler retries a
 * failed fire after `retryDelayMs` (on its next minute tick) while within the
 * job's grace and below `maxAttempts`. The last attempt tells people instead
 * of throwing into the void.
 */
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY_MS, type JobRunContext } from '../scheduler';

const TICK_MS = 60_000;

export function isLastAttempt(options: { context: JobRunContext; graceMs: number; retryDelayMs?: number; maxAttempts?: number }): boolean {
  const { context, graceMs } = options;
  if (context.attempt >= (options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) return true;
  // The next try comes at the first tick after the delay: the failure is recorded a moment after `now`.
  const nextTry = context.now.getTime() + (options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) + TICK_MS;
  return nextTry - context.scheduledAt.getTime() > graceMs;
}
