/** "File it": files the issue about a CI failure on GitHub, once; the preview gives way to the link. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { replyToFailure } from '../../slack/reply-to-failure';
import { fileIssue } from '../../tagging/ci-failure';

export function tagFileIssueConfirm(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const text = await fileIssue({ deps, userId: body.user.id, now, value: action.value });
      await respond({ response_type: 'ephemeral', replace_original: true, text });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
