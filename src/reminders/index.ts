/** Cutoff reminders: the check-in, the PR sweeps (DMs with answer buttons, the owner's summary), the last call, the cutoff message, and after it the chase of an untagged train and the SRE hand-off. */
import type { Feature } from '../feature';
import { createReminderJobs } from './reminder-jobs';
import { prAnswer } from './slack';
import { PR_ANSWER_ACTIONS } from './views';

export const remindersFeature: Feature = {
  name: 'reminders',
  durableButtons: [PR_ANSWER_ACTIONS.land, PR_ANSWER_ACTIONS.roll, PR_ANSWER_ACTIONS.unsure],
  buttons: {
    [PR_ANSWER_ACTIONS.land]: (deps) => prAnswer(deps, 'land'),
    [PR_ANSWER_ACTIONS.roll]: (deps) => prAnswer(deps, 'roll'),
    [PR_ANSWER_ACTIONS.unsure]: (deps) => prAnswer(deps, 'unsure'),
  },
  jobs: ({ calendar, config }) => createReminderJobs({ calendar, settings: config.settings }),
};
