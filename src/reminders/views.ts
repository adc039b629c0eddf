/**
 * The reminders' messages as Block Kit: the check-in, an author's DM with the
 * answer buttons, the owner's summary and the cutoff message. Everything that
 * came from GitHub or a person is escaped.
 */
import { positiveIdOf } from '../commands/parse-values';
import type { Settings } from '../config';
import type { PullRequestSummary } from '../github/client';
import type { MergedPullRequest } from '../github/types';
import type { StoredNote } from '../notes/notes-store';
import { renderNoteLines } from '../notes/notes-view';
import { actions, button, context, divider, header, section, type Block } from '../slack/blocks';
import { fitBlocks, fitMessage, githubSearchUrl, joinInline, list, moreOnGitHub, type Part } from '../slack/budget';
import { escapeMrkdwn, link, literal, mentionUser, slackDate } from '../slack/mrkdwn';
import type { TrainSchedule } from '../train/calendar';
import { formatCountdown, formatInZone, formatInZones } from '../train/time-format';
import { ANSWER_BUTTON_TEXT, ANSWER_TEXT, ANSWERS, type Answer, type StoredAnswer, type SweptPullRequest } from './answer-store';
import { BLOCKER_TEXT, type Blocker, describeBlockers, findBlockers, groupBy } from './pull-requests';

/** The answer buttons' action ids, one per answer. */
export const PR_ANSWER_ACTIONS: Record<Answer, string> = {
  land: 'pr_answer_land',
  roll: 'pr_answer_roll',
  unsure: 'pr_answer_unsure',
};

/** The block holding the answer status of PR `number` in an author's DM. */
export const answerStatusBlockId = (number: number): string => `pr-status:${number}`;

/** At most this many PRs get buttons in one DM: three blocks each, and Slack allows 50 blocks a message. */
export const MAX_PRS_WITH_BUTTONS = 14;
/** Sections of one list at most, and characters in each (Slack's limit is 3000). */
const MAX_LIST_SECTIONS = 12;
const SECTION_CHARS = 2900;

/** What a button carries: the train, the PR and the commit the author was asked about. */
export interface AnswerButtonValue {
  train: number;
  number: number;
  headSha: string;
}

export function encodeAnswerValue(value: AnswerButtonValue): string {
  return JSON.stringify({ t: value.train, n: value.number, s: value.headSha });
}

/** The button's value, or null when it is not one of ours. */
export function decodeAnswerValue(text: string | undefined): AnswerButtonValue | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { t, n, s } = parsed as Record<string, unknown>;
    const train = typeof t === 'number' ? positiveIdOf(t) : null;
    const number = typeof n === 'number' ? positiveIdOf(n) : null;
    if (train === null || number === null) return null;
    if (typeof s !== 'string' || !/^[0-9a-f]{7,64}$/.test(s)) return null;
    return { train, number, headSha: s };
  } catch {
    return null;
  }
}

function cutoffText(train: TrainSchedule, settings: Settings): string {
  return `${formatInZones(train.cutoff, settings.displayTimeZones)} (your time: ${slackDate(train.cutoff, '{date_short_pretty} at {time}', train.cutoff.toISOString())})`;
}

/** A short local time in the team's first display zone, e.g. "08:12 PST". */
export function shortTime(instant: Date, settings: Settings): string {
  return formatInZone(instant, settings.displayTimeZones[0] ?? settings.timeZone, 'time');
}

/** A time in a DM: Slack shows it in the reader's own zone (`<!date^…^{time}|…>`), the team's short time as the fallback. */
export function readerTime(instant: Date, settings: Settings): string {
  return slackDate(instant, '{time}', shortTime(instant, settings));
}

function prLink(pr: { url: string; number: number; title: string }): string {
  return link(pr.url, `#${pr.number} ${pr.title}`);
}

function authorText(pr: { authorSlackId: string | null; authorLogin: string | null }): string {
  if (pr.authorSlackId) return mentionUser(pr.authorSlackId);
  return pr.authorLogin ? `\`${escapeMrkdwn(pr.authorLogin)}\` _(author not on Slack)_` : '_unknown author (author not on Slack)_';
}

