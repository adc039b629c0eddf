/**
 * Telling people about a run: the announcement redrawn at each step, the
 * conflict hand-off (the owner's DM and the train's thread), a failure, the
 * requesters' outcome (once per person), and the forward ports offered once
 * the lower train is tagged. Every post goes through the messenger under its
 * own key, so a resumed run or a second replica never posts one twice.
 */
import type { AppDeps } from '../deps';
import { GitError } from '../git';
import { announceDotRelease } from '../patches/patch-delivery';
import { loadDotReleasePlan } from '../patches/patch-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { section } from '../slack/blocks';
import type { SlackMessage } from '../slack/messenger';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { ensureTrainThread } from '../tagging/train-thread';
import { parseReleaseTag } from '../train/versions';
import { type DotReleaseRun, planForwardPort } from './dot-release-store';
import { gitRemoteOf, trainRepository } from './git-port';
import { describeRun, renderConflictHandOff, renderFailure, renderRequesterOutcome } from './run-view';

const key = (run: DotReleaseRun, what: string) => `dot-release:${run.id}:${what}`;

/** Redraws the plan's announcement with where the run is. */
export async function refreshAnnouncement(options: { deps: AppDeps; run: DotReleaseRun; now: Date }): Promise<void> {
  const { deps, run, now } = options;
  if (run.status === 'planned') return announceDotRelease({ deps, planId: run.id, now });
  if (!run.announcementTs) return;
  await announceDotRelease({ deps, planId: run.id, now, runSummary: describeRun(run, deps.config.settings.repository) });
}

/** Posts `message` to the owner and the runner (DM, once each) and in the train's thread (once). */
async function tellOwnerAndThread(options: { deps: AppDeps; run: DotReleaseRun; now: Date; what: string; message: SlackMessage }) {
  const { deps, run, now, what, message } = options;
  const logger = deps.logger.child({ module: 'dot-release', plan: run.id });
  const owner = await findOwnerOfTrain(deps, run.train);
  const people = [...new Set([owner, run.runBy].filter((u): u is string => typeof u === 'string' && u !== 'system'))];
  const about = { train: run.train, kind: 'dot-release' };
  for (const user of people) {
    const sent = await deps.messenger.postOnce({ key: key(run, `${what}:dm:${user}`), about, to: { user }, message, now });
    if (sent.outcome === 'failed') logger.warn({ user, error: sent.error }, `dot release: Slack refused the ${what} DM for good`);
  }
  const thread = await ensureTrainThread({ deps, train: run.train, now });
  const posted = await deps.messenger.postOnce({
    key: key(run, `${what}:thread`),
    about,
    to: { channel: thread.channel },
    threadTs: thread.ts,
    message,
    now,
  });
  if (posted.outcome === 'failed') logger.warn({ error: posted.error }, `dot release: Slack refused the ${what} post for good`);
}

/** The conflict hand-off, once per conflict (a later conflict of the same run, after a Resume, is told again). */
export async function handOffConflict(options: { deps: AppDeps; run: DotReleaseRun; now: Date }): Promise<void> {
  const { deps, run } = options;
  const message = renderConflictHandOff(run, { repository: deps.config.settings.repository, remote: gitRemoteOf(deps.config.settings) });
  await tellOwnerAndThread({ ...options, what: `conflict:${run.conflict?.sha ?? ''}:${run.redone}:${run.picks.length}`, message });
}

/** A failure that stopped the run, once per recorded failure. */
export async function postFailure(options: { deps: AppDeps; run: DotReleaseRun; now: Date }): Promise<void> {
  const { deps, run } = options;
  await tellOwnerAndThread({ ...options, what: `failed:${run.runVersion}`, message: renderFailure(run, deps.config.settings.repository) });
}

/**
 * The run is over (tagged, by the bot or by hand, or abandoned): its hand-off branch (`dot/train-N.P`, where the
 * clean picks were pushed) is deleted from the remote, idempotently. A released run's branch is deleted only when
 * the tag holds all of it (`mergedInto`); a branch left (it holds more, was pushed to meanwhile, or deleting failed) is said in the train's
 * thread, and so is an abandoned run's branch deleted, with how to bring it back. Returns what happened.
 */
