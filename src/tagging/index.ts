/** Tagging: `/release tag` (guarded dispatch of the tagging workflow), the watch of the run, CI and stage, and the train's thread. */
import type { Feature } from '../feature';
import { applyGitHubEvent } from './github-events';
import { TAG_RERUN_ACTION } from './rerun-view';
import {
  tagCancel,
  tagConfirm,
  tagFileIssue,
  tagFileIssueConfirm,
  tagKnownFlaky,
  tagRerun,
  tagRetry,
  tagCutAnyway,
  tagLateCancel,
} from './slack';
import { createTagSubcommand } from './tag-command';
import {
  TAG_CANCEL_ACTION,
  TAG_CONFIRM_ACTION,
  TAG_CUT_ANYWAY_ACTION,
  TAG_FILE_ISSUE_ACTION,
  TAG_FILE_ISSUE_CONFIRM_ACTION,
  TAG_FLAKY_ACTION,
  TAG_LATE_CANCEL_ACTION,
  TAG_RETRY_ACTION,
} from './tag-view';
import { createTagWatchJob } from './watch-job';

export const taggingFeature: Feature = {
  name: 'tagging',
  subcommands: [createTagSubcommand],
  durableButtons: [
    TAG_CONFIRM_ACTION,
    TAG_CUT_ANYWAY_ACTION,
    TAG_LATE_CANCEL_ACTION,
    TAG_RETRY_ACTION,
    TAG_FILE_ISSUE_CONFIRM_ACTION,
    TAG_FLAKY_ACTION,
    TAG_RERUN_ACTION,
  ],
  buttons: {
    [TAG_CONFIRM_ACTION]: tagConfirm,
    [TAG_CANCEL_ACTION]: tagCancel,
    [TAG_CUT_ANYWAY_ACTION]: tagCutAnyway,
    [TAG_LATE_CANCEL_ACTION]: tagLateCancel,
    [TAG_RETRY_ACTION]: tagRetry,
    [TAG_FILE_ISSUE_ACTION]: tagFileIssue,
    [TAG_FILE_ISSUE_CONFIRM_ACTION]: tagFileIssueConfirm,
    [TAG_FLAKY_ACTION]: tagKnownFlaky,
    [TAG_RERUN_ACTION]: tagRerun,
  },
  githubEvents: applyGitHubEvent,
  jobs: () => [createTagWatchJob()],
};
