/**
 * After CI failed on a tag: "File an issue" (a preview, then, once confirmed,
 * one issue on GitHub with the tag, the failing jobs and their links) and
 * "Known flaky" (recorded). Each happens once, whoever clicks and however often.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import type { Block } from '../slack/blocks';
import { escapeMrkdwn, link, mentionUser } from '../slack/mrkdwn';
import { parseReleaseValue } from './cut-train';
import { flushNotices } from './notices';
import { requireTagger } from './permissions';
import { noticeDrafts } from './commit';
import type { FailingJob } from './outcomes';
import { applyWhere, findRelease, releaseIssueClaim, type TagRelease } from './release-store';
import { describeState } from './states';
import { encodeValue, renderIssue, renderIssueConfirmation } from './tag-view';

function jobsOf(release: TagRelease): FailingJob[] {
  const raw = Array.isArray(release.ciFailures) ? release.ciFailures : [];
  return raw.flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
    const name = 'name' in entry && typeof entry.name === 'string' ? entry.name : null;
    const url = 'url' in entry && typeof entry.url === 'string' ? entry.url : null;
    return name ? [{ name, url }] : [];
  });
}

/** The failed release a button is about, checked: it exists, its CI failed, the button is current, the person may act. */
async function loadFailure(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined; action: string }): Promise<TagRelease> {
  const { deps, userId, now } = options;
  const { id, attempt } = parseReleaseValue(options.value);
  const release = await findRelease(deps.db.prisma, id);
  if (!release) throw new InvalidInputError('I have no record of the tag this button is about; it may be from an old message. `/release status` shows the current one.');
  await requireTagger({ deps, userId, now, train: release.train, action: options.action });
  if (release.state !== 'ci_failed' || release.attempt !== attempt) {
    throw new InvalidInputError(`That button is out of date: ${describeState(release.state, release.tag)}.`);
  }
  return release;
}

function alreadyFiled(release: TagRelease): string | null {
  if (release.issueNumber !== null && release.issueUrl) {
    return `${release.issueBy ? mentionUser(release.issueBy) : 'Someone'} already filed ${link(release.issueUrl, `issue #${release.issueNumber}`)} about this failure.`;
  }
  if (release.issueBy) {
    return `${mentionUser(release.issueBy)} is filing an issue about this failure right now. If none appears in the train's thread within a few minutes, file it on GitHub by hand.`;
  }
  return null;
}

/** "File an issue": the preview with File it / Cancel. */
export async function previewIssue(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<{ text: string; blocks: Block[] }> {
  const { deps } = options;
  const release = await loadFailure({ ...options, action: 'file an issue about this CI failure' });
  const filed = alreadyFiled(release);
  if (filed) throw new InvalidInputError(filed);
  const jobs = jobsOf(release);
  const issue = renderIssue({ settings: deps.config.settings, train: release.train, tag: release.tag, sha: release.tagSha, ciUrl: release.ciUrl, jobs });
  return renderIssueConfirmation({ title: issue.title, jobs, value: encodeValue({ id: release.id, attempt: release.attempt }) });
}

/** "File it": creates the issue, once. Returns the reply. */
export async function fileIssue(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const release = await loadFailure({ ...options, action: 'file an issue about this CI failure' });
  // Claim first: of two clicks (or replicas), one files.
  const claimed = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { state: 'ci_failed', attempt: release.attempt, issueBy: null, issueNumber: null },
    now,
    changes: { issueBy: userId},
  });
  if (!claimed) {
    const latest = await findRelease(deps.db.prisma, release.id);
    throw new InvalidInputError((latest && alreadyFiled(latest)) ?? 'Someone else acted on this failure at the same moment; look at the thread.');
  }
  const jobs = jobsOf(release);
  const issue = renderIssue({ settings: deps.config.settings, train: release.train, tag: release.tag, sha: release.tagSha, ciUrl: release.ciUrl, jobs });
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
    changes: { issueNumber: created.number, issueUrl: created.url},
    notices: noticeDrafts(deps, [{ kind: 'issue-filed', actor: userId, number: created.number, url: created.url, attempt: release.attempt }]),
    audit: { actor: userId, action: 'tag.ci-issue', details: { number: created.number, url: created.url } },
  });
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return `:memo: Filed ${link(created.url, `issue #${created.number}`)}: ${escapeMrkdwn(issue.title)}`;
}

/** "Known flaky": records it, once. Returns the reply. */
export async function markKnownFlaky(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const { deps, userId, now } = options;
  const release = await loadFailure({ ...options, action: 'record this CI failure as flaky' });
  const recorded = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { state: 'ci_failed', attempt: release.attempt, flakyBy: null },
    now,
    changes: { flakyBy: userId, flakyAt: now},
    notices: noticeDrafts(deps, [{ kind: 'flaky', actor: userId, attempt: release.attempt }]),
    audit: { actor: userId, action: 'tag.ci-flaky', details: { jobs: jobsOf(release).map((job) => job.name) } },
  });
  if (!recorded) {
    const latest = await findRelease(deps.db.prisma, release.id);
    throw new InvalidInputError(`${latest?.flakyBy ? mentionUser(latest.flakyBy) : 'Someone'} already recorded this failure as known flaky.`);
  }
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return `:repeat: Recorded the CI failure on \`${release.tag}\` as known flaky.`;
}
