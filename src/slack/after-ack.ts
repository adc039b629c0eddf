/**
 * The one skeleton of a Slack listener after its `ack()`: the work is handed
 * to InFlightWork (so a graceful stop waits for it, and it starts once the
 * requests arriving meanwhile have been acked), and a failure is told to the
 * person through the one edge mapping (reply-to-failure.ts), or logged where
 * there is nobody to tell (no response_url: the Home tab, a modal).
 */
import type { AckFn, RespondArguments, ViewResponseAction } from '@slack/bolt';
import type { Logger } from '../logger';
import type { InFlightWork } from '../server/in-flight';
import { describeFailure, replyToFailure } from './reply-to-failure';

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

/** What a modal's submission answers Slack with (field errors, or the next view), and what follows the answer. */
export interface ModalOutcome<A> {
  ack: A;
  /** Telling other people, after the modal has had its answer. */
  after?: () => Promise<unknown>;
}

/**
 * A modal submission acks with its outcome, so its work starts at once,
 * within Slack's 3 s, and is only tracked (a graceful stop waits for it). A
 * failure becomes an error on the modal's `errorBlock` field (the modal stays
 * open with what was typed), through the one edge mapping; a failure of the
 * work after the answer is logged with `afterFailed` (the sweeps retry it).
 */
export function answerModal(
  options: {
    inFlight: InFlightWork;
    logger: Logger;
    ack: AckFn<ViewResponseAction>;
    errorBlock: string;
    /** What stayed as it was, for the failure's words (default: "nothing was changed"). */
    unchanged?: string;
    afterFailed: string;
  },
  work: () => Promise<ModalOutcome<ViewResponseAction>>,
): Promise<void> {
  const { logger } = options;
  return options.inFlight.run(
    (async () => {
      let outcome: ModalOutcome<ViewResponseAction>;
      try {
        outcome = await work();
      } catch (error) {
        const { plain } = describeFailure({ error, logger, ...(options.unchanged ? { unchanged: options.unchanged } : {}) });
        await options.ack({ response_action: 'errors', errors: { [options.errorBlock]: plain } });
        return;
      }
      await options.ack(outcome.ack);
      await outcome.after?.().catch((error: unknown) => logger.warn({ err: error }, options.afterFailed));
    })(),
  );
}
