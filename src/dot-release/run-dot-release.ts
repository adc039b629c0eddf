/**
 * Running a planned dot release (issue 14 items 2 and 3): the durable state
 * machine of states.ts, driven one recorded step at a time through the git
 * adapter. The whole run holds the plan's advisory lock (`dotReleaseRun`),
 * so a double click, a Slack retry, a replayed intent, the resume job or a
 * second replica never run it twice at once; each step is recorded before
 * its side effect and after it (conditional on `runVersion`), and every git
 * step recognises its own earlier result (`already-pushed`,
 * `already-tagged`), so a run killed anywhere resumes from its last record
 * without picking, pushing or tagging twice.
 *
 * GitHub is not asked anything here: git does the work, the tag watcher
 * (src/tagging) follows CI and stage afterwards.
 */
import type { AppDeps } from '../deps';
import { tryWithAdvisoryLock, withAdvisoryLock } from '../db/locks';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { GitError } from '../git';
import { loadDotReleasePlan } from '../patches/patch-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { mentionUser } from '../slack/mrkdwn';
import { parseReleaseTag } from '../train/versions';
import {
  type DotReleaseRun,
  loadRun,
  makeRoomForNumber,
  type PickRecord,
  recordStep,
  remainingPicks,
  type RunChanges,
  type RunCommit,
  startRun,
} from './dot-release-store';
import { handOffConflict, offerForwardPorts, postFailure, refreshAnnouncement, removeWorkBranch, tellRequesters } from './hand-off';
import { trainRepository } from './git-port';
import { watchPushedTag } from '../tagging/watch-pushed-tag';
import { isActive } from './states';

/** The train's owner or an admin may run, resume or abandon its dot release; anyone else is told who may. */
export async function requireRunner(deps: AppDeps, train: number, userId: string, now: Date): Promise<void> {
  const owner = await findOwnerOfTrain(deps, train);
  if (owner === userId) return;
  if (await deps.admins.isAdmin(userId, now)) return;
  throw new PermissionDeniedError(
    owner
      ? `Only ${mentionUser(owner)}, the owner of train ${train}, or an admin can run train ${train}'s dot releases; nothing was done.`
      : `Train ${train} has no owner assigned, so only an admin can run its dot releases; nothing was done.`,
  );
}

export async function requireRun(deps: AppDeps, planId: number): Promise<DotReleaseRun> {
  const run = await loadRun(deps.db.prisma, planId);
  if (!run) throw new InvalidInputError(`There is no dot release #${planId}; \`/release patches\` lists them.`);
  return run;
}

/** What the run came to, for the person who started or resumed it. */
export type RunOutcome = { kind: 'busy'; run: DotReleaseRun } | { kind: 'stopped'; run: DotReleaseRun };

/**
 * Confirm: starts a planned run (its commits frozen, the plan closed to approvals) and drives it, or carries on
 * one left in the middle of a step. `version`: the plan's version the confirmation showed (a changed plan is
 * confirmed again).
 */
export async function confirmRun(options: {
  deps: AppDeps;
  planId: number;
  version?: number;
  userId: string;
  now: Date;
}): Promise<RunOutcome> {
  const { deps, userId, now } = options;
  let run = await requireRun(deps, options.planId);
  await requireRunner(deps, run.train, userId, now);
  if (run.status === 'planned') {
    const plan = await loadDotReleasePlan(deps.db.prisma, run.id);
    if (!plan || plan.commits.length === 0) {
      throw new InvalidInputError(
        `Dot release ${run.train}.${run.patch} has no commits to pick (an empty plan); nothing was done. Approve a patch request for train ${run.train} first.`,
      );
    }
    if (options.version !== undefined && plan.version !== options.version) {
      throw new InvalidInputError(
        `Dot release ${run.train}.${run.patch} changed since this confirmation was shown (now ${plan.commits.length} commit(s)); nothing was done. ` +
          `Run \`/release patch run ${run.train}.${run.patch}\` again to see what it holds now.`,
      );
    }
    const commits: RunCommit[] = plan.commits.map((c) => ({
      sha: c.sha,
      title: c.title,
      requestId: c.requestId,
      requestedBy: c.requestedBy,
    }));
    run = (await startRun({ prisma: deps.db.prisma, run, actor: userId, commits, now })) ?? (await requireRun(deps, run.id));
  }
  return driveRun({ deps, runId: run.id, now, wait: true });
}

