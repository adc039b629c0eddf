/** A patch request's buttons: Approve, Decline (opens a modal), Ask for more information (opens a modal), Withdraw. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps';
import { approveRequest, openDecisionModal, parseRequestId, withdrawRequest } from '../../patches/decide-request';
import { replyToFailure } from '../../slack/reply-to-failure';

type Handler = (options: { deps: AppDeps; requestId: number; userId: string; now: Date; triggerId: string; client: WebClient }) => Promise<string | undefined>;

function patchDecision(deps: AppDeps, handle: Handler) {
  const logger = deps.logger.child({ module: 'patches' });
  return async ({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const work = async () => {
      const requestId = parseRequestId(action.value);
      const reply = await handle({ deps, requestId, userId: body.user.id, now, triggerId: body.trigger_id, client });
      if (reply) await respond({ response_type: 'ephemeral', replace_original: false, text: reply });
    };
    void deps.inFlight.follow(() => work().catch((error: unknown) => replyToFailure({ error, respond, logger })));
  };
}

export const patchApprove = (deps: AppDeps) => patchDecision(deps, (o) => approveRequest(o));
export const patchDecline = (deps: AppDeps) => patchDecision(deps, (o) => openDecisionModal({ ...o, kind: 'decline' }));
export const patchAsk = (deps: AppDeps) => patchDecision(deps, (o) => openDecisionModal({ ...o, kind: 'question' }));
export const patchWithdraw = (deps: AppDeps) => patchDecision(deps, (o) => withdrawRequest(o));
