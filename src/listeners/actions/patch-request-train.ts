/** The request modal's train picker: redraw the modal to say where the chosen train is. */
import type { AllMiddlewareArgs, BlockStaticSelectAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps';
import { redrawPatchRequestModal } from '../../patches/request-modal';

export function patchRequestTrain(deps: AppDeps) {
  const logger = deps.logger.child({ module: 'patches' });
  return async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockStaticSelectAction> & AllMiddlewareArgs) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const work = () => redrawPatchRequestModal({ client, view, selectedTrain: action.selected_option?.value });
    // A modal has no response_url: a failure to redraw leaves the form as it was, and is logged.
    void deps.inFlight.follow(() => work().catch((error: unknown) => logger.warn({ err: error, viewId: view.id }, 'could not redraw the patch request modal')));
  };
}
