/** The answer buttons of a PR sweep DM: "Will land in time", "Roll to next train", "Not sure". */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import type { Answer } from '../../reminders/answer-store';
import { answerPullRequest } from '../../reminders/answer-pull-request';
import type { Block } from '../../slack/blocks';
import { replyToFailure } from '../../slack/reply-to-failure';

export function prAnswer(deps: AppDeps, answer: Answer) {
  const logger = deps.logger.child({ module: 'reminders' });
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    // Queued behind a free work slot: a burst of answers right before the cutoff leaves the acks room.
    const work = async () => {
      const original = body.message ? { text: body.message.text ?? '', blocks: (body.message.blocks ?? []) as Block[] } : null;
      const reply = await answerPullRequest({ deps, userId: body.user.id, answer, value: action.value, now, original });
      if ('replace' in reply) await respond({ replace_original: true, ...reply.replace });
      else await respond({ response_type: 'ephemeral', replace_original: false, text: reply.ephemeral });
    };
    void deps.inFlight.run(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}
