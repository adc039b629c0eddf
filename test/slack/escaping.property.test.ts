/**
 * Escaping is total, as a property: random strings (unicode, `<`, `>`, `&`,
 * `<!channel>`, `<@U…>`, `<https://evil|click>`…) put wherever a person or
 * GitHub supplies text go through every view without producing a mention, a
 * broadcast or a link that is not in the bot's own template, and without a
 * stray `<`, `>` or `&` Slack would misread. A small seeded generator (no new
 * dependency): a failure names its seed, and the run is the same every time.
 */
import { settingsSchema } from '../../src/config';
import type { PullRequestSummary } from '../../src/github/client';
import type { DotReleaseRun } from '../../src/dot-release/dot-release-store';
import { forwardPortsSection, renderForwardPorts } from '../../src/dot-release/forward-ports';
import { renderConflictHandOff, renderFailure, renderRequesterOutcome, renderRunConfirmation } from '../../src/dot-release/run-view';
import { renderPlanAnnouncement } from '../../src/patches/patch-messages';
import type { DotReleasePlan } from '../../src/patches/patch-store';
import type { SweptPullRequest } from '../../src/reminders/answer-store';
import { renderAuthorDm, renderCheckIn, renderCutoffMessage, renderOwnerSummary } from '../../src/reminders/views';
import type { Block } from '../../src/slack/blocks';
import { renderStatus } from '../../src/status/status-view';
import { renderTaggingSection } from '../../src/status/tagging-section';
import {
  renderCiFailureRefusal,
  renderCutConfirmation,
  renderCutRefusal,
  renderDispatchRefusal,
  renderIssueConfirmation,
  renderIssueFiled,
  renderNotice,
} from '../../src/tagging/tag-view';
import { createTrainCalendar } from '../../src/train/calendar';
import { mrkdwnTexts, slackTokens } from '../support/slack-limits';