/**
 * Drives run `runId` from its recorded state as far as it goes, holding its lock. With `wait` (a person's click,
 * or its replay) a run already being driven elsewhere is waited for, and the answer is where it stopped; without
 * (the resume job) it is left to whoever drives it: `busy`.
 */
export async function driveRun(options: {
  deps: AppDeps;
  runId: number;
  now: Date;
  renumber?: boolean;
  wait?: boolean;
}): Promise<RunOutcome> {
  const { deps, runId } = options;
  const lock = { namespace: 'dotReleaseRun', id: runId } as const;
  if (options.wait) return { kind: 'stopped', run: await withAdvisoryLock(deps.db.sql, lock, () => steps(options)) };
  const locked = await tryWithAdvisoryLock(deps.db.sql, lock, () => steps(options));
  if (locked.locked) return { kind: 'stopped', run: locked.value };
  return { kind: 'busy', run: await requireRun(deps, runId) };
}

/** Runs every step the recorded state allows; returns where it stopped (closed, conflict, failed, or planned). */
async function steps(options: { deps: AppDeps; runId: number; now: Date; renumber?: boolean }): Promise<DotReleaseRun> {
  const { deps, now } = options;
  const logger = deps.logger.child({ module: 'dot-release', plan: options.runId });
  let run = await requireRun(deps, options.runId);
  let announced = '';
  for (;;) {
    if (!isActive(run.status)) {
      await refreshAnnouncement({ deps, run, now }).catch((error: unknown) =>
        logger.warn({ err: error }, 'dot release: could not redraw its announcement'),
      );
      return run;
    }
    if (announced !== run.status) {
      announced = run.status;
      await refreshAnnouncement({ deps, run, now }).catch((error: unknown) =>
        logger.warn({ err: error }, 'dot release: could not redraw its announcement'),
      );
    }
    let next: DotReleaseRun | null;
    try {
      next = await step({ deps, run, now, renumber: options.renumber === true });
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      logger.warn({ err: error, state: run.status, reason: error.reason }, 'dot release stopped by a git failure');
      next = await recordStep({
        prisma: deps.db.prisma,
        run,
        now,
        changes: { status: 'failed', failedIn: run.status, lastError: error.userMessage },
        audit: { actor: 'system', action: 'dot-release.fail', details: { in: run.status, reason: error.reason } },
      });
      if (next) await postFailure({ deps, run: next, now });
    }
    // Recorded by someone else first (an Abandon): read what they recorded.
    run = next ?? (await requireRun(deps, run.id));
  }
}

