/** The decline and question modals' submissions: the reason or question is required; the decision is stored once. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { AFTER_INTERNAL_FAILURE, AppError } from '../../errors';
import { DECISION_TEXT_BLOCK, readDecisionModal, submitDecline, submitQuestion } from '../../patches/decide-request';

type Submit = typeof submitDecline;

function decisionSubmit(deps: AppDeps, kind: 'decline' | 'question') {
  const logger = deps.logger.child({ module: 'patches' });
  const submit: Submit =
    kind === 'decline' ? submitDecline : (options) => submitQuestion({ deps: options.deps, requestId: options.requestId, question: options.reason, userId: options.userId, now: options.now });
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const now = deps.now();
    const work = (async () => {
      let outcome;
      try {
        const { requestId, text } = readDecisionModal(view);
        outcome = await submit({ deps, requestId, reason: text, userId: body.user.id, now });
      } catch (error) {
        // Refusals (not the owner any more, no such request) and failures are shown on the field; the modal stays open.
        const message = error instanceof AppError ? error.userMessage : `Something went wrong on my side; nothing was changed. ${AFTER_INTERNAL_FAILURE}`;
        if (error instanceof AppError) logger.info({ err: error }, 'patch decision refused');
        else logger.error({ err: error }, 'patch decision failed');
        await ack({ response_action: 'errors', errors: { [DECISION_TEXT_BLOCK]: message.replace(/<@(\w+)>/g, '@$1') } });
        return;
      }
      await ack(outcome.ack);
      if (outcome.after) {
        await outcome.after().catch((error: unknown) => logger.warn({ err: error }, 'patch decision stored; telling people failed, the patch sweep will retry'));
      }
    })();
    await deps.inFlight.run(work);
  };
}

export const patchDeclineSubmit = (deps: AppDeps) => decisionSubmit(deps, 'decline');
export const patchQuestionSubmit = (deps: AppDeps) => decisionSubmit(deps, 'question');
