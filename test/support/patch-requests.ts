/** A patch request as the form leaves it once delivered and not decided yet, written straight to the database. */
import type { Harness } from './harness';

export async function insertWaitingPatchRequest(
  h: Harness,
  request: { train: number; requestedBy: string; viewId: string; trainWhere?: string },
): Promise<number> {
  const at = h.clock.now();
  const created = await h.bot.database.prisma.patchRequest.create({
    data: {
      train: request.train,
      requestedBy: request.requestedBy,
      reason: 's1-bug',
      justification: 'Sign-in fails for every user with a passkey on Safari.',
      verifiedOnMain: true,
      rawItems: 'abc1234',
      status: 'pending',
      viewId: request.viewId,
      trainWhere: request.trainWhere ?? 'on stage',
      createdAt: at,
      updatedAt: at,
      deliveredAt: at,
      ownerRemindedAt: at,
      adminsRemindedAt: at,
    },
  });
  return created.id;
}
