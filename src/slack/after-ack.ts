/**
 * The one skeleton of a Slack listener after its `ack()`: the work is handed
 * to InFlightWork (so a graceful stop waits for it, and it starts once the
 * requests arriving meanwhile have been acked), and a failure is told to the
 * person through the one edge mapping (reply-to-failure.ts), or logged where
 * there is nobody to tell (no response_url: the Home tab, a modal).
 *
 * The work is bounded (InFlightWork.admit): past the bound the person is told
 * at once, ephemerally through the response_url, that the bot is busy and to
 * try again in a minute, and the work does not run. Nothing waits for that
 * answer but a graceful stop, so a burst costs one small POST per request.
 */
import type { AckFn, RespondArguments, ViewResponseAction } from '@slack/bolt';
import type { Logger } from '../logger';
import type { InFlightWork } from '../server/in-flight';
import { currentIntent } from './intents';
import { escapeMrkdwn } from './mrkdwn';
import { describeFailure, replyToFailure } from './reply-to-failure';

/** What a person is told when the bot is too busy to take their request (mrkdwn; `what` names the request). */
export function busyText(what?: string): string {
  const request = what ? `\`${escapeMrkdwn(what.length > 80 ? `${what.slice(0, 79)}…` : what)}\`` : 'that';
  return `:hourglass_flowing_sand: I'm handling too many requests at once right now, so I did not do ${request}: nothing was changed. Please try again in a minute.`;
}

/** The same for a modal's field error (plain text). */
export const BUSY_MODAL_TEXT =
  "I'm handling too many requests at once right now, so nothing was saved. Please submit again in a minute (what you typed is kept).";

export interface AfterAckOptions {
  inFlight: InFlightWork;
  logger: Logger;
  /** Where failures are told; without it they are logged with `unanswered`. */
  reply?: ((message: RespondArguments) => Promise<unknown>) | undefined;
  /** Heavy work (a dashboard) takes one of the few work slots; the rest only waits for acks. */
  heavy?: boolean;
  /** The log line of a failure nobody can be told about. */
  unanswered?: string;
  /** Names the request in the busy answer, e.g. "/release status" (default "that"). */
  what?: string;
}

/**
 * Runs `work` after the ack; returns at once (the listener's Bolt arguments are not kept alive by waiting).
 * In a durable listener (intents.ts) a duplicate delivery does nothing, the intent's lease is renewed from the
 * work's admission (it may wait in the work queue) until it settles, and the intent is marked done once the work
 * has answered, or the person was told what went wrong or that the bot is busy.
 */
export function afterAck(options: AfterAckOptions, work: () => Promise<unknown>): void {
  const { inFlight, logger, reply } = options;
  const intent = currentIntent();
  if (intent?.duplicate) return;
  const answered = () =>
    work().then(
      () => inFlight.answered('answered'),
      (error: unknown) => {
        inFlight.answered('failed');
        return reply
          ? replyToFailure({ error, respond: reply, logger })
          : logger.error({ err: error }, options.unanswered ?? 'work after an ack failed');
      },
    );
  // From its admission, while it waits in the queue and while it runs, the intent's lease is renewed: no replica
  // (this one's minute job included) runs it again meanwhile (a dead process stops renewing). The renewal stops
  // before the intent is marked done: a renewal must not wait on the row behind a slow "done", holding a connection.
  const stopRenewing = intent?.keepLease();
  const guarded = () =>
    answered()
      .finally(() => stopRenewing?.())
      .then(() => intent?.finish());
  if (inFlight.admit(options.heavy ? 'heavy' : 'light', guarded)) return;
  stopRenewing?.();
  void intent?.finish();
  inFlight.answered('busy');
  tellBusy(options);
}

/** Refusals not logged yet, by process (its InFlightWork), while a burst lasts (a timer sums them up). */
const busyLogs = new WeakMap<InFlightWork, { unlogged: number }>();

/**
 * Logs a refusal: the first of a burst at once, the rest summed up once per `busyLogEveryMs` while it lasts
 * (a thousand refusals a second must not become a thousand log lines; the metrics count every one).
 */
function logRefusal(options: AfterAckOptions, kind: 'light' | 'heavy', message: string): void {
  const { inFlight, logger } = options;
  const pending = busyLogs.get(inFlight);
  if (pending) {
    pending.unlogged += 1;
    return;
  }
  logger.warn({ kind, ...(options.reply ? {} : { refused: options.unanswered ?? 'work after an ack' }) }, message);
  const sumUp = (): void => {
    const state = busyLogs.get(inFlight);
    if (!state || state.unlogged === 0) {
      busyLogs.delete(inFlight);
      return;
    }
    logger.warn({ refusedSince: state.unlogged, withinMs: inFlight.busyLogEveryMs }, 'too busy: more work refused meanwhile');
    state.unlogged = 0;
    setTimeout(sumUp, inFlight.busyLogEveryMs).unref();
  };
  busyLogs.set(inFlight, { unlogged: 0 });
  setTimeout(sumUp, inFlight.busyLogEveryMs).unref();
}

/** Past the bound: says so at once through the response_url (tracked for a graceful stop only), or logs it where nobody can be told. */
function tellBusy(options: AfterAckOptions): void {
  const { inFlight, logger, reply } = options;
  const kind = options.heavy ? 'heavy' : 'light';
  if (!reply) {
    logRefusal(options, kind, 'too busy: work refused, nobody to tell');
    return;
  }
  logRefusal(options, kind, 'too busy: work refused, told the person to try again in a minute');
  void inFlight.run(
    reply({ response_type: 'ephemeral', replace_original: false, text: busyText(options.what) }).then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'could not tell the person that the bot is busy'),
    ),
  );
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
  const admitted = options.inFlight.admit(
    'light',
    async () => {
      let outcome: ModalOutcome<ViewResponseAction>;
      try {
        outcome = await work();
      } catch (error) {
        options.inFlight.answered('failed');
        const { plain } = describeFailure({ error, logger, ...(options.unchanged ? { unchanged: options.unchanged } : {}) });
        await options.ack({ response_action: 'errors', errors: { [options.errorBlock]: plain } });
        return;
      }
      await options.ack(outcome.ack);
      options.inFlight.answered('answered');
      await outcome.after?.().catch((error: unknown) => logger.warn({ err: error }, options.afterFailed));
    },
    { atOnce: true },
  );
  if (admitted) return admitted;
  options.inFlight.answered('busy');
  logger.warn({ kind: 'light' }, 'too busy: modal submission refused, told the person to submit again in a minute');
  return options.ack({ response_action: 'errors', errors: { [options.errorBlock]: BUSY_MODAL_TEXT } });
}
