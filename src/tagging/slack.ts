/**
 * Tagging's buttons: Confirm and Cancel on `/release tag`'s confirmation,
 * Retry after a failed cut, and File an issue (preview, then File it) and
 * Known flaky under a CI failure. Each answers the clicker ephemerally.
 */
import type { AppDeps } from '../deps';
import type { ButtonListener } from '../feature';
import { afterAck } from '../slack/after-ack';
import type { Block } from '../slack/blocks';
import { fileIssue, markKnownFlaky, previewIssue, rerunFailedCi } from './ci-failure';
import { cutAnyway, waitForLateMerges } from './cut-anyway';
import { confirmCut, retryCut } from './cut-train';

/** A tagging button: the use case's answer replaces the message it was pressed on, or is added below it. */
function taggingButton(
  deps: AppDeps,
  options: { replaceOriginal: boolean },
  answer: (o: {
    deps: AppDeps;
    userId: string;
    now: Date;
    value: string | undefined;
  }) => Promise<string | { text: string; blocks: Block[] }>,
): ButtonListener {
  const logger = deps.logger.child({ module: 'tagging' });
  return async ({ ack, body, action, respond }) => {
    await ack();
    const now = deps.now();
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, async () => {
      const answered = await answer({ deps, userId: body.user.id, now, value: action.value });
      const message = typeof answered === 'string' ? { text: answered } : answered;
      await respond({ response_type: 'ephemeral', replace_original: options.replaceOriginal, ...message });
    });
  };
}

/** Confirm: cut the train, once; the confirmation gives way to the outcome. */
export const tagConfirm = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, confirmCut);
/** "Cut anyway" on a confirmation with late merges: cut, once, and record the choice in the thread. */
export const tagCutAnyway = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, cutAnyway);
/** Cancel on a confirmation with late merges: nothing is cut; the thread records the wait. */
export const tagLateCancel = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, waitForLateMerges);
/** Cancel (or Close) on a tagging confirmation: nothing happens, and the confirmation says so. */
export const tagCancel = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, async () => 'Cancelled: nothing was done.');
/** "Retry the cut" in a train's thread, offered after a confirmed failure: dispatch once more, once. */
export const tagRetry = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: false }, retryCut);
/** "File it": files the issue about a CI failure on GitHub, once; the preview gives way to the link. */
export const tagFileIssueConfirm = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, fileIssue);
/** "Known flaky" under a CI failure: records it, once, and offers the re-run. */
export const tagKnownFlaky = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: false }, markKnownFlaky);
/** "Re-run failed jobs" (offered after "Known flaky" when CI is a GitHub Actions run): asks GitHub once; the answer replaces the offer. */
export const tagRerun = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: true }, rerunFailedCi);

/** "File an issue" under a CI failure: shows the issue it would file, with File it / Cancel, to the clicker. */
export const tagFileIssue = (deps: AppDeps) => taggingButton(deps, { replaceOriginal: false }, previewIssue);
