/** Kickoff: the rotation announcement at sprint kickoff, the owner's answer, and the reminder to admins. */
import type { Feature } from '../feature';
import { createKickoffJobs } from './kickoff-jobs';
import { KICKOFF_CONFIRM_ACTION, KICKOFF_DECLINE_ACTION } from './kickoff-view';
import { kickoffConfirm, kickoffDecline } from './slack';

export const kickoffFeature: Feature = {
  name: 'kickoff',
  buttons: { [KICKOFF_CONFIRM_ACTION]: kickoffConfirm, [KICKOFF_DECLINE_ACTION]: kickoffDecline },
  durableButtons: [KICKOFF_CONFIRM_ACTION, KICKOFF_DECLINE_ACTION],
  jobs: ({ calendar, config }) => createKickoffJobs({ calendar, settings: config.settings }),
};