/**
 * Lines packed into as few sections as fit (Slack's limit is 3000 characters
 * a section), the first starting with `heading`; at most `maxSections`, the
 * lines that do not fit are counted in the last one (the budgeter's list).
 */
export function listSections(heading: string, lines: string[], maxSections = MAX_LIST_SECTIONS): Block[] {
  return fitBlocks([list(heading, lines, { maxBlocks: maxSections })]);
}

/** `prefix` and the items joined with commas, as many as fit in `limit` characters; the rest counted. */
export function inlineList(prefix: string, items: string[], limit = SECTION_CHARS): string {
  return joinInline(prefix, items, limit);
}

/** The owner's summary names the authors it could not DM in at most this many characters, and counts the rest. */
const UNDELIVERED_CHARS = 1500;

/** At most this many authors are named in a summary's counts; the rest are counted. */
const NAMED_AUTHORS = 8;

/**
 * What a shortened list of PRs says about all of them: how many have each
 * blocker, and who has the most (names escaped).
 */
export function countPullRequests(prs: ReadonlyArray<{ blockers: readonly string[]; author: string }>): string {
  const byBlocker = new Map<string, number>();
  const byAuthor = new Map<string, number>();
  for (const pr of prs) {
    const known = pr.blockers.filter((b): b is Blocker => b in BLOCKER_TEXT);
    if (known.length === 0) byBlocker.set('nothing in the way', (byBlocker.get('nothing in the way') ?? 0) + 1);
    for (const blocker of known) byBlocker.set(BLOCKER_TEXT[blocker], (byBlocker.get(BLOCKER_TEXT[blocker]) ?? 0) + 1);
    byAuthor.set(pr.author, (byAuthor.get(pr.author) ?? 0) + 1);
  }
  const blockers = [...byBlocker].map(([name, n]) => `${n} ${name}`).join(' · ');
  const authors = [...byAuthor].sort((a, b) => b[1] - a[1]);
  const named = authors.slice(0, NAMED_AUTHORS).map(([name, n]) => `${escapeMrkdwn(name)} ${n}`);
  const others = authors.length - named.length;
  return `_By blocker:_ ${blockers}. _By author:_ ${named.join(', ')}${others > 0 ? `, and ${others} more author${others === 1 ? '' : 's'}` : ''}.`;
}

/** The GitHub search of open PRs into `base`: `is:pr is:open base:main`, with `extra` qualifiers. */
function openSearchUrl(settings: Settings, extra = ''): string {
  return githubSearchUrl(settings.repository, `is:pr is:open base:${settings.mainBranch}${extra}`);
}

function openSearch(settings: Settings, extra = ''): (left: number) => string {
  return moreOnGitHub(settings.repository, `is:pr is:open base:${settings.mainBranch}${extra}`);
}

/** One author's PRs in the check-in: at most this many characters, the rest counted. */
const AUTHOR_LINE_CHARS = 600;

/** How deploy notes are added, as Slack shows it (a placeholder is not a link). */
const ADD_NOTE = literal('/release notes add <text>');
const ADD_SRE_NOTE = literal('/release notes sre <text>');

// --- check-in ---------------------------------------------------------------

export interface CheckInMessage {
  train: TrainSchedule;
  owner: { slackUserId: string; emoji: string | null } | null;
  /** Open PRs into main (ignored labels left out); null when GitHub could not tell. */
  pullRequests: PullRequestSummary[] | null;
  /** Why the PRs are missing. */
  githubProblem: string | null;
  noteCount: number;
}

