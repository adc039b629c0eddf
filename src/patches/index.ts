/** Patch (dot) release requests: the request modal, the owner's decision, the planned dot releases and their sweep. */
import type { Feature } from '../feature';
import { PATCH_DECLINE_CALLBACK, PATCH_QUESTION_CALLBACK } from './decide-request';
import { createPatchesSubcommand, createRequestPatchSubcommand } from './patch-commands';
import { createPatchJobs } from './patch-jobs';
import {
  PATCH_APPROVE_ACTION,
  PATCH_ASK_ACTION,
  PATCH_DECLINE_ACTION,
  PATCH_REQUEST_OPEN_ACTION,
  PATCH_RIDE_ALONG_ACTION,
  PATCH_WITHDRAW_ACTION,
} from './patch-messages';
import { PATCH_REQUEST_CALLBACK, PATCH_REQUEST_TRAIN_ACTION } from './request-view';
import {
  patchApprove,
  patchAsk,
  patchDecline,
  patchDeclineSubmit,
  patchQuestionSubmit,
  patchRequestOpen,
  patchRequestSubmit,
  patchRequestTrain,
  patchRideAlong,
  patchWithdraw,
} from './slack';

export const patchesFeature: Feature = {
  name: 'patches',
  subcommands: [createRequestPatchSubcommand, createPatchesSubcommand],
  buttons: {
    [PATCH_REQUEST_OPEN_ACTION]: patchRequestOpen,
    [PATCH_RIDE_ALONG_ACTION]: patchRideAlong,
    [PATCH_APPROVE_ACTION]: patchApprove,
    [PATCH_DECLINE_ACTION]: patchDecline,
    [PATCH_ASK_ACTION]: patchAsk,
    [PATCH_WITHDRAW_ACTION]: patchWithdraw,
  },
  // Decline and Ask only open a modal (its submission commits before its ack): not durable.
  durableButtons: [PATCH_APPROVE_ACTION, PATCH_WITHDRAW_ACTION],
  selects: { [PATCH_REQUEST_TRAIN_ACTION]: patchRequestTrain },
  views: {
    [PATCH_REQUEST_CALLBACK]: patchRequestSubmit,
    [PATCH_DECLINE_CALLBACK]: patchDeclineSubmit,
    [PATCH_QUESTION_CALLBACK]: patchQuestionSubmit,
  },
  jobs: ({ config }) => createPatchJobs({ settings: config.settings }),
};
