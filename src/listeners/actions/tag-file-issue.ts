/** "File an issue" under a CI failure: shows the issue it would file, with File it / Cancel, to the clicker. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';
import { previewIssue } from '../../tagging/ci-failure';

export function tagFileIssue(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const preview = await previewIssue({ deps, userId: body.user.id, now, value: action.value });
      await respond({ response_type: 'ephemeral', replace_original: false, ...preview });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