export function renderCheckIn(message: CheckInMessage, settings: Settings, now: Date): { text: string; blocks: Block[] } {
  const { train, owner } = message;
  const ownerText = owner
    ? `${mentionUser(owner.slackUserId)}${owner.emoji ? ` ${owner.emoji}` : ''}`
    : '_no owner assigned_ (an admin can set it with `/release rotation`)';
  const blocks: Part[] = [
    section(`:alarm_clock: *Train ${train.train} is cut in ${formatCountdown(now, train.cutoff)}.* Release owner: ${ownerText}`),
    section(
      `*Cutoff:* ${cutoffText(train, settings)}. PRs merged into \`${escapeMrkdwn(settings.mainBranch)}\` by then ride train ${train.train}; later ones roll to train ${train.train + 1}.`,
    ),
  ];
  const main = escapeMrkdwn(settings.mainBranch);
  if (message.pullRequests === null) {
    blocks.push(context(`:warning: ${escapeMrkdwn(message.githubProblem ?? 'GitHub did not answer.')} The open PRs are not listed.`));
  } else {
    const ready = message.pullRequests.filter((pr) => !pr.isDraft);
    const drafts = message.pullRequests.filter((pr) => pr.isDraft);
    if (ready.length === 0) blocks.push(section(`*Open PRs into \`${main}\`:* none`));
    else {
      const byAuthor = groupBy(ready, (pr) => pr.authorLogin ?? '');
      const lines = [...byAuthor].map(([login, prs]) =>
        inlineList(
          `*${login ? escapeMrkdwn(login) : 'unknown author'}*: `,
          prs.map((pr) => `${prLink(pr)}${findBlockers(pr).length > 0 ? ` _(${describeBlockers(findBlockers(pr))})_` : ''}`),
          AUTHOR_LINE_CHARS,
        ),
      );
      blocks.push(
        list(`*Open PRs into \`${main}\`* (${ready.length} by ${byAuthor.size} author${byAuthor.size === 1 ? '' : 's'}):`, lines, {
          maxBlocks: 8,
          more: (left) =>
            `…and ${left} more author${left === 1 ? '' : 's'} (${link(openSearchUrl(settings, ' draft:false'), 'all open PRs on GitHub')})`,
          summary: countPullRequests(ready.map((pr) => ({ blockers: findBlockers(pr), author: pr.authorLogin ?? 'unknown author' }))),
        }),
      );
    }
    if (drafts.length > 0) {
      blocks.push(
        list('Drafts (they roll unless marked ready and merged in time): ', drafts.map(prLink), {
          layout: 'inline',
          as: 'context',
          more: openSearch(settings, ' draft:true'),
        }),
      );
    }
  }
  blocks.push(
    section(
      `Is something in progress that must ride this train, or in danger of holding it up? Tell the release owner${owner ? ' (above)' : ''}. ` +
        `Before the cutoff, authors get a DM asking whether their PRs will land.`,
    ),
    context(
      `*Deploy notes* for train ${train.train}: ${message.noteCount === 0 ? 'none yet' : `${message.noteCount} so far`}. ` +
        `Add yours with ${ADD_NOTE}; special steps for SRE with ${ADD_SRE_NOTE}.`,
    ),
  );
  return fitMessage({
    text: `Train ${train.train} is cut ${formatInZones(train.cutoff, settings.displayTimeZones)}. Open PRs and deploy notes inside.`,
    parts: blocks,
  });
}

// --- an author's DM -------------------------------------------------------------

export interface AuthorDm {
  train: TrainSchedule;
  /** The author's open, non-draft PRs, with their answers so far. */
  pullRequests: Array<SweptPullRequest & { answer: StoredAnswer | null }>;
  drafts: SweptPullRequest[];
  ownerSlackId: string | null;
}

/** The status line under a PR in the DM: what was answered, or the question. */
export function answerStatusText(
  answer: Pick<StoredAnswer, 'answer' | 'answeredAt'> | null,
  settings: Settings,
  headShaChanged = false,
): string {
  if (!answer) return '_Will it land before the cutoff?_';
  const note = headShaChanged ? ' New commits since then: is that still right?' : '';
  return `You answered ${ANSWER_TEXT[answer.answer]} at ${readerTime(answer.answeredAt, settings)}.${note}`;
}

