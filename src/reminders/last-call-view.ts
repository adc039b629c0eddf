/**
 * The last call, as Block Kit: a same-day message in the team channel before
 * the cutoff. It names the owner and the cutoff, lists what is still open
 * (mentioning only the authors asked to act: those who said their PR will land,
 * are not sure, or did not answer), asks for missing deploy notes, and shows
 * the pre-cut checks. GitHub's text is escaped.
 */
import type { Settings } from '../config';
import type { PullRequestSummary } from '../github/client';
import { context, section } from '../slack/blocks';
import { fitMessage, list, type Part } from '../slack/budget';
import { escapeMrkdwn, link, literal, mentionUser } from '../slack/mrkdwn';
import type { TrainSchedule } from '../train/calendar';
import { formatCountdown, formatInZones } from '../train/time-format';
import { ANSWER_TEXT, type StoredAnswer } from './answer-store';
import { renderPrecutLines, type PrecutChecks } from './precut-checks';

export interface LastCall {
  train: TrainSchedule;
  now: Date;
  /** The owner's name (not a mention: they are not asked to act here); null when no owner is assigned. */
  ownerName: string | null;
  /** Open pull requests that are not drafts, with their answers and authors' Slack ids; null when GitHub did not list them. */
  open: Array<{ pr: PullRequestSummary; answer: StoredAnswer | null; authorSlackId: string | null }> | null;
  drafts: number;
  notes: { total: number; forSre: number };
  checks: PrecutChecks;
  /** Slack id of each open PR's author, by PR number (to mention the authors of release blockers). */
  authors: Map<number, string | null>;
  warnings: string[];
}

/** An open PR's line: its author mentioned unless they said it rolls (then they have nothing left to do). */
function openLine(item: NonNullable<LastCall['open']>[number]): string {
  const { pr, answer, authorSlackId } = item;
  const asked = answer?.answer !== 'roll';
  const author = asked && authorSlackId ? mentionUser(authorSlackId) : escapeMrkdwn(pr.authorLogin ?? 'unknown');
  const said = answer ? ANSWER_TEXT[answer.answer] : '_no answer yet: merge it or say it rolls_';
  return `• ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${author}: ${said}`;
}

export function renderLastCall(call: LastCall, settings: Settings): { text: string; blocks: ReturnType<typeof fitMessage>['blocks'] } {
  const { train, now } = call;
  const n = train.train;
  const when = formatInZones(train.cutoff, settings.displayTimeZones);
  const main = `\`${escapeMrkdwn(settings.mainBranch)}\``;
  const blocks: Part[] = [
    section(
      `:mega: *Last call for train ${n}.* ${call.ownerName ? escapeMrkdwn(call.ownerName) : 'The release owner'} tags it at ${when} ` +
        `(in ${formatCountdown(now, train.cutoff)}). Merge into ${main} what must ride it before then; later merges roll to train ${n + 1}.`,
    ),
  ];
  if (call.open !== null) {
    blocks.push(
      list(`*Still open* (${call.open.length}):`, call.open.length > 0 ? call.open.map(openLine) : ['_nothing_'], { maxBlocks: 4 }),
    );
    if (call.drafts > 0)
      blocks.push(context(`${call.drafts} ${call.drafts === 1 ? 'draft rolls' : 'drafts roll'} unless marked ready and merged.`));
  }
  const add = `${literal('/release notes add <text>')} (a special step for SRE: ${literal('/release notes sre <text>')})`;
  blocks.push(
    section(
      call.notes.total === 0
        ? `*Deploy notes:* none yet for train ${n}. Does your change need a step at deploy time? Add it now with ${add}.`
        : `*Deploy notes:* ${call.notes.total} for train ${n}${call.notes.forSre > 0 ? ` (${call.notes.forSre} for SRE)` : ''}. Missing one? ${add}.`,
    ),
    list('*Before the cut:*', renderPrecutLines(call.checks, settings, { authorOf: (pr) => call.authors.get(pr.number) ?? null }), {
      maxBlocks: 2,
    }),
  );
  for (const warning of call.warnings) blocks.push(context(`:warning: ${escapeMrkdwn(warning)}`));
  return fitMessage({ text: `Last call for train ${n}: tagging at ${when}.`, parts: blocks });
}
