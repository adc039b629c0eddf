import type { AllMiddlewareArgs, App, BlockButtonAction, BlockStaticSelectAction, SlackAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { dispatchById, exactlyOneOf } from '../dispatch';
import type { AppDeps } from '../../deps';
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

type Listener<A extends SlackAction> = (args: SlackActionMiddlewareArgs<A> & AllMiddlewareArgs) => Promise<void>;

/** Every button, by action_id; one Bolt listener dispatches to them (see dispatch.ts). */
function buttons(deps: AppDeps): Map<string, Listener<BlockButtonAction>> {
  return new Map([
    [STATUS_REFRESH_ACTION, statusRefresh(deps)],
    [KICKOFF_CONFIRM_ACTION, kickoffConfirm(deps)],
    [KICKOFF_DECLINE_ACTION, kickoffDecline(deps)],
    [PATCH_REQUEST_OPEN_ACTION, patchRequestOpen(deps)],
    [PATCH_RIDE_ALONG_ACTION, patchRideAlong(deps)],
    [PATCH_APPROVE_ACTION, patchApprove(deps)],
    [PATCH_DECLINE_ACTION, patchDecline(deps)],
    [PATCH_ASK_ACTION, patchAsk(deps)],
    [PATCH_WITHDRAW_ACTION, patchWithdraw(deps)],
    [PR_ANSWER_ACTIONS.land, prAnswer(deps, 'land')],
    [PR_ANSWER_ACTIONS.roll, prAnswer(deps, 'roll')],
    [PR_ANSWER_ACTIONS.unsure, prAnswer(deps, 'unsure')],
    [TAG_CONFIRM_ACTION, tagConfirm(deps)],
    [TAG_CANCEL_ACTION, tagCancel(deps)],
    [TAG_RETRY_ACTION, tagRetry(deps)],
    [TAG_FILE_ISSUE_ACTION, tagFileIssue(deps)],
    [TAG_FILE_ISSUE_CONFIRM_ACTION, tagFileIssueConfirm(deps)],
    [TAG_FLAKY_ACTION, tagKnownFlaky(deps)],
  ]);
}

export function registerActions(app: App, deps: AppDeps): void {
  const byId = buttons(deps);
  app.action<BlockButtonAction>(exactlyOneOf(byId.keys()), dispatchById(byId, ({ action }) => action.action_id));
  app.action<BlockStaticSelectAction>(PATCH_REQUEST_TRAIN_ACTION, patchRequestTrain(deps));
}
