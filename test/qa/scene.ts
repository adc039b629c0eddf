/**
 * The QA tests' scene: the tagging harness with the team, and train 303's tag `v1.303.0` on stage (QA can sign it off).
 */
import type { Harness } from '../support/harness';
import { ALICE, arrangeTeam, startTaggingHarness } from '../tagging/helpers';

export const TRAIN = 303;

export async function startQaScene(): Promise<Harness> {
  const h = await startTaggingHarness();
  await arrangeTeam(h);
  const now = h.clock.now();
  await h.bot.database.sql.query(
    `INSERT INTO tag_releases (train, patch, tag, kind, state, "requestedBy", "requestedAt", "tagSha", "stateSince", "onStageAt",
     "createdAt", "updatedAt") VALUES ($1, 0, $2, 'train', 'on_stage', $3, $4, $5, $4, $4, $4, $4)`,
    [TRAIN, `v1.${TRAIN}.0`, ALICE, now, 'a'.repeat(40)],
  );
  return h;
}
