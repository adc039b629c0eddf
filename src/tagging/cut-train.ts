/**
 * Cutting a train once the owner confirmed: check again what the confirmation
 * showed (nothing may have changed on GitHub since), take the guard, dispatch
 * the tagging workflow once, and say what happened. Also the retry offered
 * after a confirmed failure.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { channelLabel, escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { formatBranch, formatTag } from '../train/versions';
import { dispatchCut, type DispatchResult } from './dispatch';
import { flushNotices } from './notices';
import { requireTagger } from './permissions';
import { computeTrainToCut } from './plan-cut';
import { applyChanges, armRetry, findRelease, takeCutGuard } from './release-store';
import { describeState, RETRYABLE_STATES, type TagState } from './states';
import type { ConfirmValue, ReleaseValue } from './tag-view';
import { findRunOfDispatch, REQUEST_STALE_MS } from './watch-release';

const NOTHING = 'Nothing was dispatched.';

function parseJson(value: string | undefined): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseConfirmValue(value: string | undefined): ConfirmValue {
  const parsed = parseJson(value);
  const train = parsed?.train;
  const sha = parsed?.sha;
  if (typeof train !== 'number' || !Number.isSafeInteger(train) || typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new InvalidInputError(`That button does not say which train to cut; run \`/release tag\` again. ${NOTHING}`);
  }
  return { train, sha };
}

export function parseReleaseValue(value: string | undefined): ReleaseValue {
  const parsed = parseJson(value);
  const id = parsed?.id;
  const attempt = parsed?.attempt;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof attempt !== 'number' || !Number.isSafeInteger(attempt)) {
    throw new InvalidInputError('That button does not say which release it is about; `/release status` shows the current cut.');
  }
  return { id, attempt };
}

/** Refuses (with the reason) when the tag or the train's branch exists already. */
async function requireNotCut(deps: AppDeps, train: number, tagNames: string[]): Promise<void> {
  const { settings } = deps.config;
  const tag = formatTag(settings.tagFormat, train, 0);
  if (tagNames.includes(tag)) {
    throw new InvalidInputError(`The tag \`${escapeMrkdwn(tag)}\` already exists: train ${train} was cut already (not by me). ${NOTHING}`);
  }
  const branch = formatBranch(settings.branchFormat, train);
  const branchHead = await deps.github.getBranchHead(branch);
  if (branchHead !== null) {
    throw new InvalidInputError(
      `The branch \`${escapeMrkdwn(branch)}\` already exists (at \`${branchHead.slice(0, 7)}\`): the workflow would fail, or cut the train twice. ` +
        `If a failed run left it behind, delete it and try again. ${NOTHING}`,
    );
  }
}

function describeResult(deps: AppDeps, train: number, result: DispatchResult): string {
  const { settings } = deps.config;
  const workflow = `\`${escapeMrkdwn(settings.tagWorkflow)}\``;
  switch (result.outcome) {
    case 'dispatched':
      return `:label: Dispatched ${workflow} for train ${train}. I'll report the run, CI and stage in the train's thread in ${channelLabel(settings.announcementChannel)}.`;
    case 'uncertain':
      return (
        `:hourglass: I sent the dispatch of ${workflow} for train ${train}, but GitHub's answer was lost (${result.reason}). ` +
        `I'm looking for the run it may have started and will not dispatch again by myself; follow along in the train's thread.`
      );
    case 'refused':
      return `:warning: ${result.reason} ${NOTHING}`;
  }
}

