/**
 * After CI failed on a tag: "File an issue" (a preview, then, once confirmed,
 * one issue on GitHub with the tag, the failing jobs and their links) or
 * "Known flaky" (recorded, then a re-run: the Re-run button where GitHub can
 * re-run the failed jobs, the CI link where it cannot; the watch follows the
 * outcome either way). Each happens once, whoever clicks and however often;
 * one failure gets one of the two answers.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import type { Block } from '../slack/blocks';
import { parseReleaseValue } from './cut-train';
import { flushNotices } from './notices';
import { requireTagger } from './permissions';
import { noticeDrafts } from './commit';
import { GitHubError } from '../github/errors';
import type { CiAnswerRefusal, CiFailureRefusal, FailingJob } from './outcomes';
import { applyWhere, findRelease, releaseIssueClaim, type TagRelease } from './release-store';
import { renderCiAnswerRefusal, renderFlakyAnswer, renderRerunStarted, type RerunValue } from './rerun-view';
import { nextCheckAt } from './watch-policy';
import { nameOf } from '../slack/directory';
import { encodeValue, renderCiFailureRefusal, renderIssue, renderIssueConfirmation, renderIssueFiled } from './tag-view';

function jobsOf(release: TagRelease): FailingJob[] {
  const raw = Array.isArray(release.ciFailures) ? release.ciFailures : [];
  return raw.flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
    const name = 'name' in entry && typeof entry.name === 'string' ? entry.name : null;
    const url = 'url' in entry && typeof entry.url === 'string' ? entry.url : null;
    return name ? [{ name, url }] : [];
  });
}

/** @throws InvalidInputError saying why the button does nothing */
function refuse(refusal: CiFailureRefusal): never {
  throw new InvalidInputError(renderCiFailureRefusal(refusal));
}

/** The failed release a button is about, checked: it exists, its CI failed, the button is current, the person may act. */
async function loadFailure(options: {
  deps: AppDeps;
  userId: string;
  now: Date;
  value: string | undefined;
  action: string;
}): Promise<TagRelease> {
  const { deps, userId, now } = options;
  const { id, attempt } = parseReleaseValue(options.value);
  const release = await findRelease(deps.db.prisma, id);
  if (!release) refuse({ kind: 'unknown-release' });
  await requireTagger({ deps, userId, now, train: release.train, action: options.action });
  if (release.state !== 'ci_failed' || release.attempt !== attempt) {
    refuse({ kind: 'out-of-date', state: release.state, tag: release.tag });
  }
  return release;
}

/** @throws InvalidInputError saying why the second answer (or the re-run) is refused */
function refuseAnswer(refusal: CiAnswerRefusal): never {
  throw new InvalidInputError(renderCiAnswerRefusal(refusal));
}

/** Someone filed (or is filing) the issue already. */
function alreadyFiled(release: TagRelease): CiFailureRefusal | null {
  if (release.issueNumber !== null && release.issueUrl)
    return { kind: 'issue-filed', by: release.issueBy, number: release.issueNumber, url: release.issueUrl };
  if (release.issueBy) return { kind: 'issue-being-filed', by: release.issueBy };
  return null;
}

/** "File an issue": the preview with File it / Cancel. */
export async function previewIssue(options: {
  deps: AppDeps;
  userId: string;
  now: Date;
  value: string | undefined;
}): Promise<{ text: string; blocks: Block[] }> {
  const { deps } = options;
  const release = await loadFailure({ ...options, action: 'file an issue about this CI failure' });
  const filed = alreadyFiled(release);
  if (filed) refuse(filed);
  if (release.flakyBy) refuseAnswer({ kind: 'flaky-not-issue', by: release.flakyBy });
  const { jobs, issue } = issueFor(deps, release);
  return renderIssueConfirmation({ title: issue.title, jobs, value: encodeValue({ id: release.id, attempt: release.attempt }) });
}

