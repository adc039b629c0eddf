/** The answer buttons of a PR sweep DM: "Will land in time", "Roll to next train", "Not sure". */
import type { AppDeps } from '../deps';
import type { ButtonListener } from '../feature';
import { afterAck } from '../slack/after-ack';
import type { Block } from '../slack/blocks';
import { answerPullRequest } from './answer-pull-request';
import type { Answer } from './answer-store';

export function prAnswer(deps: AppDeps, answer: Answer): ButtonListener {
  const logger = deps.logger.child({ module: 'reminders' });
  return async ({ ack, body, action, respond }) => {
    await ack();
    const now = deps.now();
    // In a work slot: a burst of answers right before the cutoff leaves the acks room.
    afterAck({ inFlight: deps.inFlight, logger, reply: respond, heavy: true }, async () => {
      const original = body.message ? { text: body.message.text ?? '', blocks: (body.message.blocks ?? []) as Block[] } : null;
      const reply = await answerPullRequest({ deps, userId: body.user.id, answer, value: action.value, now, original });
      if ('replace' in reply) await respond({ replace_original: true, ...reply.replace });
      else await respond({ response_type: 'ephemeral', replace_original: false, text: reply.ephemeral });
    });
  };
}