export async function removeWorkBranch(options: {
  deps: AppDeps;
  run: DotReleaseRun;
  now: Date;
  /** The tagged commit (a release); none for an abandoned run. */
  mergedInto?: string;
}): Promise<'deleted' | 'absent' | 'kept' | 'moved' | 'failed' | 'none'> {
  const { deps, run, now, mergedInto } = options;
  const workBranch = run.workBranch;
  if (!workBranch) return 'none';
  const logger = deps.logger.child({ module: 'dot-release', plan: run.id });
  const branch = `\`${escapeMrkdwn(workBranch)}\``;
  let note: string | null;
  let outcome: 'deleted' | 'absent' | 'kept' | 'moved' | 'failed';
  try {
    const result = await trainRepository(deps).deleteWorkBranch({ workBranch, ...(mergedInto ? { mergedInto } : {}) });
    outcome = result.kind;
    if (result.kind === 'absent') note = null;
    else if (result.kind === 'kept')
      note = `:information_source: I left the hand-off branch ${branch} on the remote: it has commits that \`${escapeMrkdwn(run.tag)}\` does not (at \`${result.head.slice(0, 10)}\`). Delete it with \`git push origin --delete ${escapeMrkdwn(workBranch)}\` once nothing on it is needed.`;
    else if (result.kind === 'moved')
      note = `:information_source: I left the hand-off branch ${branch} on the remote: someone pushed to it while I was deleting it (it is now at \`${result.head.slice(0, 10)}\`). Delete it with \`git push origin --delete ${escapeMrkdwn(workBranch)}\` once nothing on it is needed.`;
    else if (mergedInto) note = null;
    else
      note = `:wastebasket: Deleted the hand-off branch ${branch} of this abandoned dot release (it was at \`${result.head.slice(0, 10)}\`; \`git push origin ${result.head}:refs/heads/${escapeMrkdwn(workBranch)}\` from a clone that has it brings it back).`;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    logger.warn({ err: error, branch: workBranch }, 'dot release: could not delete its hand-off branch');
    outcome = 'failed';
    note = `:warning: I could not delete the hand-off branch ${branch} (${escapeMrkdwn(error.userMessage)}). Delete it with \`git push origin --delete ${escapeMrkdwn(workBranch)}\`.`;
  }
  if (note) {
    const thread = await ensureTrainThread({ deps, train: run.train, now });
    const posted = await deps.messenger.postOnce({
      key: key(run, `work-branch:${outcome}`),
      about: { train: run.train, kind: 'dot-release' },
      to: { channel: thread.channel },
      threadTs: thread.ts,
      message: { text: note, blocks: [section(note)] },
      now,
    });
    if (posted.outcome === 'failed') logger.warn({ error: posted.error }, 'dot release: Slack refused the hand-off branch note for good');
  }
  return outcome;
}

/** Tells each requester (once per person) that the dot release is out, or abandoned. */
export async function tellRequesters(options: {
  deps: AppDeps;
  run: DotReleaseRun;
  now: Date;
  outcome: 'released' | 'abandoned';
  by?: string;
}): Promise<void> {
  const { deps, run, now, outcome } = options;
  const byPerson = new Map<string, Set<number>>();
  // A plan closed before it ran (its tag pushed by hand) has not frozen its commits: they are its requests'.
  const commits = run.commits.length > 0 ? run.commits : ((await loadDotReleasePlan(deps.db.prisma, run.id))?.commits ?? []);
  for (const commit of commits) {
    if (commit.requestedBy === null || commit.requestId === null) continue;
    const ids = byPerson.get(commit.requestedBy) ?? new Set<number>();
    ids.add(commit.requestId);
    byPerson.set(commit.requestedBy, ids);
  }
  for (const [user, ids] of byPerson) {
    const text = renderRequesterOutcome({
      run,
      requestIds: [...ids].sort((a, b) => a - b),
      outcome,
      ...(options.by ? { by: options.by } : {}),
    });
    const sent = await deps.messenger.postOnce({
      key: key(run, `${outcome}:requester:${user}`),
      about: { train: run.train, kind: 'dot-release-outcome' },
      to: { user },
      message: { text },
      now,
    });
    if (sent.outcome === 'failed')
      deps.logger.warn({ user, plan: run.id, error: sent.error }, 'dot release: Slack refused an outcome for good');
  }
}

/**
 * Forward-port guard (issue 14 item 5): once train N is tagged, every newer cut train missing some of its commits
 * (by ancestry, patch-id or trailer) gets a forward port planned and announced, lowest first, with *Run dot release*.
 * A train that cannot be checked is said so in N's thread (`/release forward-ports` checks again).
 */
export async function offerForwardPorts(options: { deps: AppDeps; run: DotReleaseRun; now: Date }): Promise<void> {
  const { deps, run, now } = options;
  const { settings } = deps.config;
  const repository = trainRepository(deps);
  const newer = (await repository.listTrains()).filter((t) => t.train > run.train).sort((a, b) => a.train - b.train);
  for (const upper of newer) {
    let note: string;
    try {
      const plan = await repository.classify({ train: upper.train, commits: run.commits.map((c) => c.sha) });
      const missing = plan.commits.filter((c) => c.status === 'to-pick');
      if (missing.length === 0) continue;
      const commits = missing.map((m) => {
        const known = run.commits.find((c) => c.sha === m.sha);
        return { sha: m.sha, title: known?.title ?? m.subject, requestId: null, requestedBy: null };
      });
      const patch = parseReleaseTag(plan.nextTag, settings.tagFormat)?.patch ?? 1;
      const planId = await planForwardPort({ prisma: deps.db.prisma, lower: run, train: upper.train, patch, commits, settings, now });
      if (planId === null) {
        note = `Train ${upper.train} also lacks ${missing.length} of these commit(s), and already has a dot release open: add them there (\`/release forward-ports ${run.train}\` lists them).`;
      } else {
        await announceDotRelease({ deps, planId, now });
        note = `:arrow_heading_up: Train ${upper.train} lacks ${missing.length} of these commit(s): its forward port is planned and announced; run it once \`${escapeMrkdwn(run.tag)}\` is out.`;
      }
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      deps.logger.warn({ err: error, train: upper.train }, 'dot release: could not check a newer train for forward ports');
      note = `:warning: I could not check whether train ${upper.train} has these commits (${escapeMrkdwn(error.userMessage)}). \`/release forward-ports ${run.train}\` checks again.`;
    }
    const thread = await ensureTrainThread({ deps, train: run.train, now });
    await deps.messenger.postOnce({
      key: key(run, `forward-port:${upper.train}`),
      about: { train: run.train, kind: 'dot-release' },
      to: { channel: thread.channel },
      threadTs: thread.ts,
      message: { text: note, blocks: [section(note)] },
      now,
    });
  }
}