/** The issue a CI failure would be filed as, and its failing jobs. */
function issueFor(deps: AppDeps, release: TagRelease) {
  const jobs = jobsOf(release);
  const issue = renderIssue({
    settings: deps.config.settings,
    train: release.train,
    tag: release.tag,
    sha: release.tagSha,
    ciUrl: release.ciUrl,
    jobs,
  });
  return { jobs, issue };
}

/** "File it": creates the issue, once. Returns the reply. */
export async function fileIssue(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const release = await loadFailure({ ...options, action: 'file an issue about this CI failure' });
  if (release.flakyBy) refuseAnswer({ kind: 'flaky-not-issue', by: release.flakyBy });
  // Claim first: of two clicks (or replicas), one files; never after "known flaky".
  const claimed = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { state: 'ci_failed', attempt: release.attempt, issueBy: null, issueNumber: null, flakyBy: null },
    now,
    changes: { issueBy: userId },
  });
  if (!claimed) {
    const latest = await findRelease(deps.db.prisma, release.id);
    if (latest?.flakyBy) refuseAnswer({ kind: 'flaky-not-issue', by: latest.flakyBy });
    refuse((latest && alreadyFiled(latest)) ?? { kind: 'filing-raced' });
  }
  const { issue } = issueFor(deps, release);
  let created: { number: number; url: string };
  try {
    created = await deps.github.createIssue({ title: issue.title, body: issue.body });
  } catch (error) {
    // Not filed: let the next click try again.
    await releaseIssueClaim(deps.db.prisma, release.id, userId);
    throw error;
  }
  await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { issueBy: userId, issueNumber: null },
    now,
    changes: { issueNumber: created.number, issueUrl: created.url },
    notices: noticeDrafts(deps, [
      {
        kind: 'issue-filed',
        actor: userId,
        actorName: await nameOf(deps, userId),
        number: created.number,
        url: created.url,
        attempt: release.attempt,
        round: release.ciRound,
      },
    ]),
    audit: { actor: userId, action: 'tag.ci-issue', details: { number: created.number, url: created.url } },
  });
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return renderIssueFiled({ number: created.number, url: created.url, title: issue.title });
}

/** The GitHub Actions run CI's failure belongs to (its check or job links point at it), or null (CircleCI: not re-runnable by the bot). */
export function actionsRunOf(repository: string, release: TagRelease): number | null {
  const prefix = `https://github.com/${repository}/actions/runs/`.toLowerCase();
  for (const url of [release.ciUrl, ...jobsOf(release).map((job) => job.url)]) {
    if (!url?.toLowerCase().startsWith(prefix)) continue;
    const id = Number(/^\d+/.exec(url.slice(prefix.length))?.[0]);
    if (Number.isSafeInteger(id) && id > 0) return id;
  }
  return null;
}

/** The watch after a failure starts afresh at `now`: the re-run's outcome is looked for at the next poll. */
function watchAgain(deps: AppDeps, release: TagRelease, now: Date): { rerunAt: Date; polls: number; nextCheckAt: Date | null } {
  const watched = { ...release, rerunAt: now, polls: 0 };
  return {
    rerunAt: now,
    polls: 0,
    nextCheckAt: nextCheckAt({ settings: deps.config.settings, webhooks: deps.githubWebhooks, release: watched, now }),
  };
}

