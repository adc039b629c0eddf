/**
 * A cutoff day for the reminder tests: train 302 is cut on Wednesday
 * 4 November 2026 at 10:00 PT (18:00 UTC). The check-in is on Tuesday at
 * 10:00 PT, the sweeps at 07:00 and 09:00 PT.
 *
 * The people: Alice owns train 302 (roster, GitHub alice-gh), Bob is on the
 * roster (bob-gh), Carol is not on the roster but her GitHub profile's e-mail
 * is her Slack e-mail, Dave (dave-gh) is not on Slack at all, Erin (roster)
 * has only a draft. A renovate PR carries an ignored label.
 */
import { importRoster } from '../../src/rotation/roster-store';
import type { FakeSlackMessage } from '../fakes/slack-server';
import type { Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CAROL, CHANNEL, TEAM_SETTINGS } from '../support/team';

export { ADMIN, ALICE, BOB, CAROL, CHANNEL } from '../support/team';
export const ERIN = 'U0ERIN001';
export const MALLORY = 'U0MALLORY';

export const settings = {
  ...TEAM_SETTINGS,
  ignoredPullRequestLabels: ['dependencies'],
};

const MINUTE = 60_000;
export const CUTOFF = new Date('2026-11-04T18:00:00Z');
export const CHECK_IN = new Date('2026-11-03T18:00:00Z');
export const SWEEP_1 = new Date('2026-11-04T15:00:00Z');
export const SWEEP_2 = new Date('2026-11-04T17:00:00Z');
export const START = '2026-11-03T17:00:00Z';
/** One minute after an instant: when the scheduler's tick finds it due. */
export const after = (instant: Date, minutes = 1): Date => new Date(instant.getTime() + minutes * MINUTE);

/** PR numbers of the day. */
export const PR = { passkeys: 1, emails: 2, limits: 3, refactor: 4, docs: 5, draft: 6, renovate: 7, earlier: 8 } as const;

/** Slack users, the roster (Alice owns 302) and the repository with its PRs. */
export async function arrangeCutoffDay(h: Harness): Promise<void> {
  for (const [id, name, email] of [
    [ADMIN, 'admin', 'admin@example.com'],
    [ALICE, 'alice', 'alice@example.com'],
    [BOB, 'bob', 'bob@example.com'],
    [CAROL, 'carol', 'carol@example.com'],
    [ERIN, 'erin', 'erin@example.com'],
    [MALLORY, 'mallory', 'mallory@example.com'],
  ] as const) {
    h.slack.addUser({ id, name, email });
  }
  await importRoster({
    prisma: h.bot.database.prisma,
    actor: ADMIN,
    now: h.clock.now(),
    startTrain: 302,
    members: [
      { slackUserId: ALICE, displayName: 'alice', githubLogin: 'alice-gh', timeZone: null },
      { slackUserId: BOB, displayName: 'bob', githubLogin: 'bob-gh', timeZone: null },
      { slackUserId: ERIN, displayName: 'erin', githubLogin: 'erin-gh', timeZone: null },
    ],
  });
  arrangeRepository(h);
}