/** One step from the recorded state: its side effect, then its record. */
async function step(options: { deps: AppDeps; run: DotReleaseRun; now: Date; renumber: boolean }): Promise<DotReleaseRun | null> {
  const { deps, run, now } = options;
  const { prisma } = deps.db;
  const repository = trainRepository(deps);
  const record = (changes: RunChanges, audit?: { action: string; details: Record<string, unknown> }) =>
    recordStep({ prisma, run, changes, now, ...(audit ? { audit: { actor: run.runBy ?? 'system', ...audit } } : {}) });
  switch (run.status) {
    case 'picking': {
      if (run.classified === null || run.trainHead === null) {
        // Fetch, and check every commit: on main, not already on the train (ancestry, patch-id, trailer).
        const plan = await repository.classify({ train: run.train, commits: run.commits.map((c) => c.sha) });
        const classified = plan.commits.map((c) => ({
          sha: c.sha,
          status: c.status,
          matchedBy: c.status === 'already-on-train' ? c.matchedBy : null,
          trainCommit: c.status === 'already-on-train' ? c.trainCommit : null,
        }));
        const toPick = classified.filter((c) => c.status === 'to-pick').length;
        if (toPick === 0) {
          return record(
            {
              status: 'failed',
              failedIn: 'picking',
              classified,
              trainHead: plan.trainHead,
              head: plan.trainHead,
              lastError: `Every commit of this dot release is already on \`${plan.branch}\`: there is nothing to pick, so nothing was pushed or tagged. Abandon it.`,
            },
            { action: 'dot-release.fail', details: { in: 'picking', reason: 'nothing-to-pick' } },
          );
        }
        // Commits' order is main's (as classified): the run keeps it.
        const order = new Map(plan.commits.map((c, index) => [c.sha, index]));
        classified.sort((a, b) => (order.get(a.sha) ?? 0) - (order.get(b.sha) ?? 0));
        return record({ classified, trainHead: plan.trainHead, head: plan.trainHead, picks: [] });
      }
      const [next] = remainingPicks(run);
      if (next === undefined) return record({ status: 'pushing' });
      const base = run.head ?? run.trainHead;
      const result = await repository.pick({
        train: run.train,
        base: { kind: 'commit', sha: base, ...(run.workBranch ? { branch: run.workBranch } : {}) },
        commit: next,
        ...(run.workBranch ? { workBranch: run.workBranch } : {}),
      });
      if (result.kind === 'conflict') {
        const title = run.commits.find((c) => c.sha === next)?.title ?? '';
        const stopped = await record(
          { status: 'conflict', conflict: { sha: next, title, files: result.files } },
          { action: 'dot-release.conflict', details: { commit: next, files: result.files } },
        );
        if (stopped) await handOffConflict({ deps, run: stopped, now });
        return stopped;
      }
      const picks: PickRecord[] = [...run.picks, { sha: next, commit: result.commit }];
      return record({ picks, head: result.head });
    }
    case 'pushing': {
      if (run.head === null || run.trainHead === null) return record({ status: 'picking' });
      const pushed = await repository.pushTrain({ train: run.train, head: run.head, expectedOld: run.trainHead });
      if (pushed.kind === 'remote-moved') {
        if (run.redone >= 1) {
          return record(
            {
              status: 'failed',
              failedIn: 'picking',
              classified: null,
              trainHead: null,
              head: null,
              picks: [],
              lastError:
                `\`${run.branch}\` moved on the remote again while the picks were redone (it is now at \`${pushed.remoteHead.slice(0, 10)}\`); ` +
                'nothing was pushed. Find out who is pushing to it, then Resume (the picks start again from its new tip) or Abandon.',
            },
            { action: 'dot-release.fail', details: { in: 'pushing', reason: 'remote-moved', remoteHead: pushed.remoteHead } },
          );
        }
        // Someone pushed to the train meanwhile: fetch and redo the picks on its new tip, once.
        return record(
          { status: 'picking', classified: null, trainHead: null, head: null, picks: [], redone: run.redone + 1 },
          { action: 'dot-release.redo', details: { expectedOld: run.trainHead, remoteHead: pushed.remoteHead } },
        );
      }
      return record({ status: 'pushed' }, { action: 'dot-release.push', details: { head: run.head, result: pushed.kind } });
    }
    case 'pushed':
      return record({ status: 'tagging' });
    case 'tagging': {
      if (run.head === null) return record({ status: 'picking' });
      let tagged: Awaited<ReturnType<typeof repository.tag>>;
      try {
        tagged = await repository.tag({ train: run.train, commit: run.head, expectedTag: run.tag });
      } catch (error) {
        // A person pressed Resume after "the tag appeared meanwhile": the next free number is taken.
        if (!(options.renumber && error instanceof GitError && error.reason === 'tag-appeared')) throw error;
        tagged = await repository.tag({ train: run.train, commit: run.head });
      }
      const parsed = parseReleaseTag(tagged.tag, deps.config.settings.tagFormat);
      const renumbered = tagged.tag !== run.tag && parsed ? { tag: tagged.tag, patch: parsed.patch } : {};
      // A later plan of the train that had that number (not started) moves up one: the tag is this run's now.
      if (parsed && tagged.tag !== run.tag)
        await makeRoomForNumber({
          prisma,
          train: run.train,
          patch: parsed.patch,
          keep: run.id,
          tagFormat: deps.config.settings.tagFormat,
          now,
        });
      return record(
        { status: 'tagged', tagSha: tagged.commit, ...renumbered },
        { action: 'dot-release.tag', details: { tag: tagged.tag, commit: tagged.commit, result: tagged.kind } },
      );
    }
    case 'tagged': {
      if (run.tagSha === null) return record({ status: 'tagging' });
      // The tag watcher follows it like a cut (CI, images, stage, in the train's thread); then the plan closes.
      await watchPushedTag({ deps, train: run.train, patch: run.patch, tag: run.tag, sha: run.tagSha, actor: run.runBy ?? 'system', now });
      await tellRequesters({ deps, run, now, outcome: 'released' });
      await offerForwardPorts({ deps, run, now });
      // Before the close is recorded: a run killed after the delete finds the branch absent.
      await removeWorkBranch({ deps, run, now, mergedInto: run.tagSha });
      return record({ status: 'watched', closedAt: now }, { action: 'dot-release.close', details: { tagSha: run.tagSha } });
    }
    default:
      return run;
  }
}

/**
 * Resume (after a conflict finished by hand, a failure, or a process that died mid-step). After a conflict the
 * hand-off branch must hold the conflicted commit picked (its `-x` trailer, or the next commit on it).
 */
