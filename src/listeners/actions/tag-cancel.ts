/** Cancel (or Close) on a tagging confirmation: nothing happens, and the confirmation says so. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';

export function tagCancel(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const work = () => respond({ response_type: 'ephemeral', replace_original: true, text: 'Cancelled: nothing was done.' });
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
