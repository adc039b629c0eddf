/** Who owns a train, by the rotation (announced trains as announced). */
import type { AppDeps } from '../deps';
import { planOwners } from './roster-store';

export async function findOwnerOfTrain(deps: AppDeps, train: number): Promise<string | null> {
  const [planned] = await planOwners({ prisma: deps.db.prisma, calendar: deps.calendar, fromTrain: train, toTrain: train });
  return planned?.slackUserId ?? null;
}
