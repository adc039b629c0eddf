/**
 * Following a dot-release tag: the tag watcher (src/tagging) follows it like
 * a cut (CI, images, stage, in the train's thread). A tag pushed by hand
 * (GitHub's `create`/`push` webhook for a tag) is followed the same way, and
 * closes the plan it matches, unless the bot is running that plan right now
 * (its run closes it). Without webhooks (polling mode) the resume job looks
 * for those tags itself (`followTagsPushedByHand`): one listing of a train's
 * tags per train with a plan waiting, and the commit of a tag found.
 */
import type { AppDeps } from '../deps';
import { tryWithAdvisoryLock } from '../db/locks';
import { GitHubError, GitHubRateLimitedError } from '../github/errors';
import type { GitHubEvent } from '../github/webhooks';
import { readTrainTags } from '../patches/train-landscape';
import { watchPushedTag } from '../tagging/watch-pushed-tag';
import { parseReleaseTag } from '../train/versions';
import { findUnclosedRunByTag, listUnclosedRuns, recordStep } from './dot-release-store';
import { refreshAnnouncement, removeWorkBranch, tellRequesters } from './hand-off';
import { isActive } from './states';

/** A release tag appeared on GitHub (a webhook): a dot-release tag is followed, and closes its plan. Returns the plan closed, if any. */
export async function followPushedTag(options: { deps: AppDeps; tag: string; sha: string; now: Date }): Promise<number | null> {
  const { deps, tag, sha, now } = options;
  const parsed = parseReleaseTag(tag, deps.config.settings.tagFormat);
  // Cuts (patch 0) are the tagging workflow's, followed by `/release tag`'s watch.
  if (!parsed || parsed.patch === 0) return null;
  await watchPushedTag({ deps, train: parsed.train, patch: parsed.patch, tag, sha, actor: 'github', now });
  const run = await findUnclosedRunByTag(deps.db.prisma, tag);
  if (!run) return null;
  const closed = await tryWithAdvisoryLock(deps.db.sql, { namespace: 'dotReleaseRun', id: run.id }, async () => {
    const current = await findUnclosedRunByTag(deps.db.prisma, tag);
    if (!current) return null;
    // Before the close is recorded (idempotent): a process killed after the delete finds the branch absent.
    await removeWorkBranch({ deps, run: current, now, mergedInto: sha });
    const done = await recordStep({
      prisma: deps.db.prisma,
      run: current,
      now,
      changes: { status: 'watched', tagSha: sha, closedAt: now, openTrain: null },
      audit: { actor: 'github', action: 'dot-release.close', details: { tagSha: sha, byHand: true, in: current.status } },
    });
    if (!done) return null;
    await tellRequesters({ deps, run: done, now, outcome: 'released' });
    await refreshAnnouncement({ deps, run: done, now });
    return done.id;
  });
  // Locked: the bot is running this plan and pushed the tag itself; its run closes it.
  return closed.locked ? closed.value : null;
}

/** The dot-release feature's GitHub webhooks: a tag created or pushed. */
export async function applyTagEvent(options: { deps: AppDeps; event: GitHubEvent; now: Date }): Promise<unknown> {
  const { deps, event, now } = options;
  if (event.kind !== 'tag') return null;
  if (event.repository.toLowerCase() !== deps.config.settings.repository.toLowerCase()) return null;
  let sha = event.sha;
  if (sha === null) {
    // `create` carries no commit: GitHub's commit of the tag (one request).
    sha = (await deps.github.getCommit(event.tag))?.sha ?? null;
    if (sha === null) return null;
  }
  return followPushedTag({ deps, tag: event.tag, sha, now });
}

/**
 * Polling mode (no webhooks): the tags of the plans waiting (planned, or stopped at a conflict or a failure: the bot
 * is not running them) are looked up on GitHub, one listing per train; a plan whose tag exists was tagged by hand,
 * and is followed and closed as the webhook would (its tag's commit: one request). A train GitHub cannot list is
 * logged and looked at again next time, and so is a tag whose commit GitHub cannot read (a rate limit stops the
 * round). Returns the plans closed.
 */
export async function followTagsPushedByHand(options: { deps: AppDeps; now: Date }): Promise<number[]> {
  const { deps, now } = options;
  const logger = deps.logger.child({ module: 'dot-release' });
  const waiting = (await listUnclosedRuns(deps.db.prisma)).filter((run) => !isActive(run.status));
  const closed: number[] = [];
  for (const train of new Set(waiting.map((run) => run.train))) {
    let tags: Set<string>;
    try {
      tags = new Set((await readTrainTags(deps, train)).map((tag) => tag.name));
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      logger.warn({ err: error, train }, 'dot release: could not list the tags of a train with a plan waiting; looking again next minute');
      if (error instanceof GitHubRateLimitedError) break;
      continue;
    }
    for (const run of waiting.filter((r) => r.train === train && tags.has(r.tag))) {
      let sha: string | undefined;
      try {
        sha = (await deps.github.getCommit(run.tag))?.sha;
      } catch (error) {
        if (!(error instanceof GitHubError)) throw error;
        logger.warn({ err: error, train, tag: run.tag }, "dot release: could not read a tag's commit; looking again next minute");
        if (error instanceof GitHubRateLimitedError) return closed;
        continue;
      }
      if (!sha) continue;
      const plan = await followPushedTag({ deps, tag: run.tag, sha, now });
      if (plan !== null) closed.push(plan);
    }
  }
  return closed;
}
