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
import { startWatchingTag, type PushedTag, type TagRelease } from './release-store';
import { nextCheckAt } from './watch-policy';

/** Starts watching `tag` (pointing at `sha`); returns null when it is watched already. */
export async function watchPushedTag(options: PushedTag & { deps: AppDeps }): Promise<TagRelease | null> {
  const { deps, ...pushed } = options;
  const { train, tag, sha, now } = pushed;
  const { settings } = deps.config;
  const created = await startWatchingTag({
    ...pushed,
    prisma: deps.db.prisma,
    notices: noticeDrafts(deps, [{ kind: 'tagged', tag, branch: formatBranch(settings.branchFormat, train), sha, attempt: 1 }]),
    checkAt: (row) => nextCheckAt({ settings, webhooks: deps.githubWebhooks, release: row, now }),
  });
  if (created) await flushNotices({ deps, now, releaseIds: [created.id] });
  return created;
}
