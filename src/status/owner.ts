/** Who owns a train. The roster arrives with the rotation feature; until then nobody is assigned. */
import type { AppDeps } from '../app';

export async function findOwnerOfTrain(_deps: AppDeps, _train: number): Promise<string | null> {
  return null;
}
