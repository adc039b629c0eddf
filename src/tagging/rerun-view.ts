/**
 * The cut after its tag, as Slack text: CI re-runs, the answer to "Known
 * flaky" (Re-run where GitHub allows it, the link and a watch where it does
 * not), production, the end-of-cut summary, and which notices are milestones
 * the channel sees. Every notice goes through `renderCutNotice`, which leaves
 * the cut's own notices to tag-view.ts.
 */
import type { Settings } from '../config';
import { actions, button, context, section, type Block } from '../slack/blocks';
import { fitBlocks } from '../slack/budget';
import { actorText, clipMrkdwn, escapeMrkdwn, link, mentionUser, slackDate } from '../slack/mrkdwn';
import { formatCountdown } from '../train/time-format';
import type { AfterTagNotice, CiAnswerRefusal, CutNotice, CutSummary, TagNotice } from './outcomes';
import type { NoticeDraft } from './release-store';
import { renderFlakyRecorded, renderNotice, type PeopleNames } from './tag-view';

export const TAG_RERUN_ACTION = 'tag_ci_rerun';
/** QA's sign-off buttons under "on stage" (handled by the qa feature). */
export const QA_GREEN_ACTION = 'qa_green';
export const QA_YELLOW_ACTION = 'qa_yellow';
export const QA_RED_ACTION = 'qa_red';

/** The milestones a notice can be: what `milestones.kinds` names. */
export type Milestone = 'cut' | 'ci-failed' | 'on-stage' | 'in-production' | 'summary';

/** The value of the Re-run button: the release, its attempt and CI round, and the workflow run to re-run. */
export interface RerunValue {
  id: number;
  attempt: number;
  round: number;
  runId: number;
}

