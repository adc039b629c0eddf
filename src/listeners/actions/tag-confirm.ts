/** `/release tag`'s Confirm button: cut the train, once; the confirmation gives way to the outcome. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';
import { confirmCut } from '../../tagging/cut-train';

export function tagConfirm(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const text = await confirmCut({ deps, userId: body.user.id, now, value: action.value });
      await respond({ response_type: 'ephemeral', replace_original: true, text });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
