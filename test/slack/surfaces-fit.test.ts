/**
 * Every surface fits Slack's limits at any size: 0, 1, 60, 300 and 1,000 open
 * PRs (by up to 100 authors, with 256-character titles), 40 failing jobs,
 * 40 long deploy notes. Measured by test/support/slack-limits.ts, the way
 * Slack measures; and each shortened list says what it left out. Pure.
 */
import { settingsSchema } from '../../src/config';
import type { PullRequestSummary } from '../../src/github/client';
import type { MergedPullRequest } from '../../src/github/types';
import { renderKickoff } from '../../src/kickoff/kickoff-view';
import type { StoredNote } from '../../src/notes/notes-store';
import { renderPlanAnnouncement } from '../../src/patches/patch-messages';
import type { DotReleasePlan } from '../../src/patches/patch-store';
import type { SweptPullRequest } from '../../src/reminders/answer-store';
import { renderAuthorDm, renderCheckIn, renderCutoffMessage, renderOwnerSummary } from '../../src/reminders/views';
import type { Block } from '../../src/slack/blocks';
import type { StatusReport } from '../../src/status/gather-status';
import { renderStatus } from '../../src/status/status-view';
import type { FailingJob } from '../../src/tagging/outcomes';
import { renderCutConfirmation, renderIssueConfirmation, renderNotice } from '../../src/tagging/tag-view';
import { createTrainCalendar } from '../../src/train/calendar';
import { measureMessage, mrkdwnTexts, slackTokens } from '../support/slack-limits';

const settings = settingsSchema.parse({ repository: 'mozilla/fxa' });
const train = createTrainCalendar({ anchor: settings.anchor }).getTrain(302);
const now = new Date('2026-11-04T15:00:00Z');
const SIZES = [0, 1, 60, 300, 1000] as const;
const OPEN_SEARCH = 'https://github.com/mozilla/fxa/pulls?q=is%3Apr+is%3Aopen+base%3Amain';

/** A 256-character title with what tempts a careless cut: a link-like `<…>`, an entity, an emoji code. */
function longTitle(n: number): string {
  const start = `Change ${n}: <fix> & :tada: `;
  return `${start}${'lorem ipsum '.repeat(30)}`.slice(0, 256);
}

const author = (n: number, authors: number) => `author-${String(n % authors).padStart(3, '0')}`;
const authorsFor = (count: number) => Math.max(1, Math.min(count, 100));

function open(count: number): PullRequestSummary[] {
  const authors = authorsFor(count);
  return Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    title: longTitle(i + 1),
    url: `https://github.com/mozilla/fxa/pull/${i + 1}`,
    authorLogin: author(i, authors),
    createdAt: '2026-10-25T10:00:00Z',
    isDraft: i % 5 === 4,
    labels: [],
    mergeable: i % 7 === 0 ? 'CONFLICTING' : 'MERGEABLE',
    reviewDecision: i % 3 === 0 ? 'APPROVED' : 'REVIEW_REQUIRED',
    checksState: i % 4 === 0 ? 'FAILURE' : 'SUCCESS',
    headSha: 'a'.repeat(40),
  }));
}

function swept(count: number): SweptPullRequest[] {
  return open(count).map((pr, i) => ({
    train: 302,
    number: pr.number,
    title: pr.title,
    url: pr.url,
    authorLogin: pr.authorLogin,
    authorSlackId: i % 9 === 0 ? null : `U0A${String(i % 100).padStart(5, '0')}`,
    headSha: pr.headSha,
    isDraft: pr.isDraft,
    blockers: i % 2 === 0 ? ['conflict', 'ci-failing'] : [],
    lastSweepAt: now,
  }));
}

function merged(count: number): MergedPullRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    number: 10_000 + i,
    title: longTitle(i),
    url: `https://github.com/mozilla/fxa/pull/${10_000 + i}`,
    authorLogin: author(i, authorsFor(count)),
    mergedAt: '2026-11-01T00:00:00Z',
    headSha: 'b'.repeat(40),
    labels: [],
  }));
}

const notes: StoredNote[] = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  train: 302,
  text: `Run the migration <script> & tell <@U0BOB0001|bob> ${'x'.repeat(880)}`,
  forSre: i % 2 === 0,
  authorSlackId: 'U0BOB0001',
  createdAt: now,
}));

const jobs: FailingJob[] = Array.from({ length: 40 }, (_, i) => ({
  name: `integration / ${'suite '.repeat(40)} <${i}>`.slice(0, 256),
  url: i % 2 === 0 ? `https://github.com/mozilla/fxa/actions/runs/1/job/${i}` : null,
}));

function expectFits(message: { text?: string; blocks?: Block[] }, surface: 'message' | 'view' = 'message'): void {
  const measure = measureMessage(message, surface);
  expect(measure.breaches).toEqual([]);
  expect(measure.textChars).toBeLessThanOrEqual(12_000);
  for (const text of mrkdwnTexts(message)) expect(slackTokens(text).stray).toEqual([]);
}

