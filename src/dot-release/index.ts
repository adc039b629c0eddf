/**
 * Dot releases run by the bot (issue 14): `/release patch run|resume|abandon`, the *Run dot release* button and
 * its confirmation, the durable run (cherry-picks, push, tag, through src/git), the conflict hand-off, the tag
 * followed by the tag watcher, forward ports, `/release forward-ports` and `/release where`.
 */
import type { Feature } from '../feature';
import { DOT_RELEASE_RUN_ACTION } from '../patches/patch-messages';
import { createForwardPortsSubcommand, createPatchSubcommand, createWhereSubcommand } from './dot-release-commands';
import { createDotReleaseJobs } from './dot-release-jobs';
import { applyTagEvent } from './follow-tag';
import { DOT_RELEASE_ABANDON_ACTION, DOT_RELEASE_CANCEL_ACTION, DOT_RELEASE_CONFIRM_ACTION, DOT_RELEASE_RESUME_ACTION } from './run-view';
import { dotReleaseAbandon, dotReleaseCancel, dotReleaseConfirm, dotReleaseResume, dotReleaseRun } from './slack';

export const dotReleaseFeature: Feature = {
  name: 'dot-release',
  subcommands: [createPatchSubcommand, createForwardPortsSubcommand, createWhereSubcommand],
  buttons: {
    [DOT_RELEASE_RUN_ACTION]: dotReleaseRun,
    [DOT_RELEASE_CONFIRM_ACTION]: dotReleaseConfirm,
    [DOT_RELEASE_CANCEL_ACTION]: dotReleaseCancel,
    [DOT_RELEASE_RESUME_ACTION]: dotReleaseResume,
    [DOT_RELEASE_ABANDON_ACTION]: dotReleaseAbandon,
  },
  // Run only shows the confirmation, Cancel changes nothing.
  durableButtons: [DOT_RELEASE_CONFIRM_ACTION, DOT_RELEASE_RESUME_ACTION, DOT_RELEASE_ABANDON_ACTION],
  githubEvents: applyTagEvent,
  jobs: () => createDotReleaseJobs(),
};
