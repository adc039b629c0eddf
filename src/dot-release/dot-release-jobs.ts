/**
 * Every minute (once across replicas): runs left in the middle of a step
 * (their process died, and no click or replayed intent carried them on) are
 * driven on from their recorded step. A run another process is driving holds
 * its lock and is skipped. Without GitHub's webhooks (polling mode), the same
 * job notices a plan's tag pushed by hand (`followTagsPushedByHand`), which
 * the webhook would have told.
 */
import type { AppDeps } from '../deps';
import type { ScheduledJob } from '../scheduler';
import { everyMinuteBetween } from '../tagging/watch-job';
import { listActiveRuns } from './dot-release-store';
import { followTagsPushedByHand } from './follow-tag';
import { driveRun } from './run-dot-release';

const MINUTE = 60_000;
export const DOT_RELEASE_RESUME_JOB = 'dot-release-resume';

export async function resumeActiveRuns(options: { deps: AppDeps; now: Date }): Promise<number> {
  const { deps, now } = options;
  let driven = 0;
  for (const run of await listActiveRuns(deps.db.prisma)) {
    const outcome = await driveRun({ deps, runId: run.id, now });
    if (outcome.kind === 'stopped') driven += 1;
  }
  return driven;
}

export function createDotReleaseJobs(): Array<ScheduledJob<AppDeps>> {
  return [
    {
      name: DOT_RELEASE_RESUME_JOB,
      graceMs: 5 * MINUTE,
      lookbackMs: 5 * MINUTE,
      firesBetween: everyMinuteBetween,
      async run(deps, { now }) {
        await resumeActiveRuns({ deps, now });
        if (!deps.githubWebhooks) await followTagsPushedByHand({ deps, now });
      },
    },
  ];
}
