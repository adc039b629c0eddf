/** What the person who ran, resumed or abandoned a dot release is told: where it stands now. */
import type { AppDeps } from '../deps';
import { section, type Block } from '../slack/blocks';
import { fitMessage } from '../slack/budget';
import type { DotReleaseRun } from './dot-release-store';
import type { RunOutcome } from './run-dot-release';
import { describeRun, resumeButtons } from './run-view';

const LEADS: Record<string, string> = {
  watched: ':rocket:',
  conflict: ':warning:',
  failed: ':warning:',
  abandoned: ':wastebasket:',
};

/** The run as it stands, with Resume and Abandon when it waits for a person. */
export function describeRunFor(deps: AppDeps, run: DotReleaseRun): { text: string; blocks: Block[] } {
  const lead = LEADS[run.status] ?? ':package:';
  const body = describeRun(run, deps.config.settings.repository);
  const after =
    run.status === 'conflict'
      ? '\nThe hand-off, with the commands to finish by hand, is in your DMs and in the train’s thread.'
      : run.status === 'watched'
        ? '\nCI and stage are followed in the train’s thread; the requesters were told.'
        : '';
  const parts = [section(`${lead} ${body}${after}`)];
  if (run.status === 'conflict' || run.status === 'failed') parts.push(resumeButtons(run));
  return fitMessage({ text: `Dot release ${run.train}.${run.patch}: ${run.status}`, parts });
}

export function describeOutcome(deps: AppDeps, outcome: RunOutcome): { text: string; blocks: Block[] } {
  if (outcome.kind === 'busy') {
    const { run } = outcome;
    const text = `:hourglass_flowing_sand: Dot release ${run.train}.${run.patch} is running right now (another click or replica started it first); nothing was done twice. Its announcement shows where it is.`;
    return { text, blocks: [section(text)] };
  }
  return describeRunFor(deps, outcome.run);
}
