/** "Request a patch" (dashboard) and "Request a ride-along" (a dot-release announcement): open the request modal. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { openPatchRequestModal } from '../../patches/request-modal';
import { replyToFailure } from '../../slack/reply-to-failure';

function openRequestModal(deps: AppDeps, rideAlong: boolean) {
  const logger = deps.logger.child({ module: 'patches' });
  return async ({ ack, body, action, respond, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const now = deps.now();
    const train = rideAlong && /^\d{1,6}$/.test(action.value ?? '') ? Number(action.value) : undefined;
    const work = () =>
      openPatchRequestModal({
        deps,
        client,
        triggerId: body.trigger_id,
        now,
        ...(rideAlong ? { preset: { reason: 'ride-along' as const, ...(train !== undefined ? { train } : {}) } } : {}),
      });
    void deps.inFlight.follow(() =>
      work().catch((error: unknown) =>
        // From the Home tab there is no response_url: the failure can only be logged.
        body.response_url ? replyToFailure({ error, respond, logger }) : logger.error({ err: error }, 'could not open the patch request modal'),
      ),
    );
  };
}

export const patchRequestOpen = (deps: AppDeps) => openRequestModal(deps, false);
export const patchRideAlong = (deps: AppDeps) => openRequestModal(deps, true);
