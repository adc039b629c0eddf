/**
 * The patch request modal's submission. Checked before the answer (errors go
 * back on the fields, the modal stays open with what was typed), stored once,
 * answered; then delivered to the owner and the channel.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { AFTER_INTERNAL_FAILURE } from '../../errors';
import { FIELD } from '../../patches/request-input';
import { submitPatchRequest } from '../../patches/request-modal';

export function patchRequestSubmit(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'patches' });
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const now = deps.now();
    const work = (async () => {
      let outcome;
      try {
        outcome = await submitPatchRequest({ deps, view, userId: body.user.id, now });
      } catch (error) {
        logger.error({ err: error }, 'patch request submission failed');
        await ack({
          response_action: 'errors',
          errors: { [FIELD.items]: `Something went wrong on my side; nothing was sent and what you typed is kept. ${AFTER_INTERNAL_FAILURE}` },
        });
        return;
      }
      await ack(outcome.ack);
      if (outcome.after) {
        await outcome.after().catch((error: unknown) =>
          logger.error({ err: error }, 'patch request stored, but not delivered yet; the patch sweep will retry'),
        );
      }
    })();
    await deps.inFlight.run(work);
  };
}
