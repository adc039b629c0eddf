/**
 * Which train is being cut at `now` (its cutoff passed, its tag not there
 * yet), from what is known of the tags: the bot's own record of the cuts, the
 * tags GitHub listed (when the caller has them) and, when asked, GitHub's
 * answer for that train's tag and the previous train's (one request each). The rule itself is `trainInCut` (src/train/).
 */
import type { AppDeps } from '../deps';
import { findTrainCut } from '../tagging/release-store';
import { TAG_STATES } from '../tagging/states';
import type { TrainSchedule } from '../train/calendar';
import { trainInCut } from '../train/train-in-cut';
import { findLatestTrain, formatTag } from '../train/versions';

/** States of a cut in which its tag exists: `tagged` and every state after it, but for the timeout of waiting for the tag. */
const TAGGED_STATES: ReadonlySet<string> = new Set(
  TAG_STATES.slice(TAG_STATES.indexOf('tagged')).filter((state) => state !== 'tag_timeout'),
);

/** Whether a cut in `state` has its tag. */
export function isTaggedState(state: string): boolean {
  return TAGGED_STATES.has(state);
}

/**
 * The train being cut, or null. `tagNames`: tags GitHub already listed (the
 * dashboard's snapshot). `askGitHub`: read the candidate's tag from GitHub when
 * nothing else says it is tagged (one request; @throws GitHubError).
 */
export async function findTrainBeingCut(options: {
  deps: AppDeps;
  now: Date;
  tagNames?: readonly string[];
  askGitHub?: boolean;
}): Promise<TrainSchedule | null> {
  const { deps, now } = options;
  const { tagFormat } = deps.config.settings;
  const candidate = deps.calendar.trainInProgress(now).train - 1;
  const tagged: number[] = [];
  const latest = options.tagNames ? findLatestTrain(options.tagNames, tagFormat) : null;
  if (latest) tagged.push(latest.train);
  // The bot's record of the cut of the candidate and of the train before it.
  for (const train of [candidate, candidate - 1]) {
    const cut = await findTrainCut(deps.db.prisma, train);
    if (cut && isTaggedState(cut.state)) tagged.push(train);
  }
  if (options.askGitHub && !tagged.includes(candidate)) {
    const asked = [candidate, ...(tagged.includes(candidate - 1) ? [] : [candidate - 1])];
    const found = await Promise.all(
      asked.map(async (train) => {
        const tag = formatTag(tagFormat, train, 0);
        return (await deps.github.listTagNames(tag)).includes(tag) ? train : null;
      }),
    );
    for (const train of found) if (train !== null) tagged.push(train);
  }
  return trainInCut(deps.calendar, now, tagged);
}
