/**
 * Watching a tag the bot did not cut through the tagging workflow (a dot
 * release pushes `v1.N.P` itself): the same state machine, entered at
 * `tagged`, so CI and stage are followed and reported in the train's thread
 * exactly as for a cut. Once per tag.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/record-audit';
import { formatBranch } from '../train/versions';
import { flushNotices } from './notices';
import { writeNotices, type TagRelease } from './release-store';
import { taggedNotice } from './tag-view';
import { nextCheckAt, webhooksConfigured } from './watch-release';

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
  const { deps, train, patch, tag, sha, actor, now } = options;
  const { settings } = deps.config;
  const created = await deps.db.prisma.$transaction(async (tx) => {
    const inserted = await tx.tagRelease.createMany({
      data: [
        {
          train,
          patch,
          tag,
          kind: patch === 0 ? 'train' : 'patch',
          state: 'tagged',
          requestedBy: actor,
          requestedAt: now,
          sourceSha: sha,
          tagSha: sha,
          stateSince: now,
          nextCheckAt: now,
          createdAt: now,
          updatedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count !== 1) return null;
    const row = await tx.tagRelease.findUniqueOrThrow({ where: { tag } });
    await writeNotices(tx, row.id, now, [taggedNotice({ settings, tag, branch: formatBranch(settings.branchFormat, train), sha, attempt: 1 })]);
    await recordAudit(tx, { actor, action: 'tag.watch', subject: `tag:${tag}`, details: { train, patch, sha }, at: now });
    return tx.tagRelease.update({ where: { id: row.id }, data: { nextCheckAt: nextCheckAt({ settings, webhooks: webhooksConfigured(deps), release: row, now }) } });
  });
  if (created) await flushNotices({ deps, now, releaseIds: [created.id] });
  return created;
}
