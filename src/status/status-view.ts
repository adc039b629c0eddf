/**
 * The dashboard, as Block Kit: the same blocks answer `/release status` and
 * fill the App Home tab.
 */
import type { Settings } from '../config';
import type { PullRequestSummary } from '../github/client';
import { actions, button, context, divider, fields, header, section, type Block } from '../slack/blocks';
import { fitMessage, list, moreOnGitHub, type Part } from '../slack/budget';
import { escapeMrkdwn, link, literal, mentionUser, slackDate } from '../slack/mrkdwn';
import { renderNoteLines } from '../notes/notes-view';
import { ANSWER_TEXT, type StoredAnswer } from '../reminders/answer-store';
import { formatCountdown, formatInZones } from '../train/time-format';
import type { StatusReport, TagStatus } from './gather-status';
import { PATCH_REQUEST_OPEN_ACTION } from '../patches/patch-messages';
import { renderPatchOverview } from '../patches/patch-overview';
import { forwardPortsSection } from '../dot-release/forward-ports';
import { renderTaggingSection } from './tagging-section';
import { renderStageDeploysSection } from '../stage-deploy/stage-deploy-section';

/** The dashboard's Refresh button. */
export const STATUS_REFRESH_ACTION = 'status_refresh';

/** How many open PRs are listed by name; the rest are counted. */
const LISTED_PULL_REQUESTS = 15;

function describeCheck(tag: TagStatus, checkName: string): string {
  const name = `\`${escapeMrkdwn(checkName)}\``;
  if (!tag.check) return `${name}: not reported yet`;
  const status = tag.check.status.toLowerCase();
  const conclusion = tag.check.conclusion?.toLowerCase() ?? null;
  const url = tag.check.url;
  let emoji: string;
  let word: string;
  if (status !== 'completed') [emoji, word] = [':hourglass_flowing_sand:', status.replace(/_/g, ' ')];
  else if (conclusion === 'success') [emoji, word] = [':white_check_mark:', 'passed'];
  else if (conclusion === 'failure' || conclusion === 'timed_out') [emoji, word] = [':x:', conclusion.replace(/_/g, ' ')];
  else [emoji, word] = [':grey_question:', conclusion ?? 'no conclusion'];
  return `${name}: ${emoji} ${url ? link(url, word) : escapeMrkdwn(word)}`;
}

/** Deploy notes listed by text; the rest are counted. */
const LISTED_NOTES = 5;

function describePullRequest(pr: PullRequestSummary, answer?: StoredAnswer): string {
  const author = pr.authorLogin ? escapeMrkdwn(pr.authorLogin) : 'unknown author';
  const notes: string[] = [];
  if (pr.isDraft) notes.push('draft');
  if (pr.mergeable === 'CONFLICTING') notes.push('merge conflict');
  if (pr.reviewDecision === 'CHANGES_REQUESTED') notes.push('changes requested');
  else if (pr.reviewDecision === 'REVIEW_REQUIRED') notes.push('needs review');
  if (pr.checksState === 'FAILURE' || pr.checksState === 'ERROR') notes.push('CI failing');
  const suffix = notes.length > 0 ? ` _(${notes.join(', ')})_` : '';
  const answered = answer ? `: ${ANSWER_TEXT[answer.answer]}` : '';
  return `• ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${author}${suffix}${answered}`;
}

function notesBlock(report: StatusReport): Part {
  const { notes } = report;
  const train = (report.inCut?.train ?? report.calendarTrain).train;
  if (notes.length === 0) return context(`*Deploy notes* for train ${train}: none yet (${literal('/release notes add <text>')})`);
  const sre = notes.filter((n) => n.forSre).length;
  return list(`*Deploy notes* for train ${train} (${notes.length}${sre > 0 ? `, ${sre} for SRE` : ''}):`, renderNoteLines(notes), {
    maxBlocks: 1,
    maxItems: LISTED_NOTES,
    more: (left) => `…and ${left} more (\`/release notes list\`)`,
  });
}