export async function resumeRun(options: { deps: AppDeps; planId: number; userId: string; now: Date }): Promise<RunOutcome> {
  const { deps, userId, now } = options;
  const run = await requireRun(deps, options.planId);
  await requireRunner(deps, run.train, userId, now);
  if (run.status === 'planned') {
    throw new InvalidInputError(
      `Dot release ${run.train}.${run.patch} has not started, so there is nothing to resume; nothing was done. Run it with \`/release patch run ${run.train}.${run.patch}\`.`,
    );
  }
  if (run.status === 'conflict' && run.conflict) {
    const conflict = run.conflict;
    const workBranch = run.workBranch ?? `dot/${run.branch}.${run.patch}`;
    const branch = await trainRepository(deps).readWorkBranch({ train: run.train, workBranch });
    const finished = branch?.commits.slice(run.picks.length) ?? [];
    const first = finished[0];
    if (!branch || !first || (first.pickedFrom !== null && first.pickedFrom !== conflict.sha)) {
      throw new InvalidInputError(
        `\`${workBranch}\` does not have \`${conflict.sha.slice(0, 10)}\` picked yet${branch ? ` (its tip is \`${branch.head.slice(0, 10)}\`)` : ' (the branch is not on the remote)'}; nothing was done. ` +
          `Pick it there with \`git cherry-pick -x ${conflict.sha}\`, resolve, push \`${workBranch}\`, then press Resume again.`,
      );
    }
    // The conflicted commit, finished by hand, and any later ones the person picked as well (by their trailers).
    const remaining = new Set(remainingPicks(run));
    const picks: PickRecord[] = [...run.picks, { sha: conflict.sha, commit: first.sha, byHand: true }];
    for (const commit of finished.slice(1)) {
      if (commit.pickedFrom && remaining.has(commit.pickedFrom)) picks.push({ sha: commit.pickedFrom, commit: commit.sha, byHand: true });
    }
    const resumed = await recordStep({
      prisma: deps.db.prisma,
      run,
      now,
      changes: { status: 'picking', conflict: null, picks, head: branch.head },
      audit: { actor: userId, action: 'dot-release.resume', details: { after: 'conflict', head: branch.head } },
    });
    if (!resumed) return { kind: 'stopped', run: await requireRun(deps, run.id) };
    return driveRun({ deps, runId: run.id, now, wait: true });
  }
  if (run.status === 'failed') {
    const from = run.failedIn && isActive(run.failedIn) ? run.failedIn : 'picking';
    const resumed = await recordStep({
      prisma: deps.db.prisma,
      run,
      now,
      changes: { status: from as RunChanges['status'] & string, failedIn: null, lastError: null },
      audit: { actor: userId, action: 'dot-release.resume', details: { after: 'failed', from } },
    });
    if (!resumed) return { kind: 'stopped', run: await requireRun(deps, run.id) };
    return driveRun({ deps, runId: run.id, now, renumber: from === 'tagging', wait: true });
  }
  return driveRun({ deps, runId: run.id, now, wait: true });
}

/** Abandon: closes the plan (any state but a running step) and tells the requesters. */
export async function abandonRun(options: { deps: AppDeps; planId: number; userId: string; now: Date }): Promise<DotReleaseRun> {
  const { deps, userId, now } = options;
  const run = await requireRun(deps, options.planId);
  await requireRunner(deps, run.train, userId, now);
  const locked = await tryWithAdvisoryLock(deps.db.sql, { namespace: 'dotReleaseRun', id: run.id }, async () => {
    const current = await requireRun(deps, run.id);
    if (current.status === 'watched' || current.status === 'abandoned') return current;
    // Before the close is recorded (idempotent): a process killed after the delete finds the branch absent.
    await removeWorkBranch({ deps, run: current, now });
    const closed = await recordStep({
      prisma: deps.db.prisma,
      run: current,
      now,
      changes: { status: 'abandoned', closedAt: now, openTrain: null },
      audit: { actor: userId, action: 'dot-release.abandon', details: { in: current.status } },
    });
    if (!closed) return requireRun(deps, run.id);
    await tellRequesters({ deps, run: closed, now, outcome: 'abandoned', by: userId });
    await refreshAnnouncement({ deps, run: closed, now });
    return closed;
  });
  if (!locked.locked) {
    throw new InvalidInputError(
      `Dot release ${run.train}.${run.patch} is running a step right now; nothing was done. Abandon it once it stops (a conflict or a failure), or let it finish.`,
    );
  }
  return locked.value;
}
