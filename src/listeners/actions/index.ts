import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app';
import { STATUS_REFRESH_ACTION } from '../../status/status-view';
import { KICKOFF_CONFIRM_ACTION, KICKOFF_DECLINE_ACTION } from '../../kickoff/kickoff-view';
import { kickoffConfirm, kickoffDecline } from './kickoff-answer';
import { PR_ANSWER_ACTIONS } from '../../reminders/views';
import { prAnswer } from './pr-answer';
import { statusRefresh } from './status-refresh';
import {
  PATCH_APPROVE_ACTION,
  PATCH_ASK_ACTION,
  PATCH_DECLINE_ACTION,
  PATCH_REQUEST_OPEN_ACTION,
  PATCH_RIDE_ALONG_ACTION,
  PATCH_WITHDRAW_ACTION,
} from '../../patches/patch-messages';
import { PATCH_REQUEST_TRAIN_ACTION } from '../../patches/request-view';
import { patchApprove, patchAsk, patchDecline, patchWithdraw } from './patch-decision';
import { patchRequestOpen, patchRideAlong } from './patch-request-open';
import { patchRequestTrain } from './patch-request-train';
import {
  TAG_CANCEL_ACTION,
  TAG_CONFIRM_ACTION,
  TAG_FILE_ISSUE_ACTION,
  TAG_FILE_ISSUE_CONFIRM_ACTION,
  TAG_FLAKY_ACTION,
  TAG_RETRY_ACTION,
} from '../../tagging/tag-view';
import { tagCancel } from './tag-cancel';
import { tagConfirm } from './tag-confirm';
import { tagFileIssue } from './tag-file-issue';
import { tagFileIssueConfirm } from './tag-file-issue-confirm';
import { tagKnownFlaky } from './tag-known-flaky';
import { tagRetry } from './tag-retry';

export function registerActions(app: App, deps: AppDeps): void {
  app.action(STATUS_REFRESH_ACTION, statusRefresh(deps));
  app.action(KICKOFF_CONFIRM_ACTION, kickoffConfirm(deps));
  app.action(KICKOFF_DECLINE_ACTION, kickoffDecline(deps));
  app.action(PATCH_REQUEST_OPEN_ACTION, patchRequestOpen(deps));
  app.action(PATCH_RIDE_ALONG_ACTION, patchRideAlong(deps));
  app.action(PATCH_REQUEST_TRAIN_ACTION, patchRequestTrain(deps));
  app.action(PATCH_APPROVE_ACTION, patchApprove(deps));
  app.action(PATCH_DECLINE_ACTION, patchDecline(deps));
  app.action(PATCH_ASK_ACTION, patchAsk(deps));
  app.action(PATCH_WITHDRAW_ACTION, patchWithdraw(deps));
  app.action(PR_ANSWER_ACTIONS.land, prAnswer(deps, 'land'));
  app.action(PR_ANSWER_ACTIONS.roll, prAnswer(deps, 'roll'));
  app.action(PR_ANSWER_ACTIONS.unsure, prAnswer(deps, 'unsure'));
  app.action(TAG_CONFIRM_ACTION, tagConfirm(deps));
  app.action(TAG_CANCEL_ACTION, tagCancel(deps));
  app.action(TAG_RETRY_ACTION, tagRetry(deps));
  app.action(TAG_FILE_ISSUE_ACTION, tagFileIssue(deps));
  app.action(TAG_FILE_ISSUE_CONFIRM_ACTION, tagFileIssueConfirm(deps));
  app.action(TAG_FLAKY_ACTION, tagKnownFlaky(deps));
}