function pullRequestBlock(pullRequests: PullRequestSummary[], settings: Settings, answers: Map<number, StoredAnswer>): Part {
  const { mainBranch } = settings;
  if (pullRequests.length === 0) return section(`*Open PRs into \`${escapeMrkdwn(mainBranch)}\`:* none`);
  const authors = new Set(pullRequests.map((pr) => pr.authorLogin ?? '?')).size;
  return list(
    `*Open PRs into \`${escapeMrkdwn(mainBranch)}\`:* ${pullRequests.length} by ${authors} author${authors === 1 ? '' : 's'}, oldest first`,
    pullRequests.map((pr) => describePullRequest(pr, answers.get(pr.number))),
    {
      maxBlocks: 3,
      maxItems: LISTED_PULL_REQUESTS,
      more: moreOnGitHub(settings.repository, `is:pr is:open base:${mainBranch} sort:created-asc`),
    },
  );
}

/** The dashboard's blocks and its plain-text fallback. */
export function renderStatus(report: StatusReport, settings: Settings): { text: string; blocks: Block[] } {
  const { calendarTrain, github, now } = report;
  const inCut = report.inCut ?? null;
  const building = inCut ? calendarTrain.train : github?.latestTrain != null ? github.latestTrain + 1 : calendarTrain.train;
  const focus = inCut ? inCut.train : calendarTrain;
  const blocks: Part[] = [
    header(inCut ? `Train ${inCut.train.train}: being cut (main is building ${building})` : `Train ${building}: main is building it`),
  ];

  const owner = report.ownerUserId
    ? mentionUser(report.ownerUserId)
    : '_no owner assigned_ (an admin can set the rotation with `/release rotation`)';
  const cutoff = focus.cutoff;
  const when = `${formatInZones(cutoff, settings.displayTimeZones)}\nYour time: ${slackDate(cutoff, '{date_short_pretty} at {time}', cutoff.toISOString())}`;
  blocks.push(
    fields([
      `*Release owner*\n${owner}`,
      inCut ? `*Cutoff* (${formatCountdown(now, cutoff)}; not tagged yet)\n${when}` : `*Cutoff* (${formatCountdown(now, cutoff)})\n${when}`,
    ]),
  );
  if (inCut) {
    const next = inCut.nextOwnerUserId ? mentionUser(inCut.nextOwnerUserId) : '_no owner assigned_';
    blocks.push(
      context(
        `Next: train ${calendarTrain.train} (owner ${next}), cutoff ${formatInZones(calendarTrain.cutoff, settings.displayTimeZones)} ` +
          `(${formatCountdown(now, calendarTrain.cutoff)}). Deploy notes go to train ${inCut.train.train} until it is tagged.`,
      ),
    );
  } else if (github && github.latestTrain !== null && github.latestTrain + 1 !== calendarTrain.train) {
    blocks.push(
      context(
        `:warning: The calendar expects train ${calendarTrain.train} to be in progress, but the latest tag says ` +
          `${github.latestTrain + 1}. The train calendar may be off: ask whoever runs release-conductor to check \`anchor\` in its settings file.`,
      ),
    );
  }

  if (github) {
    const tag = github.latestTag;
    blocks.push(
      section(tag ? `*Latest tag:* \`${escapeMrkdwn(tag.name)}\`\n${describeCheck(tag, settings.ciCheckName)}` : '*Latest tag:* none yet'),
    );
    blocks.push(divider(), pullRequestBlock(github.pullRequests, settings, report.answers));
  }
  if (report.tagging) blocks.push(...renderTaggingSection(report.tagging));
  if (report.patches) blocks.push(...renderPatchOverview(report.patches, now));
  blocks.push(...forwardPortsSection(report.patches));
  blocks.push(...renderStageDeploysSection(report.stageDeploys ?? []));
  blocks.push(notesBlock(report));
  for (const missing of report.missing) blocks.push(context(`:warning: ${escapeMrkdwn(missing)}`));
  blocks.push(
    actions('status', [
      button({ actionId: STATUS_REFRESH_ACTION, text: 'Refresh' }),
      button({ actionId: PATCH_REQUEST_OPEN_ACTION, text: 'Request a patch' }),
    ]),
    context(`Updated ${slackDate(now, '{date_short_pretty} at {time}', now.toISOString())}`),
  );

  const text =
    (inCut
      ? `Train ${inCut.train.train}: being cut (cutoff was ${formatInZones(cutoff, settings.displayTimeZones)})`
      : `Train ${building}: cutoff ${formatInZones(cutoff, settings.displayTimeZones)}`) +
    (github ? `, ${github.pullRequests.length} open PRs` : '') +
    (report.missing.length > 0 ? ` (${report.missing.map(escapeMrkdwn).join(' ')})` : '');
  return fitMessage({ text, parts: blocks });
}
