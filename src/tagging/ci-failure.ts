/**
 * After CI failed on a tag: "File an issue" (a preview, then, once confirmed,
 * one issue on GitHub with the tag, the failing jobs and their links) and
 * "Known flaky" (recorded). Each happens once, whoever clicks and however often.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import type { Block } from '../slack/blocks';
import { parseReleaseValue } from './cut-train';
import { flushNotices } from './notices';
import { requireTagger } from './permissions';
import { noticeDrafts } from './commit';
import type { CiFailureRefusal, FailingJob } from './outcomes';
import { applyWhere, findRelease, releaseIssueClaim, type TagRelease } from './release-store';
import {
  encodeValue,
  renderCiFailureRefusal,
  renderFlakyRecorded,
  renderIssue,
  renderIssueConfirmation,
  renderIssueFiled,
} from './tag-view';

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
  // Claim first: of two clicks (or replicas), one files.
  const claimed = await applyWhere({
    prisma: deps.db.prisma,
    release,
    where: { state: 'ci_failed', attempt: release.attempt, issueBy: null, issueNumber: null },
    now,
    changes: { issueBy: userId },
  });
  if (!claimed) {
    const latest = await findRelease(deps.db.prisma, release.id);
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
      { kind: 'issue-filed', actor: userId, number: created.number, url: created.url, attempt: release.attempt },
    ]),
    audit: { actor: userId, action: 'tag.ci-issue', details: { number: created.number, url: created.url } },
  });
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return renderIssueFiled({ number: created.number, url: created.url, title: issue.title });
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
    changes: { flakyBy: userId, flakyAt: now },
    notices: noticeDrafts(deps, [{ kind: 'flaky', actor: userId, attempt: release.attempt }]),
    audit: { actor: userId, action: 'tag.ci-flaky', details: { jobs: jobsOf(release).map((job) => job.name) } },
  });
  if (!recorded) {
    const latest = await findRelease(deps.db.prisma, release.id);
    refuse({ kind: 'flaky-recorded', by: latest?.flakyBy ?? null });
  }
  await flushNotices({ deps, now, releaseIds: [release.id] });
  return renderFlakyRecorded(release.tag);
}