/** The value of a QA button: the train and the colour. */
export interface QaButtonValue {
  train: number;
  colour: 'green' | 'yellow' | 'red';
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

function draft(key: string, mrkdwn: string, extra: Block[] = []): NoticeDraft {
  return { key, text: clipMrkdwn(mrkdwn.replace(/[*`]/g, ''), 3000), blocks: fitBlocks([section(mrkdwn), ...extra]) };
}

function milestoneOf(notice: CutNotice): Milestone | null {
  switch (notice.kind) {
    case 'tagged':
      return 'cut';
    case 'ci-failed':
      return 'ci-failed';
    case 'on-stage':
      return 'on-stage';
    case 'in-production':
      return 'in-production';
    case 'summary':
      return 'summary';
    default:
      return null;
  }
}

function roundOf(notice: CutNotice): number {
  return 'round' in notice && typeof notice.round === 'number' ? notice.round : 1;
}

/** The QA sign-off buttons of a train on stage. */
export function qaButtons(train: number): Block {
  const value = (colour: QaButtonValue['colour']) => JSON.stringify({ train, colour } satisfies QaButtonValue);
  return actions(`qa:${train}`, [
    button({ actionId: QA_GREEN_ACTION, text: 'QA: green', value: value('green'), style: 'primary' }),
    button({ actionId: QA_YELLOW_ACTION, text: 'QA: yellow', value: value('yellow') }),
    button({ actionId: QA_RED_ACTION, text: 'QA: red', value: value('red'), style: 'danger' }),
  ]);
}

function isAfterTag(notice: CutNotice): notice is AfterTagNotice {
  return notice.kind === 'ci-rerun' || notice.kind === 'rerun-requested' || notice.kind === 'in-production' || notice.kind === 'summary';
}

/**
 * The people a notice speaks of (who clicked, who answered a failure): channel and thread notices name them from
 * Slack's display names (`renderCutNotice`'s `names`) instead of pinging them about their own clicks.
 */
export function peopleIn(notice: CutNotice): string[] {
  switch (notice.kind) {
    case 'dispatched':
    case 'issue-filed':
    case 'flaky':
    case 'rerun-requested':
      return notice.actorName === undefined ? [notice.actor] : [];
    case 'summary':
      return [notice.summary.flakyBy, notice.summary.rerunBy].filter((id): id is string => id !== null);
    default:
      return [];
  }
}

/**
 * A notice as the outbox keeps it: its text, its key (a later CI round's is its own) and whether it is a milestone.
 * `names`: display names of `peopleIn(notice)`; someone missing from it (Slack knows no name) is mentioned.
 */
export function renderCutNotice(settings: Settings, notice: CutNotice, names: PeopleNames = new Map()): NoticeDraft {
  const rendered = isAfterTag(notice) ? renderAfterTag(notice, names) : renderTagNotice(settings, notice, names);
  const milestone = milestoneOf(notice);
  return milestone ? { ...rendered, milestone } : rendered;
}

function renderTagNotice(settings: Settings, notice: TagNotice, names: PeopleNames): NoticeDraft {
  const base = renderNotice(settings, notice, names);
  const round = roundOf(notice);
  const keyed = round > 1 ? { ...base, key: `${base.key}.r${round}` } : base;
  if (notice.kind === 'ci-passed' && round > 1) {
    const reruns = round - 1;
    const text = `${keyed.text} (after ${reruns} re-run${reruns === 1 ? '' : 's'})`;
    return { ...keyed, text, blocks: [...(keyed.blocks ?? []), context(`CI passed after ${reruns} re-run${reruns === 1 ? '' : 's'}.`)] };
  }
  if (notice.kind === 'on-stage') return { ...keyed, blocks: [...(keyed.blocks ?? []), qaButtons(notice.train)] };
  return keyed;
}

/** A person named (they clicked, or answered the failure themselves), else mentioned. */
function person(userId: string, names: PeopleNames, name?: string): string {
  return actorText({ actor: userId, actorName: name ?? names.get(userId) });
}

function renderAfterTag(notice: AfterTagNotice, names: PeopleNames): NoticeDraft {
  switch (notice.kind) {
    case 'ci-rerun':
      return draft(
        `ci_rerun#${notice.attempt}.r${notice.round}`,
        `:repeat: CI is running again on ${code(notice.tag)}${notice.url ? ` (${link(notice.url, 'CI')})` : ''}: re-run ${notice.round - 1}. I'll report the result here.`,
      );
    case 'rerun-requested':
      return draft(
        `rerun#${notice.attempt}.r${notice.round}`,
        notice.how === 'github'
          ? `:repeat: ${person(notice.actor, names, notice.actorName)} asked GitHub to re-run the failed jobs of ${code(notice.tag)}${notice.url ? ` (${link(notice.url, 'run')})` : ''}. Watching the outcome.`
          : `:eyes: ${person(notice.actor, names, notice.actorName)} is re-running CI on ${code(notice.tag)}${notice.url ? ` (${link(notice.url, 'CI')})` : ''}. Watching the outcome.`,
      );
    case 'in-production':
      return draft(
        `in_production#${notice.attempt}`,
        `:tada: *Train ${notice.train} reached production* (production reports \`${escapeMrkdwn(notice.version)}\` for ${code(notice.tag)}).`,
      );
    case 'summary':
      return summaryNotice(notice.summary, notice.attempt, names);
  }
}

/** The end-of-cut summary (a milestone the channel sees): who answered the failure is named, not pinged. */
function summaryNotice(summary: CutSummary, attempt: number, names: PeopleNames): NoticeDraft {
  const ci =
    summary.failedRounds === 0
      ? 'CI passed first time'
      : `CI failed ${summary.failedRounds === 1 ? 'once' : `${summary.failedRounds} times`}, then passed after ${summary.ciRounds - 1} re-run${summary.ciRounds - 1 === 1 ? '' : 's'}`;
  const answers = [
    summary.flakyBy ? `recorded as known flaky by ${person(summary.flakyBy, names)}` : null,
    summary.issue ? `${link(summary.issue.url, `issue #${summary.issue.number}`)} filed` : null,
    summary.rerunBy ? `re-run by ${person(summary.rerunBy, names)}` : null,
  ].filter((part): part is string => part !== null);
  const reachedAt = summary.reached === 'production' ? summary.productionAt : summary.onStageAt;
  const took =
    summary.cutoff && summary.onStageAt
      ? `cutoff to stage: ${formatCountdown(summary.cutoff, summary.onStageAt)}`
      : 'cutoff to stage: unknown';
  const lines = [
    `:checkered_flag: *Train ${summary.train}'s cut is done*: ${code(summary.tag)} is ${summary.reached === 'production' ? 'in production' : 'on stage'}` +
      (reachedAt ? ` (since ${slackDate(reachedAt, '{date_short_pretty} at {time}', reachedAt.toISOString())})` : '') +
      '.',
    `• ${ci}${answers.length > 0 ? ` (${answers.join(', ')})` : ''}.`,
    `• ${took}.`,
  ];
  return draft(`summary#${attempt}`, lines.join('\n'));
}

/** Why a second answer to a CI failure, or a re-run, is refused. */
export function renderCiAnswerRefusal(refusal: CiAnswerRefusal): string {
  const who = (by: string | null) => (by ? mentionUser(by) : 'Someone');
  switch (refusal.kind) {
    case 'issue-not-flaky':
      return (
        `${who(refusal.by)} already filed ${refusal.url && refusal.number !== null ? link(refusal.url, `issue #${refusal.number}`) : 'an issue'} about this failure, ` +
        'so it is not recorded as known flaky: one failure gets one answer. If the issue is wrong, close it on GitHub.'
      );
    case 'flaky-not-issue':
      return `${who(refusal.by)} already recorded this failure as known flaky, so no issue is filed: one failure gets one answer. If it is not flaky after all, file the issue on GitHub by hand.`;
    case 'rerun-asked':
      return `${who(refusal.by)} already asked for a re-run of this failure; I'm watching it and will report the outcome in the train's thread.`;
    case 'rerun-refused':
      return `GitHub refused to re-run the failed jobs: ${escapeMrkdwn(refusal.message)}. Nothing was re-run; try from the run's page on GitHub.`;
  }
}

/** The reply to "Known flaky": recorded, then how to re-run (a button where GitHub can, the link otherwise) and that the bot watches. */
export function renderFlakyAnswer(options: { tag: string; ciUrl: string | null; rerun: RerunValue | null }): {
  text: string;
  blocks: Block[];
} {
  const recorded = renderFlakyRecorded(options.tag);
  if (options.rerun) {
    const text = `${recorded} GitHub can re-run the failed jobs; I'll watch the outcome and report it in the train's thread.`;
    return {
      text,
      blocks: [
        section(text),
        actions(`tag-rerun:${options.rerun.id}`, [
          button({ actionId: TAG_RERUN_ACTION, text: 'Re-run failed jobs', value: JSON.stringify(options.rerun), style: 'primary' }),
        ]),
      ],
    };
  }
  const where = options.ciUrl ? link(options.ciUrl, 'CI') : 'CI';
  const text = `${recorded} I cannot re-run this CI myself: re-run the failed jobs from ${where}. I'm watching ${code(options.tag)} and will report the re-run in the train's thread.`;
  return { text, blocks: [section(text)] };
}

/** The reply once GitHub accepted the re-run. */
export function renderRerunStarted(tag: string): string {
  return `:repeat: GitHub is re-running the failed jobs of ${code(tag)}. I'll report the outcome in the train's thread.`;
}
