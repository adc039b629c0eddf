/**
 * Watching a tag the bot did not cut through the tagging workflow (a dot
 * release pushes `v1.N.P` itself): the same state machine, entered at
 * `tagged`, so CI and stage are followed and reported in the train's thread
 * exactly as for a cut. Once per tag.
 */
import type { AppDeps } from '../deps';
import { formatBranch } from '../train/versions';
import { noticeDrafts } from './commit';
import { flushNotices } from './notices';
import { startWatchingTag, type TagRelease } from './release-store';
import { nextCheckAt } from './watch-policy';

/** Starts watching `tag` (pointing at `sha`); returns null when it is watched already. */
export async function watchPushedTag(options: {
  deps: AppDeps;
  train: number;
  patch: number;
  tag: string;
  sha: string;
  actor: string;
  now: Date;
}): Promise<TagRelease | null> {
  const { deps, train, tag, sha, now } = options;
  const { settings } = deps.config;
  const created = await startWatchingTag({
    ...options,
    prisma: deps.db.prisma,
    notices: noticeDrafts(deps, [{ kind: 'tagged', tag, branch: formatBranch(settings.branchFormat, train), sha, attempt: 1 }]),
    checkAt: (row) => nextCheckAt({ settings, webhooks: deps.githubWebhooks, release: row, now }),
  });
  if (created) await flushNotices({ deps, now, releaseIds: [created.id] });
  return created;
}
