/**
 * Following security releases (issue 16), every 5 minutes: the CI check on the private repository's tag (the result
 * goes to whoever tagged it, by DM), then production's version: once production reports the release, the uplift
 * reminder (a DM to the train's owner, or to whoever tagged it). Nothing is posted in a channel.
 */
import type { AppDeps } from '../deps';
import { readDeployedVersion } from '../environments/deployed-versions';
import { multiplesBetween } from '../patches/patch-jobs';
import { findOwnerOfTrain } from '../rotation/owner';
import type { ScheduledJob } from '../scheduler';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { normaliseVersion } from '../train/versions';
import { listFollowedSecurityReleases, updateSecurityRelease } from './security-store';

const STEP_MS = 5 * 60_000;
export const SECURITY_FOLLOW_JOB = 'security-release-follow';

/** One look at every followed security release. */
export async function followSecurityReleases(options: { deps: AppDeps; now: Date }): Promise<void> {
  const { deps, now } = options;
  const security = deps.security;
  if (!security) return;
  const { settings } = deps.config;
  const releases = await listFollowedSecurityReleases(deps.db.prisma);
  if (releases.length === 0) return;
  let production: string | null | undefined;
  for (const release of releases) {
    const [, patch = ''] = /\.(\d+)(?:-[^.]*)?$/.exec(release.tag) ?? [];
    if (!release.ciReportedAt) {
      const runs = await security.github.listCheckRuns({ ref: release.tag, checkName: settings.ciCheckName });
      const done = runs?.filter((run) => run.status === 'completed') ?? [];
      const latest = done.at(-1);
      if (latest) {
        const passed = latest.conclusion === 'success';
        await deps.messenger.postOnce({
          key: `security:ci:${release.tag}`,
          to: { user: release.taggedBy },
          message: {
            text: `:lock: CI (\`${escapeMrkdwn(settings.ciCheckName)}\`) on ${release.tag} in the private repository ${passed ? 'passed' : `failed (${escapeMrkdwn(latest.conclusion ?? 'no conclusion')})`}${latest.detailsUrl ? `: ${latest.detailsUrl}` : '.'}`,
          },
          now,
        });
        await updateSecurityRelease(deps.db.prisma, release.id, { status: passed ? 'ci-passed' : 'ci-failed', ciReportedAt: now }, now);
      }
    }
    if (!release.remindedAt) {
      production ??= await readDeployedVersion({
        environment: 'production',
        url: settings.productionVersionUrl,
        tagFormat: settings.privateTagFormat,
      }).then((read) => (read.ok ? read.version : null));
      if (production !== null && production === normaliseVersion(release.tag)) {
        const owner = (await findOwnerOfTrain(deps, release.train)) ?? release.taggedBy;
        await deps.messenger.postOnce({
          key: `security:uplift-reminder:${release.tag}`,
          to: { user: owner },
          message: {
            text:
              `:lock: Production runs security release ${release.tag}. Once it is verified there, uplift the fix: ` +
              `\`/release security uplift ${release.train}.${patch}\` (in this DM) opens its pull request against the public \`${escapeMrkdwn(settings.mainBranch)}\`.` +
              `${release.issueUrl ? ` Reminder issue: ${release.issueUrl}` : ''}`,
          },
          now,
        });
        await updateSecurityRelease(deps.db.prisma, release.id, { status: 'in-production', remindedAt: now }, now);
      }
    }
  }
}

export function createSecurityJobs(): Array<ScheduledJob<AppDeps>> {
  return [
    {
      name: SECURITY_FOLLOW_JOB,
      graceMs: STEP_MS,
      lookbackMs: STEP_MS,
      firesBetween: (from, to) => multiplesBetween(from, to, STEP_MS),
      run: (deps, { now }) => followSecurityReleases({ deps, now }),
    },
  ];
}
