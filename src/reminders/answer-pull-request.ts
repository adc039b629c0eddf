/**
 * An author's answer from the buttons of their sweep DM: "Will land in time",
 * "Roll to next train", "Not sure". Only the PR's author may answer, only
 * before the cutoff, and only for a PR still open; the answer is stored (once:
 * a double click changes nothing) and audited, and the owner's summary is
 * updated in place.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { GitHubError } from '../github/errors';
import type { PullRequestState } from '../github/client';
import type { Block } from '../slack/blocks';
import { mentionUser } from '../slack/mrkdwn';
import { findOwnerOfTrain } from '../rotation/owner';
import { formatInZones } from '../train/time-format';
import { ANSWER_TEXT, findSweptPullRequest, recordAnswer, type Answer } from './answer-store';
import { refreshOwnerSummary } from './owner-summary';
import { answerStatusText, decodeAnswerValue, markAnswered, shortTime } from './views';

/** What to tell the person: the DM to replace, or a note for them only. */
export type AnswerReply = { replace: { text: string; blocks: Block[] } } | { ephemeral: string };

export async function answerPullRequest(options: {
  deps: AppDeps;
  userId: string;
  answer: Answer;
  value: string | undefined;
  now: Date;
  /** The DM the button is on, when Slack sent it. */
  original: { text: string; blocks: Block[] } | null;
}): Promise<AnswerReply> {
  const { deps, userId, answer, now } = options;
  const { settings } = deps.config;
  const value = decodeAnswerValue(options.value);
  if (!value) throw new InvalidInputError('That button does not name a pull request; wait for the next sweep to ask again.');
  const { train, number } = value;
  const swept = await findSweptPullRequest({ prisma: deps.db.prisma, train, number });
  if (!swept) throw new InvalidInputError(`I did not ask about #${number} for train ${train}.`);
  if (swept.authorSlackId !== userId) {
    throw new PermissionDeniedError(
      swept.authorSlackId
        ? `Only ${mentionUser(swept.authorSlackId)}, who opened #${number}, can answer for it.`
        : `Only the author of #${number} can answer for it, and they are not on Slack.`,
    );
  }
  const log = deps.logger.child({ module: 'reminders', train, pr: number, answer });
  const cutoff = deps.calendar.getTrain(train).cutoff;
  const state = await readState(deps, number, log);

  if (now >= cutoff) {
    const when = formatInZones(cutoff, settings.displayTimeZones);
    if (state?.state === 'merged' && state.mergedAt && Date.parse(state.mergedAt) < cutoff.getTime()) {
      return {
        ephemeral: `Train ${train} was cut at ${when}. #${number} was merged before that: it rides train ${train}. Nothing to answer.`,
      };
    }
    return {
      ephemeral: `Train ${train} was cut at ${when}; your PR #${number} rolls to train ${train + 1}. Your answer was not recorded.`,
    };
  }
  if (state?.state === 'merged') {
    const at = state.mergedAt ? ` at ${shortTime(new Date(state.mergedAt), settings)}` : '';
    return { ephemeral: `#${number} was merged already${at}: it rides train ${train}. No answer needed.` };
  }
  if (state?.state === 'closed') return { ephemeral: `#${number} was closed without merging, so there is nothing to answer for it.` };
  if (state === null) return { ephemeral: `GitHub has no pull request #${number} any more, so there is nothing to answer for it.` };

  const recorded = await recordAnswer({
    prisma: deps.db.prisma,
    train,
    number,
    authorSlackId: userId,
    answer,
    headSha: value.headSha,
    now,
  });
  if (!recorded.changed) return { ephemeral: `You had already answered ${ANSWER_TEXT[answer]} for #${number}; nothing changed.` };
  // The answer is stored and audited. Should Slack fail to update the owner's summary now, telling the
  // author "something went wrong" would be untrue: it is logged, and the next answer or sweep updates it.
  const ownerSlackId = await findOwnerOfTrain(deps, train);
  await refreshOwnerSummary({ deps, train, ownerSlackId, now, create: false }).catch((error: unknown) =>
    log.warn({ err: error }, 'reminders: could not update the owner summary after an answer'),
  );
  const status = answerStatusText({ answer, answeredAt: now }, settings);
  if (!options.original || options.original.blocks.length === 0) return { ephemeral: `Recorded: ${status}` };
  return { replace: { text: options.original.text, blocks: markAnswered(options.original.blocks, number, status) } };
}

/** The PR's state now; undefined when GitHub cannot tell (the answer is recorded anyway: none is lost). */
async function readState(deps: AppDeps, number: number, log: AppDeps['logger']): Promise<PullRequestState | null | undefined> {
  try {
    return await deps.github.getPullRequestState(number);
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    log.warn({ err: error }, 'reminders: GitHub could not say whether the PR is still open; recording the answer anyway');
    return undefined;
  }
}
