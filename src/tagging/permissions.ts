/**
 * Who may cut a train and act on its results: an admin, or the release owner
 * (of the train in progress, or of the train being cut: after the cutoff the
 * calendar has moved on to the next train while its owner still tags).
 */
import type { AppDeps } from '../deps';
import { PermissionDeniedError } from '../errors';
import { findOwnerOfTrain } from '../rotation/owner';
import { mentionUser } from '../slack/mrkdwn';

/** Returns when `userId` may act on train `train`'s cut; otherwise throws with the reason and who may. */
export async function requireTagger(options: { deps: AppDeps; userId: string; now: Date; train: number; action: string }): Promise<void> {
  const { deps, userId, now, train } = options;
  if (await deps.admins.isAdmin(userId, now)) return;
  const current = deps.calendar.trainInProgress(now).train;
  const owner = await findOwnerOfTrain(deps, train);
  if (owner === userId) return;
  if (current !== train && (await findOwnerOfTrain(deps, current)) === userId) return;
  const who = owner
    ? `the release owner of train ${train} (${mentionUser(owner)})`
    : `the release owner of train ${train} (no owner is assigned)`;
  throw new PermissionDeniedError(
    `Only ${who} or an admin can ${options.action}. ` +
      'If you should be able to, ask an admin to make you the owner with `/release rotation override` or to add you to `admins` in the settings.',
  );
}
