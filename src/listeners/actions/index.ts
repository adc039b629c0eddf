import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app';
import { STATUS_REFRESH_ACTION } from '../../status/status-view';
import { KICKOFF_CONFIRM_ACTION, KICKOFF_DECLINE_ACTION } from '../../kickoff/kickoff-view';
import { kickoffConfirm, kickoffDecline } from './kickoff-answer';
import { PR_ANSWER_ACTIONS } from '../../reminders/views';
import { prAnswer } from './pr-answer';
import { statusRefresh } from './status-refresh';

export function registerActions(app: App, deps: AppDeps): void {
  app.action(STATUS_REFRESH_ACTION, statusRefresh(deps));
  app.action(KICKOFF_CONFIRM_ACTION, kickoffConfirm(deps));
  app.action(KICKOFF_DECLINE_ACTION, kickoffDecline(deps));
  app.action(PR_ANSWER_ACTIONS.land, prAnswer(deps, 'land'));
  app.action(PR_ANSWER_ACTIONS.roll, prAnswer(deps, 'roll'));
  app.action(PR_ANSWER_ACTIONS.unsure, prAnswer(deps, 'unsure'));
}
