/** The kickoff announcement's buttons: "I'm on it" and "I can't, pick the next person". */
import type { AppDeps } from '../deps';
import type { ButtonListener } from '../feature';
import { afterAck } from '../slack/after-ack';
import type { Block } from '../slack/blocks';
import { confirmTrainOwnership, declineTrainOwnership } from './announce-train';

type Answer = typeof confirmTrainOwnership;

function kickoffAnswer(deps: AppDeps, answer: Answer): ButtonListener {
  const logger = deps.logger.child({ module: 'kickoff' });
  return async ({ ack, body, action, respond }) => {
    await ack();
    const now = deps.now();
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, async () => {
      const original = { text: body.message?.text ?? '', blocks: (body.message?.blocks ?? []) as Block[] };
      const updated = await answer({ deps, trainValue: action.value, userId: body.user.id, now, original });
      await respond({ replace_original: true, ...updated });
    });
  };
}

export const kickoffConfirm = (deps: AppDeps) => kickoffAnswer(deps, confirmTrainOwnership);
export const kickoffDecline = (deps: AppDeps) => kickoffAnswer(deps, declineTrainOwnership);
