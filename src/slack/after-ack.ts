/**
 * The one skeleton of a Slack listener after its `ack()`: the work is handed
 * to InFlightWork (so a graceful stop waits for it, and it starts once the
 * requests arriving meanwhile have been acked), and a failure is told to the
 * person through the one edge mapping (reply-to-failure.ts), or logged where
 * there is nobody to tell (no response_url: the Home tab, a modal).
 */
import type { RespondArguments } from '@slack/bolt';
import type { Logger } from '../logger';
import type { InFlightWork } from '../server/in-flight';
import { replyToFailure } from './reply-to-failure';

export interface AfterAckOptions {
  inFlight: InFlightWork;
  logger: Logger;
  /** Where failures are told; without it they are logged with `unanswered`. */
  reply?: ((message: RespondArguments) => Promise<unknown>) | undefined;
  /** Heavy work (a dashboard) takes one of the few work slots; the rest only waits for acks. */
  heavy?: boolean;
  /** The log line of a failure nobody can be told about. */
  unanswered?: string;
}

/** Runs `work` after the ack; returns at once (the listener's Bolt arguments are not kept alive by waiting). */
export function afterAck(options: AfterAckOptions, work: () => Promise<unknown>): void {
  const { inFlight, logger, reply } = options;
  const guarded = () =>
    work().then(
      () => undefined,
      (error: unknown) =>
        reply
          ? replyToFailure({ error, respond: reply, logger })
          : logger.error({ err: error }, options.unanswered ?? 'work after an ack failed'),
    );
  void (options.heavy ? inFlight.run(guarded) : inFlight.follow(guarded));
}

/**
 * A modal submission acks with its outcome (field errors or the next view),
 * so its work starts at once, within Slack's 3 s, and is only tracked (a
 * graceful stop waits for it). Failures are the work's own to answer: it
 * holds the ack.
 */
export function workThatAcks(inFlight: InFlightWork, work: () => Promise<void>): Promise<void> {
  return inFlight.run(work());
}
