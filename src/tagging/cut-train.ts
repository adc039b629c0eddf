/**
 * Cutting a train once the owner confirmed: check again what the confirmation
 * showed (nothing may have changed on GitHub since), take the guard, dispatch
 * the tagging workflow once, and say what happened. Also the retry offered
 * after a confirmed failure. The checks return typed refusals and outcomes;
 * tag-view.ts says them.
 */
import type { AppDeps } from '../deps';
import { parseJsonObject, positiveIdOf } from '../commands/parse-values';
import { InvalidInputError } from '../errors';
import { formatBranch, formatTag } from '../train/versions';
import { commitWrite } from './commit';
import { dispatchCut } from './dispatch';
import { flushNotices } from './notices';
import type { CutAnswer, CutRefusal } from './outcomes';
import { requireTagger } from './permissions';
import { trainToCut } from './plan-cut';
import { armRetry, findRelease, takeCutGuard } from './release-store';
import { RETRYABLE_STATES, type TagState } from './states';
import { renderCutOutcome, renderCutRefusal, type ConfirmValue, type ReleaseValue } from './tag-view';
import { findRunOfDispatch } from './watch-release';
import { REQUEST_STALE_MS } from './watch-policy';

function refused(refusal: CutRefusal): CutAnswer {
  return { kind: 'refused', refusal };
}

function readConfirmValue(value: string | undefined): ConfirmValue | null {
  const parsed = parseJsonObject(value);
  const train = positiveIdOf(parsed?.train);
  const sha = parsed?.sha;
  if (train === null || typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) return null;
  return { train, sha };
}

function readReleaseValue(value: string | undefined): ReleaseValue | null {
  const parsed = parseJsonObject(value);
  const id = positiveIdOf(parsed?.id);
  const attempt = positiveIdOf(parsed?.attempt);
  if (id === null || attempt === null) return null;
  return { id, attempt };
}

/** @throws InvalidInputError when the value does not say which train to cut */
export function parseConfirmValue(value: string | undefined): ConfirmValue {
  const parsed = readConfirmValue(value);
  if (!parsed) throw new InvalidInputError(renderCutRefusal({ kind: 'confirm-value-unreadable' }));
  return parsed;
}

/** @throws InvalidInputError when the value does not say which release it is about */
export function parseReleaseValue(value: string | undefined): ReleaseValue {
  const parsed = readReleaseValue(value);
  if (!parsed) throw new InvalidInputError(renderCutRefusal({ kind: 'release-value-unreadable' }));
  return parsed;
}

/** Why the train cannot be cut because its tag or its branch exists already; null when neither does. */
async function alreadyCut(deps: AppDeps, train: number, tagNames: string[]): Promise<CutRefusal | null> {
  const { settings } = deps.config;
  const tag = formatTag(settings.tagFormat, train, 0);
  if (tagNames.includes(tag)) return { kind: 'tag-exists', tag, train };
  const branch = formatBranch(settings.branchFormat, train);
  const head = await deps.github.getBranchHead(branch);
  return head === null ? null : { kind: 'branch-exists', branch, head };
}

/** Checks again what the owner confirmed, takes the guard and dispatches; or says why not. */
async function cutConfirmed(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<CutAnswer> {
  const { deps, userId, now } = options;
  const { settings } = deps.config;
  const confirmed = readConfirmValue(options.value);
  if (!confirmed) return refused({ kind: 'confirm-value-unreadable' });
  const { train, sha } = confirmed;
  await requireTagger({ deps, userId, now, train, action: `cut train ${train}` });
  const tagNames = await deps.github.listAllTagNames();
  const cut = await alreadyCut(deps, train, tagNames);
  if (cut) return refused(cut);
  const counted = trainToCut(tagNames, settings.tagFormat);
  if (!counted.ok) return refused({ kind: 'train-uncountable', problem: counted.problem });
  if (counted.train !== train) return refused({ kind: 'next-train-changed', train, next: counted.train });
  const head = await deps.github.getBranchHead(settings.mainBranch);
  if (head !== sha) return refused({ kind: 'main-moved', branch: settings.mainBranch, confirmedSha: sha, head });
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
    const { existing } = guard;
    return refused({ kind: 'being-cut', train, state: existing.state, tag: existing.tag, requestedBy: existing.requestedBy });
  }
  const result = await dispatchCut({ deps, release: guard.release, now });
  await flushNotices({ deps, now, releaseIds: [guard.release.id] });
  return { kind: 'dispatch', train, result };
}

