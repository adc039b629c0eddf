/**
 * `/release patch run|resume|abandon <train.patch>` (run shows the
 * confirmation; its button starts the run), `/release forward-ports [train]`
 * and `/release where <PR link | #number | sha>`.
 */
import type { Subcommand } from '../commands/router';
import { parseTrainArgument, positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { loadDotReleasePlan } from '../patches/patch-store';
import { parseReleaseTag } from '../train/versions';
import { findRunByNumber, listUnclosedRuns, type DotReleaseRun } from './dot-release-store';
import { abandonRun, requireRunner, resumeRun } from './run-dot-release';
import { describeOutcome, describeRunFor } from './outcome-words';
import { renderRunConfirmation } from './run-view';
import { forwardPortsReport } from './forward-ports';
import { whereReport } from './where';

const PATCH_USAGE =
  'Usage: `/release patch run 302.3` (shows what the dot release will do, with a button to run it), `/release patch resume 302.3` or `/release patch abandon 302.3`, where `302.3` is the train and patch number of the announcement.';

/** `302.3` or the tag `v1.302.3`; refused with what is expected. */
export function parseDotReleaseNumber(arg: string | undefined, tagFormat: string): { train: number; patch: number } {
  const typed = arg?.trim() ?? '';
  const match = /^(\d{1,10})\.(\d{1,10})$/.exec(typed);
  const train = match ? positiveIdOf(match[1]) : null;
  const patch = match ? positiveIdOf(match[2]) : null;
  if (train !== null && patch !== null) return { train, patch };
  const asTag = typed === '' ? null : parseReleaseTag(typed, tagFormat);
  if (asTag && asTag.patch > 0) return asTag;
  const what = typed === '' ? 'Which dot release?' : `\`${escapeMrkdwn(typed.slice(0, 40))}\` is not a dot release number.`;
  throw new InvalidInputError(
    `${what} Give it as \`train.patch\`, e.g. \`302.3\` (or its tag, \`v1.302.3\`); nothing was done.\n${PATCH_USAGE}`,
  );
}

async function findRun(deps: AppDeps, arg: string | undefined): Promise<DotReleaseRun> {
  const { train, patch } = parseDotReleaseNumber(arg, deps.config.settings.tagFormat);
  const run = await findRunByNumber(deps.db.prisma, train, patch);
  if (run) return run;
  const open = await listUnclosedRuns(deps.db.prisma, train);
  const known =
    open.length > 0
      ? ` Train ${train} has ${open.map((r) => `*${r.train}.${r.patch}*`).join(', ')}.`
      : ` Train ${train} has no dot release planned.`;
  throw new InvalidInputError(
    `There is no dot release ${train}.${patch}; nothing was done.${known} \`/release patches ${train}\` lists them.`,
  );
}

export function createPatchSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'patch',
    usage: 'patch run|resume|abandon <train.patch>',
    summary: 'run a planned dot release (cherry-picks, push, tag) with a confirmation; resume it after a conflict, or abandon it',
    maxArgs: 2,
    mutates: (args) => args[0] === 'resume' || args[0] === 'abandon',
    async run(context) {
      const [verb, number] = context.args;
      const { userId, now } = context;
      if (verb !== 'run' && verb !== 'resume' && verb !== 'abandon') {
        const typed = verb === undefined ? '' : ` \`${escapeMrkdwn(verb.slice(0, 40))}\` is not one of them.`;
        throw new InvalidInputError(`\`/release patch\` takes \`run\`, \`resume\` or \`abandon\`.${typed}\n${PATCH_USAGE}`);
      }
      const run = await findRun(deps, number);
      if (verb === 'run') {
        await requireRunner(deps, run.train, userId, now);
        if (run.status !== 'planned') {
          await context.respond({ response_type: 'ephemeral', ...describeRunFor(deps, run) });
          return;
        }
        const plan = await loadDotReleasePlan(deps.db.prisma, run.id);
        if (!plan || plan.commits.length === 0) {
          throw new InvalidInputError(`Dot release ${run.train}.${run.patch} has no commits to pick (an empty plan); nothing was done.`);
        }
        const { repository, mainBranch } = deps.config.settings;
        await context.respond({ response_type: 'ephemeral', ...renderRunConfirmation(plan, { repository, mainBranch }) });
        return;
      }
      if (verb === 'resume') {
        const outcome = await resumeRun({ deps, planId: run.id, userId, now });
        await context.respond({ response_type: 'ephemeral', ...describeOutcome(deps, outcome) });
        return;
      }
      const closed = await abandonRun({ deps, planId: run.id, userId, now });
      await context.respond({ response_type: 'ephemeral', ...describeRunFor(deps, closed) });
    },
  };
}

export function createForwardPortsSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'forward-ports',
    usage: 'forward-ports [train]',
    summary: 'fixes picked onto a train after the next one was cut, and whether each reached the newer train',
    maxArgs: 1,
    heavy: true,
    async run(context) {
      const train =
        context.args[0] === undefined
          ? undefined
          : parseTrainArgument(context.args[0], 'Usage: `/release forward-ports [train]`, e.g. `/release forward-ports 302`.');
      await context.respond({
        response_type: 'ephemeral',
        ...(await forwardPortsReport({ deps, ...(train === undefined ? {} : { train }) })),
      });
    },
  };
}

export function createWhereSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'where',
    usage: 'where <PR link | #number | sha>',
    summary: 'which trains and tags contain a change (directly or cherry-picked), and whether it is on stage or in production',
    maxArgs: 1,
    heavy: true,
    async run(context) {
      await context.respond({ response_type: 'ephemeral', ...(await whereReport({ deps, input: context.args[0] ?? '' })) });
    },
  };
}
