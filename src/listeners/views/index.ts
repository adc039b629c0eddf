import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app';
import { PATCH_DECLINE_CALLBACK, PATCH_QUESTION_CALLBACK } from '../../patches/decide-request';
import { PATCH_REQUEST_CALLBACK } from '../../patches/request-view';
import { patchDeclineSubmit, patchQuestionSubmit } from './patch-decision-submit';
import { patchRequestSubmit } from './patch-request-submit';

export function registerViews(app: App, deps: AppDeps): void {
  app.view(PATCH_REQUEST_CALLBACK, patchRequestSubmit(deps));
  app.view(PATCH_DECLINE_CALLBACK, patchDeclineSubmit(deps));
  app.view(PATCH_QUESTION_CALLBACK, patchQuestionSubmit(deps));
}