/** Checks again that nothing was cut and that no run started late, then dispatches once more; or says why not. */
async function cutAgain(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<CutAnswer> {
  const { deps, userId, now } = options;
  const { settings } = deps.config;
  const value = readReleaseValue(options.value);
  if (!value) return refused({ kind: 'release-value-unreadable' });
  const release = await findRelease(deps.db.prisma, value.id);
  if (!release) return refused({ kind: 'unknown-release' });
  await requireTagger({ deps, userId, now, train: release.train, action: `retry the cut of train ${release.train}` });
  if (release.attempt !== value.attempt || !RETRYABLE_STATES.has(release.state as TagState)) {
    return refused({ kind: 'retry-out-of-date', state: release.state, tag: release.tag, attempt: release.attempt });
  }
  const tagNames = await deps.github.listAllTagNames();
  const cut = await alreadyCut(deps, release.train, tagNames);
  if (cut) return refused(cut);
  const counted = trainToCut(tagNames, settings.tagFormat);
  if (!counted.ok) return refused({ kind: 'train-uncountable', problem: counted.problem });
  if (counted.train !== release.train) return refused({ kind: 'retry-train-changed', train: release.train, next: counted.train });
  if (release.state === 'run_missing') {
    // The run may have shown up after all: follow it rather than dispatching again.
    const late = await findRunOfDispatch({
      deps,
      release,
      workflow: settings.tagWorkflow,
      since: release.dispatchedAt ?? release.requestedAt,
    });
    if (late) {
      const adopted = await commitWrite({
        deps,
        release,
        now,
        write: {
          changes: {
            state: 'dispatched',
            runId: BigInt(late.id),
            runUrl: late.htmlUrl,
            runStatus: late.status,
            runConclusion: late.conclusion,
            nextCheckAt: now,
          },
          audit: { actor: userId, action: 'tag.run-found-late', details: { runId: late.id } },
        },
      });
      if (!adopted) return refused({ kind: 'adopt-raced' });
      return { kind: 'run-found-late', runId: late.id, runUrl: late.htmlUrl };
    }
  }
  const armed = await armRetry({
    prisma: deps.db.prisma,
    release,
    actor: userId,
    now,
    checkAt: new Date(now.getTime() + REQUEST_STALE_MS),
  });
  if (!armed) return refused({ kind: 'retry-raced', train: release.train });
  const result = await dispatchCut({ deps, release: armed, now });
  await flushNotices({ deps, now, releaseIds: [armed.id] });
  return { kind: 'dispatch', train: release.train, result };
}

/** The reply for the person; a refusal is thrown as an InvalidInputError saying why. */
function reply(deps: AppDeps, answer: CutAnswer): string {
  if (answer.kind === 'refused') throw new InvalidInputError(renderCutRefusal(answer.refusal));
  return renderCutOutcome(deps.config.settings, answer);
}

/** The owner (or an admin) confirmed `/release tag`: cut the train, once. Returns the reply for them. */
export async function confirmCut(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  return reply(options.deps, await cutConfirmed(options));
}

/**
 * "Retry the cut", offered once a failure is confirmed (the run failed, or
 * none appeared). Checks again that nothing was cut and that no run started
 * late, then dispatches once more. Returns the reply.
 */
export async function retryCut(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  return reply(options.deps, await cutAgain(options));
}
