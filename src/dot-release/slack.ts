/**
 * The dot release's buttons: *Run dot release* on the announcement (shows
 * the confirmation to the clicker), Confirm and Cancel on it, and Resume and
 * Abandon on a hand-off. Confirm, Resume and Abandon are durable (recorded
 * before the ack; a replica finishes them if this one dies), and safe to
 * replay: the run holds its lock and resumes from its recorded step.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import type { ButtonListener } from '../feature';
import { loadDotReleasePlan } from '../patches/patch-store';
import { afterAck } from '../slack/after-ack';
import type { Block } from '../slack/blocks';
import { positiveIdOf } from '../commands/parse-values';
import { describeOutcome, describeRunFor } from './outcome-words';
import { abandonRun, confirmRun, requireRun, requireRunner, resumeRun } from './run-dot-release';
import { renderRunConfirmation } from './run-view';

/** A button's value: `<plan id>` or `<plan id>:<plan version>`. */
export function parsePlanValue(value: string | undefined): { planId: number; version?: number } {
  const [id, version] = (value ?? '').split(':');
  const planId = positiveIdOf(id);
  const planVersion = version === undefined ? undefined : positiveIdOf(version);
  if (planId === null || planVersion === null) {
    throw new InvalidInputError('That button does not name a dot release (the message may be altered); `/release patches` lists them.');
  }
  return planVersion === undefined ? { planId } : { planId, version: planVersion };
}

type Answer = { text: string; blocks?: Block[] };

function dotButton(
  deps: AppDeps,
  options: { replaceOriginal: boolean },
  answer: (o: { deps: AppDeps; userId: string; now: Date; value: string | undefined }) => Promise<Answer>,
): ButtonListener {
  const logger = deps.logger.child({ module: 'dot-release' });
  return async ({ ack, body, action, respond }) => {
    await ack();
    const now = deps.now();
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, async () => {
      const answered = await answer({ deps, userId: body.user.id, now, value: action.value });
      await respond({ response_type: 'ephemeral', replace_original: options.replaceOriginal, ...answered });
    });
  };
}

/** *Run dot release* on the announcement: the confirmation, to the clicker only. */
export const dotReleaseRun = (deps: AppDeps) =>
  dotButton(deps, { replaceOriginal: false }, async ({ userId, now, value }) => {
    const { planId } = parsePlanValue(value);
    const run = await requireRun(deps, planId);
    await requireRunner(deps, run.train, userId, now);
    if (run.status !== 'planned') return describeRunFor(deps, run);
    const plan = await loadDotReleasePlan(deps.db.prisma, planId);
    if (!plan || plan.commits.length === 0) {
      throw new InvalidInputError(`Dot release ${run.train}.${run.patch} has no commits to pick (an empty plan); nothing was done.`);
    }
    const { repository, mainBranch } = deps.config.settings;
    return renderRunConfirmation(plan, { repository, mainBranch });
  });

/** Confirm: runs it, once; the confirmation gives way to where the run stopped. */
export const dotReleaseConfirm = (deps: AppDeps) =>
  dotButton(deps, { replaceOriginal: true }, async ({ userId, now, value }) => {
    const { planId, version } = parsePlanValue(value);
    const outcome = await confirmRun({ deps, planId, userId, now, ...(version === undefined ? {} : { version }) });
    return describeOutcome(deps, outcome);
  });

export const dotReleaseCancel = (deps: AppDeps) =>
  dotButton(deps, { replaceOriginal: true }, async () => ({ text: 'Cancelled: nothing was done.' }));

/** Resume after a conflict finished by hand or a failure. */
export const dotReleaseResume = (deps: AppDeps) =>
  dotButton(deps, { replaceOriginal: false }, async ({ userId, now, value }) =>
    describeOutcome(deps, await resumeRun({ deps, planId: parsePlanValue(value).planId, userId, now })),
  );

/** Abandon: closes the dot release and tells the requesters. */
export const dotReleaseAbandon = (deps: AppDeps) =>
  dotButton(deps, { replaceOriginal: false }, async ({ userId, now, value }) =>
    describeRunFor(deps, await abandonRun({ deps, planId: parsePlanValue(value).planId, userId, now })),
  );
