/** The kickoff announcement's buttons: "I'm on it" and "I can't, pick the next person". */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { confirmTrainOwnership, declineTrainOwnership } from '../../kickoff/announce-train';
import type { Block } from '../../slack/blocks';
import { replyToFailure } from '../../slack/reply-to-failure';

type Answer = typeof confirmTrainOwnership;

function kickoffAnswer(deps: AppDeps, answer: Answer) {
  const logger = deps.logger.child({ module: 'kickoff' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const original = { text: body.message?.text ?? '', blocks: (body.message?.blocks ?? []) as Block[] };
      const updated = await answer({ deps, trainValue: action.value, userId: body.user.id, now, original });
      await respond({ replace_original: true, ...updated });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}

export const kickoffConfirm = (deps: AppDeps) => kickoffAnswer(deps, confirmTrainOwnership);
export const kickoffDecline = (deps: AppDeps) => kickoffAnswer(deps, declineTrainOwnership);