export function arrangeRepository(h: Harness): void {
  const { github } = h;
  if (github.branches.has('main')) return; // a second replica shares the fake
  const base = github.addCommit({ message: 'train 301', date: '2026-10-21T17:00:00Z' });
  github.setBranch('main', base);
  github.addTag('v1.301.0', base, { annotated: true });
  github.addUser('Carol-GH', { email: 'carol@example.com' });
  github.addUser('dave-gh', { email: 'dave@elsewhere.example' });
  github.addPullRequest({
    number: PR.passkeys,
    title: 'Add passkeys',
    authorLogin: 'Alice-GH',
    reviewDecision: 'APPROVED',
    checksState: 'SUCCESS',
    createdAt: '2026-10-25T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.emails,
    title: 'Fix <!channel> & <@U999> in emails',
    authorLogin: 'bob-gh',
    mergeable: 'CONFLICTING',
    checksState: 'FAILURE',
    reviewDecision: 'APPROVED',
    createdAt: '2026-10-26T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.limits,
    title: 'Rate limits',
    authorLogin: 'Carol-GH',
    reviewDecision: 'REVIEW_REQUIRED',
    createdAt: '2026-10-27T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.refactor,
    title: 'Refactor the mailer',
    authorLogin: 'bob-gh',
    reviewDecision: 'CHANGES_REQUESTED',
    createdAt: '2026-10-28T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.docs,
    title: 'Docs',
    authorLogin: 'dave-gh',
    reviewDecision: 'APPROVED',
    createdAt: '2026-10-29T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.draft,
    title: 'WIP: settings',
    authorLogin: 'erin-gh',
    isDraft: true,
    createdAt: '2026-10-30T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.renovate,
    title: 'Update dependency x',
    authorLogin: 'renovate-bot',
    labels: ['Dependencies'],
    createdAt: '2026-10-31T10:00:00Z',
  });
  github.addPullRequest({
    number: PR.earlier,
    title: 'Merged last week',
    authorLogin: 'erin-gh',
    state: 'MERGED',
    createdAt: '2026-10-22T10:00:00Z',
    mergedAt: '2026-10-28T12:00:00Z',
  });
}

/** Moves the clock and runs what is due. */
export async function tickAt(harnesses: Harness[], at: Date): Promise<void> {
  for (const h of harnesses) h.clock.set(at);
  await Promise.all(harnesses.map((h) => h.bot.app.scheduler.tick(at)));
}

/** Top-level messages in the team channel. */
export const channelMessages = (h: Harness): FakeSlackMessage[] => h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts);

/** The bot's DMs with a person, oldest first. */
export const dmsWith = (h: Harness, userId: string): FakeSlackMessage[] => h.slack.messagesIn(h.slack.dmChannelFor(userId));

/** The blocks of a message as one string, to search. */
export const blocksText = (message: FakeSlackMessage | undefined): string => JSON.stringify(message?.blocks ?? []);

/** The value of the answer button for PR `number` in a DM. */
export function buttonValue(message: FakeSlackMessage, number: number, actionId = 'pr_answer_land'): string {
  for (const block of (message.blocks ?? []) as Array<{
    type: string;
    block_id?: string;
    elements?: Array<{ action_id?: string; value?: string }>;
  }>) {
    if (block.type !== 'actions' || block.block_id !== `pr-answer:${number}`) continue;
    const value = block.elements?.find((e) => e.action_id === actionId)?.value;
    if (value) return value;
  }
  throw new Error(`no ${actionId} button for #${number} in the message`);
}

export type AnswerAction = 'pr_answer_land' | 'pr_answer_roll' | 'pr_answer_unsure';

/** Presses an answer button on `dm` as `userId`; returns the bot's reply through the response_url. */
export async function press(
  h: Harness,
  options: { userId: string; dm: FakeSlackMessage; number: number; actionId: AnswerAction },
): Promise<Record<string, unknown>> {
  const before = h.slack.responses.length;
  const response = await h.sender.sendBlockActions(
    h.sender.blockActionsPayload({
      userId: options.userId,
      actionId: options.actionId,
      value: buttonValue(options.dm, options.number, options.actionId),
      blockId: `pr-answer:${options.number}`,
      channelId: options.dm.channel,
      messageTs: options.dm.ts,
      message: { ...options.dm },
    }),
  );
  if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
  await h.slack.waitForResponses(before + 1, 8000);
  return h.slack.responses[before]?.body ?? {};
}

/** Runs `/release <text>` as `userId`; returns the text of the (ephemeral) reply. */
export async function command(h: Harness, userId: string, text: string): Promise<string> {
  const before = h.slack.responses.length;
  const response = await h.sender.sendSlashCommand({ text, userId });
  if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
  await h.slack.waitForResponses(before + 1, 8000);
  const body = h.slack.responses[before]?.body ?? {};
  return `${String(body.text ?? '')}${body.blocks ? JSON.stringify(body.blocks) : ''}`;
}