/** PR numbers linked in a message, in [from, to). */
function linkedPulls(message: { blocks?: Block[] }, from = 0, to = Number.POSITIVE_INFINITY): Set<number> {
  const numbers = [...JSON.stringify(message.blocks).matchAll(/\/pull\/(\d+)\|/g)].map((m) => Number(m[1]));
  return new Set(numbers.filter((n) => n >= from && n < to));
}

/** When a list of `total` was shortened, it says by how many. */
function expectSaysWhatItLeftOut(message: { blocks?: Block[] }, total: number, shown: number): void {
  expect(shown).toBeLessThanOrEqual(total);
  if (shown < total) expect(JSON.stringify(message.blocks)).toContain(`and ${total - shown} more`);
}

describe.each(SIZES)('with %i open PRs', (count) => {
  const ready = open(count).filter((pr) => !pr.isDraft);

  test('the check-in fits, and counts what it leaves out (by blocker, by author, and the GitHub search)', () => {
    const message = renderCheckIn(
      { train, owner: { slackUserId: 'U0ALICE01', emoji: ':metal:' }, pullRequests: open(count), githubProblem: null, noteCount: 3 },
      settings,
      now,
    );
    expectFits(message);
    const text = JSON.stringify(message.blocks);
    if (count >= 60) {
      expect(text).toContain('_By blocker:_');
      expect(text).toMatch(/and \d+ more author/);
      expect(text).toContain(OPEN_SEARCH);
    }
    if (count === 0) expect(text).toContain('*Open PRs into `main`:* none');
  });

  test('the PR sweep DM of one author with all of them fits', () => {
    const mine = swept(count).map((pr) => ({ ...pr, authorSlackId: 'U0BOB0001', authorLogin: 'bob-gh' }));
    if (mine.length === 0) return; // nobody is asked about nothing
    const dm = renderAuthorDm(
      {
        train,
        pullRequests: mine.filter((pr) => !pr.isDraft).map((pr) => ({ ...pr, answer: null })),
        drafts: mine.filter((pr) => pr.isDraft),
        ownerSlackId: 'U0ALICE01',
      },
      settings,
      now,
    );
    expectFits(dm);
    const withButtons = dm.blocks.filter((b) => b.type === 'actions').length;
    const readyCount = mine.filter((pr) => !pr.isDraft).length;
    expect(withButtons).toBe(Math.min(readyCount, 14));
    if (readyCount > 14) expect(JSON.stringify(dm.blocks)).toContain(`*${readyCount - 14} more of yours*`);
  });

  test("the owner's summary fits, and says how many it did not list", () => {
    const all = swept(count);
    const summary = renderOwnerSummary(
      {
        train,
        swept: all,
        answers: new Map(),
        latestSweepAt: now,
        undelivered: Array.from({ length: Math.min(count, 100) }, (_, i) => ({ slackUserId: `U0X${i}`, error: 'cannot_dm_bot' })),
        cut: false,
      },
      settings,
      now,
    );
    expectFits(summary);
    const readyCount = all.filter((pr) => !pr.isDraft).length;
    expectSaysWhatItLeftOut(summary, readyCount, linkedPulls(summary, 0, 10_000).size - shownDrafts(summary));
  });

  test('the cutoff message fits, and says how many made it and roll beyond those it lists', () => {
    const message = renderCutoffMessage(
      {
        train,
        ownerSlackId: 'U0ALICE01',
        merged: merged(count),
        open: open(count),
        answers: new Map(),
        notes: count === 0 ? [] : notes,
        warnings: ['GitHub is slow <today>.'],
      },
      settings,
    );
    expectFits(message);
    expectSaysWhatItLeftOut(message, count, linkedPulls(message, 10_000).size);
    expectSaysWhatItLeftOut(message, ready.length, linkedPulls(message, 0, 10_000).size);
    if (count >= 60) expect(JSON.stringify(message.blocks)).toContain('_By blocker:_');
  });

  test('status and the App Home fit (a message and a view)', () => {
    const report: StatusReport = {
      now,
      calendarTrain: train,
      github: { latestTrain: 301, latestTag: { name: 'v1.301.0', check: null }, pullRequests: open(count) },
      ownerUserId: 'U0ALICE01',
      missing: [],
      patches: {
        planned: [],
        pending: Array.from({ length: Math.min(count, 30) }, (_, i) => ({
          id: i + 1,
          train: 301,
          requestedBy: 'U0BOB0001',
          createdAt: now,
        })),
      },
      notes: count === 0 ? [] : notes,
      answers: new Map(),
      tagging: null,
    };
    const status = renderStatus(report, settings);
    expectFits(status);
    expectFits(status, 'view');
    expectSaysWhatItLeftOut(status, count, linkedPulls(status).size);
    if (count > 15) expect(JSON.stringify(status.blocks)).toContain(OPEN_SEARCH);
  });

  test('the tag confirmation fits, its "Rolls to" list counted past what it names', () => {
    const confirmation = renderCutConfirmation(
      {
        train: 302,
        tag: 'v1.302.0',
        branch: 'train-302',
        basedOnTag: 'v1.301.0',
        previousTag: 'v1.301.0',
        source: { sha: 'c'.repeat(40), title: longTitle(0) },
        madeIt: { totalCommits: count, pullRequests: merged(count).map((pr) => pr.number) },
        rolling: open(count),
        warnings: [{ kind: 'ci-failing', branch: 'main', checks: jobs.map((job) => job.name) }],
        blockers: [],
        late: { kind: 'merged', cutoff: now, pullRequests: merged(count) },
        precut: {
          patches: {
            pending: Array.from({ length: count }, (_, i) => ({ id: i + 1, train: 301, requestedBy: 'U0ALICE01', createdAt: now })),
            planned: [],
          },
          blockers: open(count).slice(0, 3),
          failingOnMain: null,
        },
      },
      settings,
      '#train',
    );
    expectFits(confirmation);
    expectSaysWhatItLeftOut(confirmation, count, linkedPulls(confirmation, 0, 10_000).size);
    expectSaysWhatItLeftOut(confirmation, count, linkedPulls(confirmation, 10_000, 100_000).size);
  });

  test('a dot release with as many commits fits', () => {
    const plan: DotReleasePlan = {
      id: 1,
      train: 301,
      patch: 1,
      tag: 'v1.301.1',
      branch: 'train-301',
      status: 'open',
      plannedBy: 'U0ALICE01',
      createdAt: now,
      version: 1,
      announcementChannel: null,
      announcementTs: null,
      commits: Array.from({ length: count }, (_, i) => ({
        sha: `${i}`.padStart(40, 'd'),
        title: longTitle(i),
        pullRequest: i,
        mainOrder: i,
        requestId: 1,
        requestedBy: 'U0BOB0001',
      })),
      requests: [
        { id: 1, requestedBy: 'U0BOB0001', reason: 's1', justification: 'x', approvedBy: 'U0ALICE01', approvedAt: now },
      ] as DotReleasePlan['requests'],
    };
    const announcement = renderPlanAnnouncement(plan, { repository: 'mozilla/fxa', displayTimeZones: ['UTC'], ownerUserId: 'U0ALICE01' });
    expectFits(announcement);
    if (count > 0) expect(JSON.stringify(announcement.blocks)).toMatch(count > 30 ? /and \d+ more/ : /\*What it will contain so far\*/);
  });
});

