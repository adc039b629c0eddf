/**
 * Who may cut a train and act on its results: an admin, or the release owner
 * of that very train. After the cutoff the calendar has moved on to the next
 * train while the owner of the one being cut still tags it; the next train's
 * owner may not cut it (issue 13.9).
 */
import type { AppDeps } from '../deps';
import { PermissionDeniedError } from '../errors';
import { findOwnerOfTrain } from '../rotation/owner';
import { mentionUser } from '../slack/mrkdwn';

/** Returns when `userId` may act on train `train`'s cut; otherwise throws with the reason and who may. */
export async function requireTagger(options: { deps: AppDeps; userId: string; now: Date; train: number; action: string }): Promise<void> {
  const { deps, userId, now, train } = options;
  if (await deps.admins.isAdmin(userId, now)) return;
  const owner = await findOwnerOfTrain(deps, train);
  if (owner === userId) return;
  const who = owner
    ? `the release owner of train ${train} (${mentionUser(owner)})`
    : `the release owner of train ${train} (no owner is assigned)`;
  throw new PermissionDeniedError(
    `Only ${who} or an admin can ${options.action}. ` +
      'If you should be able to, ask an admin to make you the owner with `/release rotation override` or to add you to `admins` in the settings.',
  );
}
