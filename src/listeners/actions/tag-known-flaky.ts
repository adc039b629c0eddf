/** "Known flaky" under a CI failure: records it, once. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';
import { markKnownFlaky } from '../../tagging/ci-failure';

export function tagKnownFlaky(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const text = await markKnownFlaky({ deps, userId: body.user.id, now, value: action.value });
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
