/** The reminders' messages stay within Slack's limits however many PRs there are. Pure. */
import { settingsSchema } from '../../src/config';
import type { PullRequestSummary } from '../../src/github/client';
import type { SweptPullRequest } from '../../src/reminders/answer-store';
import {
  decodeAnswerValue,
  encodeAnswerValue,
  inlineList,
  listSections,
  renderAuthorDm,
  renderCheckIn,
  renderCutoffMessage,
  renderOwnerSummary,
} from '../../src/reminders/views';
import type { Block } from '../../src/slack/blocks';
import { createTrainCalendar } from '../../src/train/calendar';

const settings = settingsSchema.parse({});
const train = createTrainCalendar({ anchor: settings.anchor }).getTrain(302);
const now = new Date('2026-11-04T15:00:00Z');
const title = 'A rather long pull request title that goes on and on about what it changes in the mailer and why';

function pr(n: number, overrides: Partial<PullRequestSummary> = {}): PullRequestSummary {
  return {
    number: n,
    title: `${title} ${n}`,
    url: `https://github.com/mozilla/fxa/pull/${n}`,
    authorLogin: `author-${n % 60}`,
    createdAt: '2026-10-25T10:00:00Z',
    isDraft: n % 5 === 0,
    labels: [],
    mergeable: 'CONFLICTING',
    reviewDecision: 'CHANGES_REQUESTED',
    checksState: 'FAILURE',
    headSha: 'a'.repeat(40),
    ...overrides,
  };
}

function swept(n: number, overrides: Partial<SweptPullRequest> = {}): SweptPullRequest {
  return {
    train: 302,
    number: n,
    title: `${title} ${n}`,
    url: `https://github.com/mozilla/fxa/pull/${n}`,
    authorLogin: `author-${n % 60}`,
    authorSlackId: n % 7 === 0 ? null : `U0AUTH${n % 60}X`,
    headSha: 'a'.repeat(40),
    isDraft: n % 5 === 0,
    blockers: ['conflict', 'ci-failing', 'changes-requested'],
    lastSweepAt: now,
    ...overrides,
  };
}

function expectWithinLimits(message: { text: string; blocks: Block[] }): void {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks) {
    const texts =
      block.type === 'section'
        ? [block.text?.text ?? '']
        : block.type === 'context'
          ? block.elements.map((e) => ('text' in e ? e.text : ''))
          : [];
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(3000);
      // Links are never cut in half.
      expect((text.match(/</g) ?? []).length).toBe((text.match(/>/g) ?? []).length);
    }
  }
  expect(message.text.length).toBeLessThan(4000);
}

const many = Array.from({ length: 300 }, (_, i) => i + 1);

test('a check-in, a summary and a cutoff message with 300 PRs fit in one Slack message each', () => {
  expectWithinLimits(
    renderCheckIn(
      {
        train,
        owner: { slackUserId: 'U0ALICE01', emoji: ':metal:' },
        pullRequests: many.map((n) => pr(n)),
        githubProblem: null,
        noteCount: 3,
      },
      settings,
      now,
    ),
  );
  expectWithinLimits(
    renderOwnerSummary(
      { train, swept: many.map((n) => swept(n)), answers: new Map(), latestSweepAt: now, undelivered: [], cut: false },
      settings,
      now,
    ),
  );
  const cutoff = renderCutoffMessage(
    {
      train,
      ownerSlackId: 'U0ALICE01',
      merged: many.map((n) => ({
        number: n,
        title,
        url: `https://github.com/mozilla/fxa/pull/${n}`,
        authorLogin: 'x',
        mergedAt: '2026-11-01T00:00:00Z',
        headSha: 'b'.repeat(40),
        labels: [],
      })),
      open: many.map((n) => pr(n)),
      answers: new Map(),
      notes: many
        .slice(0, 40)
        .map((id) => ({ id, train: 302, text: 'x'.repeat(900), forSre: id % 2 === 0, authorSlackId: 'U0BOB0001', createdAt: now })),
      warnings: ['GitHub is not answering.'],
    },
    settings,
  );
  expectWithinLimits(cutoff);
  expect(JSON.stringify(cutoff.blocks)).toContain('more');
});

test('an author with 20 PRs gets buttons for 14 and the rest listed; drafts apart', () => {
  const prs = Array.from({ length: 20 }, (_, i) => ({ ...swept(i + 1, { isDraft: false, authorSlackId: 'U0BOB0001' }), answer: null }));
  const drafts = Array.from({ length: 30 }, (_, i) => swept(100 + i, { isDraft: true }));
  const dm = renderAuthorDm({ train, pullRequests: prs, drafts, ownerSlackId: 'U0ALICE01' }, settings, now);
  expectWithinLimits(dm);
  expect(dm.blocks.filter((b) => b.type === 'actions')).toHaveLength(14);
  expect(JSON.stringify(dm.blocks)).toContain('*6 more of yours* (too many for buttons here: tell <@U0ALICE01> which will land)');
});

test('lists are cut between items, never inside one', () => {
  const items = ['<a|one>', '<b|two>', '<c|three>', '<d|four>'];
  expect(inlineList('PRs: ', items, 100)).toBe('PRs: <a|one>, <b|two>, <c|three>, <d|four>');
  expect(inlineList('PRs: ', items, 34)).toBe('PRs: <a|one>, <b|two> …and 2 more');
  expect(inlineList('PRs: ', items, 32)).toBe('PRs: <a|one> …and 3 more');
  expect(inlineList('PRs: ', [], 30)).toBe('PRs: ');
  const sections = listSections(
    '*Head*',
    Array.from({ length: 100 }, (_, i) => `• line ${i} ${'x'.repeat(200)}`),
    3,
  );
  expect(sections).toHaveLength(3);
  expect(JSON.stringify(sections.at(-1))).toMatch(/…and \d+ more/);
});

test('answer buttons carry the train, the PR and the commit; anything else is refused', () => {
  const value = encodeAnswerValue({ train: 302, number: 12, headSha: 'c'.repeat(40) });
  expect(decodeAnswerValue(value)).toEqual({ train: 302, number: 12, headSha: 'c'.repeat(40) });
  for (const bad of [undefined, '', 'x', '{}', '{"t":302,"n":12,"s":"not hex"}', '{"t":-1,"n":12,"s":"abcdef0"}', '[1,2,3]', 'null']) {
    expect(decodeAnswerValue(bad)).toBeNull();
  }
});
