import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { dispatchById, exactlyOneOf } from '../dispatch';
import type { AppDeps } from '../../deps';
import { PATCH_DECLINE_CALLBACK, PATCH_QUESTION_CALLBACK } from '../../patches/decide-request';
import { PATCH_REQUEST_CALLBACK } from '../../patches/request-view';
import { patchDeclineSubmit, patchQuestionSubmit } from './patch-decision-submit';
import { patchRequestSubmit } from './patch-request-submit';

type Listener = (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => Promise<void>;

/** Every modal's submission, by callback_id; one Bolt listener dispatches to them (see dispatch.ts). */
export function registerViews(app: App, deps: AppDeps): void {
  const byId = new Map<string, Listener>([
    [PATCH_REQUEST_CALLBACK, patchRequestSubmit(deps)],
    [PATCH_DECLINE_CALLBACK, patchDeclineSubmit(deps)],
    [PATCH_QUESTION_CALLBACK, patchQuestionSubmit(deps)],
  ]);
  app.view<ViewSubmitAction>(exactlyOneOf(byId.keys()), dispatchById(byId, ({ view }) => view.callback_id));
}
