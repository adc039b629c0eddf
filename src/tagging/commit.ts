/**
 * Applying a decision through release-store: the row change (conditional on
 * the version read), its notices rendered for the outbox, and its audit entry,
 * in one transaction. Null when someone else changed the release first.
 */
import type { AppDeps } from '../deps';
import type { CutNotice } from './outcomes';
import { applyChanges, type TagRelease } from './release-store';
import { displayNames } from '../slack/directory';
import { peopleIn, renderCutNotice } from './rerun-view';
import type { Write } from './watch-steps';

/** The notices as the outbox keeps them; `names` names the people they speak of (`peopleIn`). */
export function noticeDrafts(deps: AppDeps, notices: CutNotice[], names?: ReadonlyMap<string, string>) {
  return notices.map((notice) => renderCutNotice(deps.config.settings, notice, names));
}

/**
 * Display names of the people the notices speak of, so that they are named, not pinged; asked before the write, in
 * parallel and for at most a second (`displayNames`): Slack failing or slow leaves them mentioned, the cut never waits on a name.
 */
async function namesIn(deps: AppDeps, notices: CutNotice[]): Promise<ReadonlyMap<string, string>> {
  const people = notices.flatMap(peopleIn);
  return people.length === 0 ? new Map() : displayNames(deps, people);
}

export async function commitWrite(options: { deps: AppDeps; release: TagRelease; now: Date; write: Write }): Promise<TagRelease | null> {
  const { deps, release, now, write } = options;
  return applyChanges({
    prisma: deps.db.prisma,
    release,
    now,
    changes: write.changes,
    ...(write.notices ? { notices: noticeDrafts(deps, write.notices, await namesIn(deps, write.notices)) } : {}),
    ...(write.audit ? { audit: write.audit } : {}),
  });
}
