/**
 * `/release tag`: for the release owner (or an admin), an ephemeral
 * confirmation of what cutting the train will do; the Confirm button does it
 * (cut-train.ts).
 */
import type { AppDeps } from '../deps';
import type { CommandContext, Subcommand } from '../commands/router';
import { PermissionDeniedError } from '../errors';
import { requireTagger } from './permissions';
import { computeTrainToCut, planCut } from './plan-cut';
import { renderCutConfirmation } from './tag-view';

/** A channel setting as a reader sees it: a link for an id, the name otherwise. */
/** An admin, or the owner of the train the workflow would cut (not the owner of the train now in progress, when that is another). */
async function requireMayTag(deps: AppDeps, context: CommandContext, tagNames: string[]): Promise<void> {
  const { userId, now } = context;
  let train: number;
  try {
    train = computeTrainToCut(tagNames, deps.config.settings.tagFormat).train;
  } catch (error) {
    // The tags do not give a number: the owner of the train in progress or of the one before it
    // (after its cutoff) may hear why; anyone else is told who may tag.
    const current = deps.calendar.trainInProgress(now).train;
    let denied: unknown = null;
    for (const candidate of [current, current - 1]) {
      try {
        await requireTagger({ deps, userId, now, train: candidate, action: 'cut a train' });
        throw error;
      } catch (refusal) {
        if (!(refusal instanceof PermissionDeniedError)) throw refusal;
        denied ??= refusal;
      }
    }
    throw denied;
  }
  await requireTagger({ deps, userId, now, train, action: `cut train ${train}` });
}

export function createTagSubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;
  return {
    name: 'tag',
    usage: 'tag',
    summary:
      'cut the train (owner or admin): shows what will happen, then dispatches the tagging workflow once and follows the run, CI and stage in the train thread',
    maxArgs: 0,
    async run(context) {
      const tagNames = await deps.github.listAllTagNames();
      await requireMayTag(deps, context, tagNames);
      const plan = await planCut({ deps, now: context.now, tagNames });
      await context.respond({
        response_type: 'ephemeral',
        ...renderCutConfirmation(plan, settings, settings.announcementChannel),
      });
    },
  };
}