/** Failing jobs named in the list (each line starts with a bullet and the job's name). */
const jobsNamed = (blocks: Block[]) => (JSON.stringify(blocks).match(/• (?:<[^|]+\||`)integration/g) ?? []).length;
const has = (needle: string) => (block: Block) => JSON.stringify(block).includes(needle);
const shownDrafts = (message: { blocks: Block[] }) =>
  linkedPulls({ blocks: message.blocks.filter((b) => b.type === 'context' && has('Drafts')(b)) }, 0, 10_000).size;

test('a CI failure with 40 failing jobs: the notice and the issue preview fit, and count the jobs they do not name', () => {
  const notice = renderNotice(settings, { kind: 'ci-failed', tag: 'v1.302.0', url: null, attempt: 1, releaseId: 7, jobs });
  expectFits({ text: notice.text, blocks: notice.blocks ?? [] });
  expect(JSON.stringify(notice.blocks)).toContain(`and ${40 - jobsNamed(notice.blocks ?? [])} more`);
  expect(JSON.stringify(notice.blocks)).toContain('File an issue');
  const preview = renderIssueConfirmation({
    title: `CI failed on v1.302.0: ${jobs.map((j) => j.name).join(', ')}`.slice(0, 250),
    jobs,
    value: '{}',
  });
  expectFits(preview);
  expect(JSON.stringify(preview.blocks)).toContain(`and ${40 - jobsNamed(preview.blocks)} more`);
  // The fallback text is mrkdwn too: the job names in the title are escaped there.
  expect(preview.text).not.toMatch(/<\d+>/);
});

test('a few failing jobs are listed as before, word for word', () => {
  const notice = renderNotice(settings, {
    kind: 'ci-failed',
    tag: 'v1.302.0',
    url: null,
    attempt: 1,
    releaseId: 7,
    jobs: [{ name: 'lint', url: null }],
  });
  expect(notice.blocks?.[0]).toEqual({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: ':x: CI failed on `v1.302.0`. Failing jobs:\n• `lint`\nA new failure deserves an issue; a known flaky one can be recorded as such.',
    },
  });
});

test('the kickoff fits', () => {
  expectFits(
    renderKickoff({ train, owner: { slackUserId: 'U0ALICE01', emoji: null }, next: { train: 303, slackUserId: 'U0BOB0001' } }, settings),
  );
});