export function renderAuthorDm(dm: AuthorDm, settings: Settings, now: Date): { text: string; blocks: Block[] } {
  const { train } = dm;
  const count = dm.pullRequests.length;
  const login = dm.pullRequests[0]?.authorLogin ?? dm.drafts[0]?.authorLogin ?? null;
  const mine = login ? ` author:${login}` : '';
  const blocks: Part[] = [
    section(
      `:steam_locomotive: Train ${train.train} is cut in *${formatCountdown(now, train.cutoff)}*: ${cutoffText(train, settings)}.\n` +
        `Will ${count === 1 ? 'your PR' : `your ${count} PRs`} land by then? Anything not merged into \`${escapeMrkdwn(settings.mainBranch)}\` at the cutoff rolls to train ${train.train + 1}.`,
    ),
  ];
  const withButtons = dm.pullRequests.slice(0, MAX_PRS_WITH_BUTTONS);
  for (const pr of withButtons) {
    const value = encodeAnswerValue({ train: train.train, number: pr.number, headSha: pr.headSha });
    blocks.push(
      section(`${prLink(pr)}\n${describeBlockers(pr.blockers)}`),
      {
        ...context(answerStatusText(pr.answer, settings, pr.answer !== null && pr.answer.headSha !== pr.headSha)),
        block_id: answerStatusBlockId(pr.number),
      },
      actions(
        `pr-answer:${pr.number}`,
        ANSWERS.map((answer) =>
          button({
            actionId: PR_ANSWER_ACTIONS[answer],
            text: ANSWER_BUTTON_TEXT[answer],
            value,
            ...(answer === 'land' ? { style: 'primary' as const } : {}),
          }),
        ),
      ),
    );
  }
  const rest = dm.pullRequests.slice(MAX_PRS_WITH_BUTTONS);
  if (rest.length > 0) {
    const owner = dm.ownerSlackId ? mentionUser(dm.ownerSlackId) : 'the release owner';
    blocks.push(
      list(`*${rest.length} more of yours* (too many for buttons here: tell ${owner} which will land): `, rest.map(prLink), {
        layout: 'inline',
        more: openSearch(settings, ` draft:false${mine}`),
      }),
    );
  }
  if (dm.drafts.length > 0) {
    blocks.push(
      divider(),
      list('*Drafts* (listed apart: they roll unless marked ready and merged in time): ', dm.drafts.map(prLink), {
        layout: 'inline',
        more: openSearch(settings, ` draft:true${mine}`),
      }),
    );
  }
  blocks.push(
    context(
      `${dm.ownerSlackId ? `${mentionUser(dm.ownerSlackId)} owns train ${train.train} and sees your answers.` : 'Your answers are shown in `/release status`.'} Deploy notes: ${ADD_NOTE}.`,
    ),
  );
  return fitMessage({
    text: `Train ${train.train} is cut in ${formatCountdown(now, train.cutoff)}: will your PRs land in time?`,
    parts: blocks,
  });
}

/** The DM after an answer: the PR's status line says what was answered; the buttons stay, to change one's mind. */
export function markAnswered(blocks: Block[], number: number, statusText: string): Block[] {
  const id = answerStatusBlockId(number);
  return blocks.map((block) => (block.type === 'context' && block.block_id === id ? { ...context(statusText), block_id: id } : block));
}

// --- the owner's summary -------------------------------------------------------

export interface OwnerSummary {
  train: TrainSchedule;
  /** Every PR the sweeps saw, with the latest sweep's instant. */
  swept: SweptPullRequest[];
  answers: Map<number, StoredAnswer>;
  latestSweepAt: Date | null;
  /** DMs that did not go out: author and why. */
  undelivered: Array<{ slackUserId: string; error: string }>;
  cut: boolean;
}

function answerCell(answer: StoredAnswer | undefined, pr: SweptPullRequest, settings: Settings): string {
  if (!answer) return pr.authorSlackId ? '_no answer yet_' : '_not asked_';
  const stale = answer.headSha !== pr.headSha ? ' _(new commits since)_' : '';
  return `*${ANSWER_TEXT[answer.answer]}* (${readerTime(answer.answeredAt, settings)})${stale}`;
}

