/**
 * Following temporary stage deploys, every 2 minutes: the `deploy-packages` check on each tag being built (then the
 * ready-to-copy SRE request goes to whoever asked, by DM), and whether a release tag higher than the one of its
 * time exists (then it is replaced: it leaves the dashboard).
 */
import type { AppDeps } from '../deps';
import { multiplesBetween } from '../patches/patch-jobs';
import type { ScheduledJob } from '../scheduler';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { findLatestTrain, listReleaseTags } from '../train/versions';
import { sreRequest } from './stage-deploy-command';
import { listActiveStageDeploys, updateStageDeploy } from './stage-deploy-store';

const STEP_MS = 2 * 60_000;
export const STAGE_DEPLOY_FOLLOW_JOB = 'stage-deploy-follow';

export async function followStageDeploys(options: { deps: AppDeps; now: Date }): Promise<void> {
  const { deps, now } = options;
  const { settings } = deps.config;
  const deploys = await listActiveStageDeploys(deps.db.prisma);
  if (deploys.length === 0) return;
  const latest = findLatestTrain(await deps.github.listAllTagNames(), settings.tagFormat);
  for (const deploy of deploys) {
    const before = deploy.latestReleaseTag ? listReleaseTags([deploy.latestReleaseTag], settings.tagFormat)[0] : undefined;
    if (latest && (!before || latest.train > before.train || (latest.train === before.train && latest.patch > before.patch))) {
      await updateStageDeploy(deps.db.prisma, deploy.id, { replacedAt: now });
      continue;
    }
    if (deploy.status !== 'building') continue;
    const runs = await deps.github.listCheckRuns({ ref: deploy.tag, checkName: settings.stageDeployCheckName });
    const done = runs?.filter((run) => run.status === 'completed').at(-1);
    if (!done) continue;
    const built = done.conclusion === 'success';
    const url = done.detailsUrl ?? done.htmlUrl;
    await updateStageDeploy(deps.db.prisma, deploy.id, { status: built ? 'built' : 'build-failed', buildUrl: url });
    const text = built
      ? `:package: The images of \`${escapeMrkdwn(deploy.tag)}\` are built (\`${escapeMrkdwn(settings.stageDeployCheckName)}\`). Send this to SRE:\n` +
        `\`\`\`${escapeMrkdwn(sreRequest({ tag: deploy.tag, services: deploy.services, branch: settings.branchFormat.replace('{N}', String(deploy.train)) }))}\`\`\`\n` +
        ':warning: The next train or dot-release tag deployed to stage replaces it.'
      : `:x: \`${escapeMrkdwn(settings.stageDeployCheckName)}\` failed on \`${escapeMrkdwn(deploy.tag)}\` (${escapeMrkdwn(done.conclusion ?? 'no conclusion')})${url ? `: ${url}` : ''}. Nothing to ask SRE yet.`;
    await deps.messenger.postOnce({ key: `stage-deploy:built:${deploy.tag}`, to: { user: deploy.requestedBy }, message: { text }, now });
  }
}

export function createStageDeployJobs(): Array<ScheduledJob<AppDeps>> {
  return [
    {
      name: STAGE_DEPLOY_FOLLOW_JOB,
      graceMs: STEP_MS,
      lookbackMs: STEP_MS,
      firesBetween: (from, to) => multiplesBetween(from, to, STEP_MS),
      run: (deps, { now }) => followStageDeploys({ deps, now }),
    },
  ];
}
