/**
 * Applying a decision through release-store: the row change (conditional on
 * the version read), its notices rendered for the outbox, and its audit entry,
 * in one transaction. Null when someone else changed the release first.
 */
import type { AppDeps } from '../deps';
import type { CutNotice } from './outcomes';
import { applyChanges, type TagRelease } from './release-store';
import { renderCutNotice } from './rerun-view';
import type { Write } from './watch-steps';

/** The notices as the outbox keeps them. */
export function noticeDrafts(deps: AppDeps, notices: CutNotice[]) {
  return notices.map((notice) => renderCutNotice(deps.config.settings, notice));
}

export function commitWrite(options: { deps: AppDeps; release: TagRelease; now: Date; write: Write }): Promise<TagRelease | null> {
  const { deps, release, now, write } = options;
  return applyChanges({
    prisma: deps.db.prisma,
    release,
    now,
    changes: write.changes,
    ...(write.notices ? { notices: noticeDrafts(deps, write.notices) } : {}),
    ...(write.audit ? { audit: write.audit } : {}),
  });
}