const settings = settingsSchema.parse({ repository: 'mozilla/fxa' });
const train = createTrainCalendar({ anchor: settings.anchor }).getTrain(302);
const now = new Date('2026-11-04T15:00:00Z');
/** The people the bot itself mentions in these views. */
const OWN_USERS = new Set(['U0ALICE01', 'U0BOB0001']);
/** Where the bot's own links go. */
const OWN_LINKS = [/^https:\/\/github\.com\/mozilla\/fxa\//, /^https:\/\/slack\.com\/archives\//];

/** mulberry32: a tiny seeded generator. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<',
  '>',
  '&',
  '|',
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0EVIL|@team>',
  '<@U0EVIL01>',
  '<@U0EVIL01|eve>',
  '<#C0EVIL01|general>',
  '<https://evil.example|click>',
  '<mailto:eve@evil.example|mail>',
  '&amp;',
  '&lt;!channel&gt;',
  '*',
  '_',
  '`',
  '~',
  ':tada:',
  'é',
  '日本',
  '😀',
  '\n',
  ' ',
  'fix',
  'Z',
];

function randomText(next: () => number, max = 12): string {
  const length = 1 + Math.floor(next() * max);
  return Array.from({ length }, () => PIECES[Math.floor(next() * PIECES.length)] ?? '').join('');
}

function check(name: string, seed: number, message: { text?: string; blocks?: Block[] } | string): void {
  const texts = typeof message === 'string' ? [message] : mrkdwnTexts(message);
  for (const text of texts) {
    const tokens = slackTokens(text);
    const context = `${name}, seed ${seed}: ${JSON.stringify(text).slice(0, 300)}`;
    expect({ context, broadcasts: tokens.broadcasts }).toEqual({ context, broadcasts: [] });
    expect({ context, users: tokens.users.filter((u) => !OWN_USERS.has(u.split('|')[0] ?? '')) }).toEqual({ context, users: [] });
    expect({ context, channels: tokens.channels }).toEqual({ context, channels: [] });
    expect({ context, links: tokens.links.filter((l) => !OWN_LINKS.some((own) => own.test(l))) }).toEqual({ context, links: [] });
    expect({ context, stray: tokens.stray }).toEqual({ context, stray: [] });
  }
}

function pullRequest(next: () => number, n: number): PullRequestSummary {
  return {
    number: n,
    title: randomText(next),
    url: `https://github.com/mozilla/fxa/pull/${n}`,
    authorLogin: randomText(next, 4),
    createdAt: '2026-10-25T10:00:00Z',
    isDraft: n % 3 === 0,
    labels: [],
    mergeable: 'MERGEABLE',
    reviewDecision: 'APPROVED',
    checksState: n % 2 === 0 ? 'FAILURE' : 'SUCCESS',
    headSha: 'a'.repeat(40),
  };
}

const SEEDS = Array.from({ length: 60 }, (_, i) => 1000 + i);

test.each(SEEDS)('seed %i: no view turns supplied text into a mention, a broadcast or a link', (seed) => {
  const next = generator(seed);
  const prs = Array.from({ length: 6 }, (_, i) => pullRequest(next, i + 1));
  const swept: SweptPullRequest[] = prs.map((pr, i) => ({
    train: 302,
    number: pr.number,
    title: pr.title,
    url: pr.url,
    authorLogin: pr.authorLogin,
    authorSlackId: i % 2 === 0 ? 'U0BOB0001' : null,
    headSha: pr.headSha,
    isDraft: pr.isDraft,
    blockers: ['ci-failing', randomText(next, 3)],
    lastSweepAt: now,
  }));
  const notes = Array.from({ length: 3 }, (_, i) => ({
    id: i + 1,
    train: 302,
    text: randomText(next),
    forSre: i === 0,
    authorSlackId: 'U0BOB0001',
    createdAt: now,
  }));
  const jobs = Array.from({ length: 3 }, (_, i) => ({
    name: randomText(next),
    url: i === 0 ? `https://github.com/mozilla/fxa/actions/runs/1/job/${i}` : null,
  }));
  const tag = randomText(next, 3);

  check(
    'check-in',
    seed,
    renderCheckIn(
      {
        train,
        owner: { slackUserId: 'U0ALICE01', emoji: null },
        pullRequests: prs,
        githubProblem: null,
        noteCount: 1,
      },
      settings,
      now,
    ),
  );
  check(
    'check-in, GitHub down',
    seed,
    renderCheckIn({ train, owner: null, pullRequests: null, githubProblem: randomText(next), noteCount: 0 }, settings, now),
  );
  check(
    'author DM',
    seed,
    renderAuthorDm(
      {
        train,
        pullRequests: swept.filter((pr) => !pr.isDraft).map((pr) => ({ ...pr, answer: null })),
        drafts: swept.filter((pr) => pr.isDraft),
        ownerSlackId: 'U0ALICE01',
      },
      settings,
      now,
    ),
  );
  check(
    "owner's summary",
    seed,
    renderOwnerSummary(
      {
        train,
        swept,
        answers: new Map(),
        latestSweepAt: now,
        undelivered: [{ slackUserId: 'U0BOB0001', error: randomText(next) }],
        cut: false,
      },
      settings,
      now,
    ),
  );
  check(
    'cutoff message',
    seed,
    renderCutoffMessage(
      {
        train,
        ownerSlackId: 'U0ALICE01',
        merged: prs.map((pr) => ({ ...pr, mergedAt: '2026-11-01T00:00:00Z' })),
        open: prs,
        answers: new Map(),
        notes,
        warnings: [randomText(next)],
      },
      settings,
    ),
  );
  check(
    'status',
    seed,
    renderStatus(
      {
        now,
        calendarTrain: train,
        github: {
          latestTrain: 301,
          latestTag: { name: tag, check: { status: randomText(next, 3), conclusion: randomText(next, 3), url: null } },
          pullRequests: prs,
        },
        ownerUserId: 'U0ALICE01',
        missing: [randomText(next)],
        patches: { planned: [{ train: 301, patch: 1, tag, requests: 1 }], pending: [] },
        notes,
        answers: new Map(),
        tagging: {
          train: 302,
          tag,
          state: 'tagged',
          since: now,
          lastError: randomText(next),
          thread: { channel: 'C0TEAM001', ts: '1.2' },
        },
      },
      settings,
    ),
  );
  check('tagging section', seed, {
    blocks: renderTaggingSection({ train: 302, tag, state: 'ci_failed', since: now, lastError: randomText(next), thread: null }),
  });
  check(
    'tag confirmation',
    seed,
    renderCutConfirmation(
      {
        train: 302,
        tag,
        branch: randomText(next, 3),
        basedOnTag: tag,
        previousTag: tag,
        source: { sha: 'c'.repeat(40), title: randomText(next) },
        madeIt: { totalCommits: 3, pullRequests: [1, 2] },
        rolling: prs,
        warnings: [
          { kind: 'ci-failing', branch: 'main', checks: jobs.map((j) => j.name) },
          { kind: 'pull-requests-unlisted', message: randomText(next) },
        ],
        blockers: [{ kind: 'tag-exists', tag, train: 302 }],
        late: {
          kind: 'merged',
          cutoff: now,
          pullRequests: prs.map((pr) => ({ ...pr, mergedAt: now.toISOString(), labels: [] })),
        },
        precut: { patches: { pending: [], planned: [] }, blockers: prs, failingOnMain: [randomText(next)] },
      },
      settings,
      randomText(next, 3),
    ),
  );
  for (const notice of [
    { kind: 'ci-failed' as const, tag, url: null, attempt: 1, releaseId: 7, jobs },
    { kind: 'run-failed' as const, train: 302, attempt: 1, releaseId: 7, runUrl: null, conclusion: randomText(next) },
    { kind: 'on-stage' as const, train: 302, tag, version: randomText(next), attempt: 1 },
    { kind: 'image-built' as const, tag, attempt: 1, url: null },
    {
      kind: 'late' as const,
      attempt: 1,
      lateness: { state: 'tagged', train: 302, tag, minutes: 90, ciUrl: null } as Parameters<typeof renderNotice>[1] extends infer N
        ? N extends { kind: 'late'; lateness: infer L }
          ? L
          : never
        : never,
    },
  ]) {
    const draft = renderNotice(settings, notice);
    check(`notice ${notice.kind}`, seed, { text: draft.text, blocks: draft.blocks ?? [] });
  }
  const title = `CI failed on ${tag}: ${jobs.map((j) => j.name).join(', ')}`;
  check('issue preview', seed, renderIssueConfirmation({ title, jobs, value: '{}' }));
  check('issue filed', seed, renderIssueFiled({ number: 9, url: 'https://github.com/mozilla/fxa/issues/9', title }));
  check('dispatch refusal', seed, renderDispatchRefusal({ kind: 'refused', workflow: randomText(next, 3), message: randomText(next) }));
  check('cut refusal', seed, renderCutRefusal({ kind: 'tag-exists', tag, train: 302 }));
  check('CI failure refusal', seed, renderCiFailureRefusal({ kind: 'out-of-date', state: 'tagged', tag }));
  const plan: DotReleasePlan = {
    id: 1,
    train: 301,
    patch: 1,
    tag,
    branch: randomText(next, 3),
    status: 'open',
    plannedBy: 'U0ALICE01',
    createdAt: now,
    version: 1,
    announcementChannel: null,
    announcementTs: null,
    commits: [{ sha: 'd'.repeat(40), title: randomText(next), pullRequest: 3, mainOrder: 1, requestId: 1, requestedBy: 'U0BOB0001' }],
    requests: [
      { id: 1, requestedBy: 'U0BOB0001', reason: randomText(next, 3), justification: randomText(next), approvedBy: null, approvedAt: null },
    ] as DotReleasePlan['requests'],
  };
  check(
    'dot release plan',
    seed,
    renderPlanAnnouncement(plan, { repository: 'mozilla/fxa', displayTimeZones: ['UTC'], ownerUserId: 'U0ALICE01' }),
  );
  checkDotReleaseViews(seed, next, tag);
});

/** The dot-release run's views (src/dot-release): titles and file names come from git, the tag and branch from settings. */
function checkDotReleaseViews(seed: number, next: () => number, tag: string): void {
  const sha = (c: string) => c.repeat(40);
  const run: DotReleaseRun = {
    id: 1,
    train: 302,
    patch: 1,
    tag,
    branch: randomText(next, 3),
    status: 'conflict',
    plannedBy: 'U0ALICE01',
    runBy: 'U0ALICE01',
    runStartedAt: now,
    commits: ['a', 'b', 'c'].map((c) => ({ sha: sha(c), title: randomText(next), requestId: 1, requestedBy: 'U0BOB0001' })),
    classified: [
      { sha: sha('a'), status: 'to-pick', matchedBy: null, trainCommit: null },
      { sha: sha('b'), status: 'to-pick', matchedBy: null, trainCommit: null },
      { sha: sha('c'), status: 'already-on-train', matchedBy: 'trailer', trainCommit: sha('e') },
    ],
    trainHead: sha('f'),
    workBranch: randomText(next, 3),
    picks: [{ sha: sha('a'), commit: sha('9') }],
    head: sha('9'),
    conflict: { sha: sha('b'), title: randomText(next), files: [randomText(next), randomText(next)] },
    tagSha: null,
    failedIn: null,
    lastError: 'I could not talk to the git remote.',
    redone: 0,
    forwardOf: null,
    closedAt: null,
    runVersion: 3,
    announcementChannel: null,
    announcementTs: null,
  };
  const plan: DotReleasePlan = {
    id: 1,
    train: 302,
    patch: 1,
    tag,
    branch: run.branch,
    status: 'planned',
    plannedBy: 'U0ALICE01',
    createdAt: now,
    version: 1,
    announcementChannel: null,
    announcementTs: null,
    commits: run.commits.map((c, i) => ({ ...c, pullRequest: null, mainOrder: i })),
    requests: [],
  };
  check('dot release confirmation', seed, renderRunConfirmation(plan, { repository: 'mozilla/fxa', mainBranch: randomText(next, 3) }));
  check('dot release hand-off', seed, renderConflictHandOff(run, { repository: 'mozilla/fxa', remote: randomText(next, 3) }));
  check('dot release failure', seed, renderFailure({ ...run, status: 'failed' }, 'mozilla/fxa'));
  check('dot release outcome', seed, renderRequesterOutcome({ run, requestIds: [1, 2], outcome: 'abandoned', by: 'U0ALICE01' }));
  const port = { lower: 302, upper: 303, sha: sha('a'), subject: randomText(next) };
  check(
    'forward ports',
    seed,
    renderForwardPorts(
      [
        { ...port, onUpper: false, matchedBy: null },
        { ...port, onUpper: true, matchedBy: 'subject' },
      ],
      { repository: 'mozilla/fxa' },
    ),
  );
  check('forward ports section', seed, {
    blocks: forwardPortsSection({
      planned: [{ train: 303, patch: 1, tag, requests: 0, forwardOf: 1 }],
      pending: [],
      running: [{ train: 302, patch: 1, tag, status: randomText(next, 3) }],
    }),
  });
}