/** "Known flaky": records it, once (never after an issue), and offers the re-run. Returns the reply. */
export async function markKnownFlaky(options: {
  deps: AppDeps;
  userId: string;
  now: Date;
  value: string | undefined;
}): Promise<{ text: string; blocks: Block[] }> {
  const { deps, userId, now } = options;
  const release = await loadFailure({ ...options, action: 'record this CI failure as flaky' });
  if (release.issueBy) refuseAnswer({ kind: 'issue-not-flaky', by: release.issueBy, number: release.issueNumber, url: release.issueUrl });
  const recorded = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { state: 'ci_failed', attempt: release.attempt, flakyBy: null, issueBy: null },
    now,
    changes: { flakyBy: userId, flakyAt: now, ...watchAgain(deps, release, now) },
    notices: noticeDrafts(deps, [
      { kind: 'flaky', actor: userId, actorName: await nameOf(deps, userId), attempt: release.attempt, round: release.ciRound },
    ]),
    audit: { actor: userId, action: 'tag.ci-flaky', details: { jobs: jobsOf(release).map((job) => job.name), round: release.ciRound } },
  });
  if (!recorded) {
    const latest = await findRelease(deps.db.prisma, release.id);
    if (latest?.issueBy) refuseAnswer({ kind: 'issue-not-flaky', by: latest.issueBy, number: latest.issueNumber, url: latest.issueUrl });
    refuse({ kind: 'flaky-recorded', by: latest?.flakyBy ?? null });
  }
  await flushNotices({ deps, now, releaseIds: [release.id] });
  const runId = actionsRunOf(deps.config.settings.repository, release);
  return renderFlakyAnswer({
    tag: release.tag,
    ciUrl: release.ciUrl,
    rerun: runId === null ? null : { id: release.id, attempt: release.attempt, round: release.ciRound, runId },
  });
}

function parseRerunValue(value: string | undefined): RerunValue | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const field = (name: string) => {
      const v: unknown = Reflect.get(parsed, name);
      return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
    };
    const [id, attempt, round, runId] = [field('id'), field('attempt'), field('round'), field('runId')];
    return id && attempt && round && runId ? { id, attempt, round, runId } : null;
  } catch {
    // Not JSON: not one of our buttons.
    return null;
  }
}

/** "Re-run failed jobs" (GitHub Actions): asks GitHub once per failure, then the watch reports the outcome. Returns the reply. */
export async function rerunFailedCi(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const value = parseRerunValue(options.value);
  if (!value) refuse({ kind: 'unknown-release' });
  const release = await findRelease(deps.db.prisma, value.id);
  if (!release) refuse({ kind: 'unknown-release' });
  await requireTagger({ deps, userId, now, train: release.train, action: 're-run CI on this tag' });
  if (release.state !== 'ci_failed' || release.attempt !== value.attempt || release.ciRound !== value.round) {
    refuse({ kind: 'out-of-date', state: release.state, tag: release.tag });
  }
  // Claim first: of two clicks (or replicas), one asks GitHub.
  const claimed = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: {
      state: 'ci_failed',
      attempt: value.attempt,
      ciRound: value.round,
      OR: [{ rerunRound: null }, { rerunRound: { not: value.round } }],
    },
    now,
    changes: { rerunBy: userId, rerunRound: value.round, ...watchAgain(deps, release, now) },
  });
  if (!claimed) {
    const latest = await findRelease(deps.db.prisma, release.id);
    refuseAnswer({ kind: 'rerun-asked', by: latest?.rerunBy ?? null });
  }
  try {
    await deps.github.rerunFailedJobs(value.runId);
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    // Not re-run: the next click may try again.
    await applyWhere({
      prisma: deps.db.prisma,
      release: claimed,
      where: { rerunBy: userId, rerunRound: value.round },
      now,
      changes: { rerunRound: null },
    });
    refuseAnswer({ kind: 'rerun-refused', message: error.userMessage });
  }
  const runUrl = `https://github.com/${deps.config.settings.repository}/actions/runs/${value.runId}`;
  await applyWhere({
    prisma: deps.db.prisma,
    release: claimed,
    where: { rerunBy: userId, rerunRound: value.round },
    now,
    changes: {},
    notices: noticeDrafts(deps, [
      {
        kind: 'rerun-requested',
        actor: userId,
        actorName: await nameOf(deps, userId),
        tag: release.tag,
        attempt: release.attempt,
        round: value.round,
        url: runUrl,
        how: 'github',
      },
    ]),
    audit: { actor: userId, action: 'tag.ci-rerun-requested', details: { runId: value.runId, round: value.round } },
  });
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return renderRerunStarted(release.tag);
}