/** The owner (or an admin) confirmed `/release tag`: cut the train, once. Returns the reply for them. */
export async function confirmCut(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const { settings } = deps.config;
  const { train, sha } = parseConfirmValue(options.value);
  await requireTagger({ deps, userId, now, train, action: `cut train ${train}` });
  const tagNames = await deps.github.listAllTagNames();
  await requireNotCut(deps, train, tagNames);
  const next = computeTrainToCut(tagNames, settings.tagFormat).train;
  if (next !== train) {
    throw new InvalidInputError(
      `The next train is now ${next}, not ${train}: the tags changed since this confirmation. Run \`/release tag\` again to see what would be cut. ${NOTHING}`,
    );
  }
  const head = await deps.github.getBranchHead(settings.mainBranch);
  if (head !== sha) {
    throw new InvalidInputError(
      `\`${escapeMrkdwn(settings.mainBranch)}\` has moved since this confirmation (it was at \`${sha.slice(0, 7)}\`, it is ` +
        `${head ? `at \`${head.slice(0, 7)}\`` : 'gone'}). Run \`/release tag\` again to see what would be cut. ${NOTHING}`,
    );
  }
  const guard = await takeCutGuard({
    prisma: deps.db.prisma,
    train,
    patch: 0,
    tag: formatTag(settings.tagFormat, train, 0),
    kind: 'train',
    actor: userId,
    now,
    sourceSha: sha,
    checkAt: new Date(now.getTime() + REQUEST_STALE_MS),
  });
  if (!guard.taken) {
    const existing = guard.existing;
    throw new InvalidInputError(
      `Train ${train} is already being cut: ${describeState(existing.state, escapeMrkdwn(existing.tag))}, ` +
        `asked by ${mentionUser(existing.requestedBy)}. I never cut a train twice; follow it in the train's thread.`,
    );
  }
  const result = await dispatchCut({ deps, release: guard.release, now });
  await flushNotices({ deps, now, releaseIds: [guard.release.id] });
  return describeResult(deps, train, result);
}

/**
 * "Retry the cut", offered once a failure is confirmed (the run failed, or
 * none appeared). Checks again that nothing was cut and that no run started
 * late, then dispatches once more.
 */
export async function retryCut(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const { settings } = deps.config;
  const { id, attempt } = parseReleaseValue(options.value);
  const release = await findRelease(deps.db.prisma, id);
  if (!release) throw new InvalidInputError('I have no record of the cut this button is about; it may be from an old message. Start again with `/release tag`.');
  await requireTagger({ deps, userId, now, train: release.train, action: `retry the cut of train ${release.train}` });
  if (release.attempt !== attempt || !RETRYABLE_STATES.has(release.state as TagState)) {
    throw new InvalidInputError(`That retry button is out of date: ${describeState(release.state, escapeMrkdwn(release.tag))} (attempt ${release.attempt}). ${NOTHING}`);
  }
  const tagNames = await deps.github.listAllTagNames();
  await requireNotCut(deps, release.train, tagNames);
  const next = computeTrainToCut(tagNames, settings.tagFormat).train;
  if (next !== release.train) {
    throw new InvalidInputError(`The tagging workflow would now cut train ${next}, not ${release.train}: the tags changed. ${NOTHING}`);
  }
  if (release.state === 'run_missing') {
    // The run may have shown up after all: follow it rather than dispatching again.
    const late = await findRunOfDispatch({ deps, release, workflow: settings.tagWorkflow, since: release.dispatchedAt ?? release.requestedAt, now });
    if (late) {
      const adopted = await applyChanges({
        prisma: deps.db.prisma,
        release,
        now,
        changes: {
          state: 'dispatched',
          runId: BigInt(late.id),
          runUrl: late.htmlUrl,
          runStatus: late.status,
          runConclusion: late.conclusion,
          nextCheckAt: now,
        },
        audit: { actor: userId, action: 'tag.run-found-late', details: { runId: late.id } },
      });
      if (!adopted) throw new InvalidInputError('Someone else acted on this cut at the same moment; look at the thread.');
      return `:mag: A run did start after all (<${late.htmlUrl}|run ${late.id}>): I'm following it instead of dispatching again. ${NOTHING}`;
    }
  }
  const armed = await armRetry({ prisma: deps.db.prisma, release, actor: userId, now, checkAt: new Date(now.getTime() + REQUEST_STALE_MS) });
  if (!armed) throw new InvalidInputError(`Someone else retried train ${release.train} at the same moment; follow it in the thread. ${NOTHING}`);
  const result = await dispatchCut({ deps, release: armed, now });
  await flushNotices({ deps, now, releaseIds: [armed.id] });
  return describeResult(deps, release.train, result);
}
