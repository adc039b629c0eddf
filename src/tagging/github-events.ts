/**
 * GitHub's webhooks, applied to the releases being watched: a `workflow_run`
 * of the tagging or image workflow, a `check_run` of the CI check on a tag, a
 * `status` of CircleCI (`ci/circleci: …`) on a tag. The first two advance the
 * release they concern as the watcher would, without asking GitHub again; a
 * status (one job of many) makes the watcher look at the tag's CI at once, as
 * its poll would. The watcher's polls remain the safety net.
 */
import type { AppDeps } from '../deps';
import type { GitHubEvent } from '../github/webhooks';
import { flushNotices } from './notices';
import { listReleasesBeforeTag, listReleasesForRun, listTaggedAt, lookSoon, type TagRelease } from './release-store';
import { advanceRelease, CIRCLECI_CONTEXT } from './watch-release';
import type { Facts } from './watch-steps';

function isWorkflow(path: string, file: string): boolean {
  return path === file || path.endsWith(`/${file}`);
}

/** Applies one event. Returns the ids of the releases it concerned. */
export async function applyGitHubEvent(options: { deps: AppDeps; event: GitHubEvent; now: Date }): Promise<number[]> {
  const { deps, event, now } = options;
  const { settings } = deps.config;
  const prisma = deps.db.prisma;
  // A tag pushed by hand is the dot-release feature's (src/dot-release/follow-tag.ts).
  if (event.kind === 'other' || event.kind === 'tag') return [];
  if (event.repository.toLowerCase() !== settings.repository.toLowerCase()) return [];
  let targets: TagRelease[] = [];
  // Without facts (a status), the release is looked at as the watcher's poll would.
  let facts: Facts | undefined;
  if (event.kind === 'workflow_run') {
    const { run } = event;
    facts = { run };
    if (isWorkflow(event.workflowPath, settings.tagWorkflow)) {
      targets = await listReleasesForRun(prisma, { runId: run.id, image: false });
    } else if (isWorkflow(event.workflowPath, settings.imageWorkflow)) {
      targets = await listReleasesForRun(prisma, { runId: run.id, image: true });
    } else {
      // Another workflow on a tag's commit (CI run by GitHub Actions, or its re-run): CI is looked at as the poll would.
      targets = await listTaggedAt(prisma, run.headSha);
      facts = undefined;
    }
    // A run already followed by a release is that release's; otherwise the first release it matches adopts it.
    const id = BigInt(run.id);
    const owner = targets.find((release) => release.runId === id || release.imageRunId === id);
    if (owner) targets = [owner];
  } else if (event.kind === 'check_suite') {
    // A suite requested again (a re-run) or finished on a tag's commit: CI is looked at as the poll would.
    targets = await listTaggedAt(prisma, event.headSha);
  } else if (event.kind === 'status') {
    if (!event.status.context.startsWith(CIRCLECI_CONTEXT)) return [];
    // A pending job never settles CI; after a failure it is a re-run starting. A job that ended may settle it (once none is pending).
    const pending = event.status.state === 'pending';
    targets = (await listTaggedAt(prisma, event.sha)).filter((release) => !pending || release.state === 'ci_failed');
    if (pending) {
      if (targets.length === 0) return [];
    } else if (targets.length === 0) {
      await lookSoon(prisma, await listReleasesBeforeTag(prisma), now);
      return [];
    }
  } else {
    const { checkRun } = event;
    if (checkRun.name !== settings.ciCheckName) return [];
    facts = { checkRun };
    targets = await listTaggedAt(prisma, checkRun.headSha);
    if (targets.length === 0) {
      // CI on a commit we do not know yet: maybe the tag of a release still waiting to see it. Look soon.
      await lookSoon(prisma, await listReleasesBeforeTag(prisma), now);
      return [];
    }
  }
  const touched: number[] = [];
  for (const release of targets) {
    const after = await advanceRelease({ deps, release, now, ...(facts ? { facts } : {}) });
    if (after && after.version !== release.version) {
      touched.push(release.id);
      // One run belongs to one release.
      if (event.kind === 'workflow_run') break;
    }
  }
  if (touched.length > 0) await flushNotices({ deps, now, releaseIds: touched });
  return touched;
}