export function renderOwnerSummary(summary: OwnerSummary, settings: Settings, now: Date): { text: string; blocks: Block[] } {
  const { train, swept, answers, latestSweepAt } = summary;
  const open = swept.filter((pr) => latestSweepAt !== null && pr.lastSweepAt.getTime() === latestSweepAt.getTime());
  const gone = swept.filter((pr) => !pr.isDraft && latestSweepAt !== null && pr.lastSweepAt.getTime() < latestSweepAt.getTime());
  const ready = open.filter((pr) => !pr.isDraft);
  const drafts = open.filter((pr) => pr.isDraft);
  const counts = new Map<string, number>();
  for (const pr of ready) {
    const key = answers.get(pr.number)?.answer ?? 'none';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const authors = new Set(ready.map((pr) => pr.authorSlackId ?? pr.authorLogin ?? '?')).size;
  const tally = [
    `${counts.get('land') ?? 0} will land`,
    `${counts.get('roll') ?? 0} roll`,
    `${counts.get('unsure') ?? 0} not sure`,
    `${counts.get('none') ?? 0} without an answer`,
  ].join(', ');
  const blocks: Part[] = [
    header(`Train ${train.train}: will the PRs make the cutoff?`),
    context(
      `${summary.cut ? '*Cut* at' : 'Cutoff'} ${cutoffText(train, settings)}` +
        (latestSweepAt ? ` · last sweep ${shortTime(latestSweepAt, settings)}` : '') +
        ' · this message updates as answers come in',
    ),
    section(`*${ready.length} open PR${ready.length === 1 ? '' : 's'}* by ${authors} author${authors === 1 ? '' : 's'}: ${tally}.`),
  ];
  if (ready.length > 0) {
    const lines = ready.map(
      (pr) =>
        `• ${prLink(pr)} by ${authorText(pr)}: ${describeBlockers(pr.blockers)} → ${answerCell(answers.get(pr.number), pr, settings)}`,
    );
    blocks.push(
      list('', lines, {
        maxBlocks: 10,
        more: openSearch(settings, ' draft:false'),
        summary: countPullRequests(ready.map((pr) => ({ blockers: pr.blockers, author: pr.authorLogin ?? 'unknown author' }))),
      }),
    );
  }
  if (gone.length > 0) {
    blocks.push(
      list(
        '*No longer open* (merged or closed since a sweep saw them):',
        gone.map((pr) => `• ${prLink(pr)} by ${authorText(pr)}`),
        { maxBlocks: 2 },
      ),
    );
  }
  if (drafts.length > 0)
    blocks.push(
      list(
        'Drafts (roll unless marked ready): ',
        drafts.map((pr) => `${prLink(pr)} by ${authorText(pr)}`),
        { layout: 'inline', as: 'context', more: openSearch(settings, ' draft:true') },
      ),
    );
  if (summary.undelivered.length > 0) {
    blocks.push(
      context(
        `${inlineList(
          ':warning: Could not DM: ',
          summary.undelivered.map((u) => `${mentionUser(u.slackUserId)} (${escapeMrkdwn(u.error)})`),
          UNDELIVERED_CHARS,
        )}. Ask them yourself.`,
      ),
    );
  }
  blocks.push(context(`Updated ${slackDate(now, '{date_short_pretty} at {time}', now.toISOString())}`));
  return fitMessage({ text: `Train ${train.train}: ${ready.length} open PRs before the cutoff (${tally}).`, parts: blocks });
}

// --- the cutoff message --------------------------------------------------------

export interface CutoffMessage {
  train: TrainSchedule;
  ownerSlackId: string | null;
  /** Merged since the previous cut; null when GitHub could not tell. */
  merged: MergedPullRequest[] | null;
  /** Still open (ignored labels left out); null when GitHub could not tell. */
  open: PullRequestSummary[] | null;
  answers: Map<number, StoredAnswer>;
  notes: StoredNote[];
  /** Problems worth saying (GitHub down, sweeps that did not run). */
  warnings: string[];
  /** Link to the train's thread (tagging, CI and stage news); null: this message starts it. */
  threadUrl?: string | null;
  /** Display names of the notes' authors (named, not pinged, in the channel). */
  noteAuthors?: ReadonlyMap<string, string>;
}

/** An author named in a channel message, not pinged: the GitHub login. */
function authorName(login: string | null): string {
  return login ? escapeMrkdwn(login) : '_unknown author_';
}

/**
 * The cutoff message in the team channel. Only the owner, who must tag, is
 * mentioned; authors and note writers are named (nobody else is asked to act).
 */
export function renderCutoffMessage(message: CutoffMessage, settings: Settings): { text: string; blocks: Block[] } {
  const { train, answers } = message;
  const blocks: Part[] = [
    section(
      `:steam_locomotive: *Tagging train ${train.train} now.* The cutoff was ${formatInZones(train.cutoff, settings.displayTimeZones)}; ` +
        `what is merged into \`${escapeMrkdwn(settings.mainBranch)}\` from now on rides train ${train.train + 1}.`,
    ),
  ];
  blocks.push(
    context(
      message.threadUrl
        ? `Tagging, CI and stage news: ${link(message.threadUrl, `train ${train.train}'s thread`)}.`
        : `Tagging, CI and stage news follow in this message's thread.`,
    ),
  );
  const surprises: string[] = [];
  if (message.merged !== null) {
    const lines = message.merged.map((pr) => {
      const answer = answers.get(pr.number);
      if (answer?.answer === 'roll' && answer.answeredAt.getTime() < Date.parse(pr.mergedAt)) {
        surprises.push(
          `• ${prLink(pr)} by ${authorName(pr.authorLogin)} was merged at ${shortTime(new Date(pr.mergedAt), settings)}, ` +
            `after the answer _roll to the next train_ (${shortTime(answer.answeredAt, settings)}).`,
        );
      }
      return `• ${prLink(pr)} by ${authorName(pr.authorLogin)}`;
    });
    blocks.push(
      list(`*Made it* (${lines.length} merged since train ${train.train - 1} was cut):`, lines.length > 0 ? lines : ['_none_'], {
        maxBlocks: 6,
        more: moreOnGitHub(settings.repository, `is:pr is:merged base:${settings.mainBranch}`, 'merged PRs on GitHub'),
      }),
    );
  }
  if (message.open !== null) {
    const ready = message.open.filter((pr) => !pr.isDraft);
    const drafts = message.open.filter((pr) => pr.isDraft);
    const lines = ready.map((pr) => {
      const answer = answers.get(pr.number);
      if (answer?.answer === 'land') {
        surprises.push(
          `• ${prLink(pr)} by ${authorName(pr.authorLogin)} is still open, after the answer _will land in time_ (${shortTime(answer.answeredAt, settings)}).`,
        );
      }
      return `• ${prLink(pr)} by ${authorName(pr.authorLogin)}: ${answer ? ANSWER_TEXT[answer.answer] : '_no answer_'}`;
    });
    blocks.push(
      list(`*Rolls to train ${train.train + 1}* (${lines.length} still open):`, lines.length > 0 ? lines : ['_none_'], {
        maxBlocks: 6,
        more: openSearch(settings, ' draft:false'),
        summary: countPullRequests(ready.map((pr) => ({ blockers: findBlockers(pr), author: pr.authorLogin ?? 'unknown author' }))),
      }),
    );
    if (drafts.length > 0) blocks.push(context(`${drafts.length} ${drafts.length === 1 ? 'draft rolls' : 'drafts roll'} too.`));
  }
  if (surprises.length > 0) blocks.push(list(':eyes: *Surprises*', surprises, { maxBlocks: 2 }));
  blocks.push(
    divider(),
    list(
      `*Deploy notes* for train ${train.train}:`,
      message.notes.length > 0 ? renderNoteLines(message.notes, { authorNames: message.noteAuthors }) : ['_none_'],
      {
        maxBlocks: 6,
        more: (left) => `…and ${left} more (${literal(`/release notes list ${train.train}`)})`,
      },
    ),
  );
  for (const warning of message.warnings) blocks.push(context(`:warning: ${escapeMrkdwn(warning)}`));
  blocks.push(
    section(
      message.ownerSlackId
        ? `${mentionUser(message.ownerSlackId)}: tag it with \`/release tag\`.`
        : 'No release owner is assigned: an admin can tag it with `/release tag`.',
    ),
  );
  const counts = [
    message.merged !== null ? `${message.merged.length} made it` : null,
    message.open !== null ? `${message.open.filter((pr) => !pr.isDraft).length} roll to train ${train.train + 1}` : null,
  ].filter(Boolean);
  return fitMessage({ text: `Tagging train ${train.train} now${counts.length > 0 ? `: ${counts.join(', ')}` : ''}.`, parts: blocks });
}
