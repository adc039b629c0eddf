/** QA: the sign-off of the train on stage (`/release qa`, and the buttons of the "on stage" notice). */
import type { Feature } from '../feature';
import { QA_GREEN_ACTION, QA_RED_ACTION, QA_YELLOW_ACTION } from '../tagging/rerun-view';
import { createQaSubcommand } from './qa-command';
import { QA_DOT_RELEASE_ACTION } from './qa-view';
import { qaColourButton, qaDotReleaseButton } from './slack';

export const qaFeature: Feature = {
  name: 'qa',
  subcommands: [createQaSubcommand],
  buttons: {
    [QA_GREEN_ACTION]: qaColourButton,
    [QA_YELLOW_ACTION]: qaColourButton,
    [QA_RED_ACTION]: qaColourButton,
    [QA_DOT_RELEASE_ACTION]: qaDotReleaseButton,
  },
  // A sign-off is recorded as a durable intent before its ack (src/slack/intents.ts), and carries the intent's key: a
  // restarted replica finishes what a dead one acked, recording and announcing it once. The dot-release button only opens a modal.
  durableButtons: [QA_GREEN_ACTION, QA_YELLOW_ACTION, QA_RED_ACTION],
};
