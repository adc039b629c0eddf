/**
 * The PR sweep at scale: 300 open PRs into main by 60 authors, swept by the
 * scheduler as on a cutoff day, in a bot of its own (its own fake Slack, fake
 * GitHub and database schema, so the other sections' figures are untouched).
 *
 * Measured: the GitHub requests one sweep uses (it must not grow by one per
 * PR), the Slack calls it makes, how long it takes, and how long when the
 * fake Slack rate-limits chat.postMessage (429 with Retry-After: 1, a few
 * times); and that every DM went out, once.
 */
import { SWEEP_JOB } from '../../src/reminders/cutoff-message';
import { CUTOFF_MESSAGE_JOB } from '../../src/reminders/reminder-jobs';
import { performance } from 'node:perf_hooks';
import { importRoster } from '../../src/rotation/roster-store';
import type { FakeSlackCall } from '../../test/fakes/slack-server';
import { startHarness, type Harness } from '../../test/support/harness';
import type { BenchSection, Figure, SectionResult, Target } from '../figures';

export interface PrSweepOptions {
  openPullRequests: number;
  authors: number;
  /** Authors on the roster (the rest are found by the e-mail on their GitHub profile, or not at all). */
  rostered: number;
  /** Of the others, how many have no public e-mail: "author not on Slack". */
  notOnSlack: number;
  /** 429s the fake Slack answers to chat.postMessage in the rate-limited sweep. */
  rateLimited: number;
}

export const DEFAULT_PR_SWEEP: PrSweepOptions = { openPullRequests: 300, authors: 60, rostered: 40, notOnSlack: 5, rateLimited: 3 };

/** Train 302 is cut on Wednesday 4 November 2026 at 10:00 PT; the sweeps are at 07:00 and 09:00 PT. */
const SWEEPS = [new Date('2026-11-04T15:00:00Z'), new Date('2026-11-04T17:00:00Z')] as const;
const CUTOFF = new Date('2026-11-04T18:00:00Z');
/** Issue 12: a sweep's GitHub cost does not grow with its authors (3 pages of open PRs + 1 batch of profiles). */
const MAX_SWEEP_GITHUB_REQUESTS = 5;
/** …and the same for the cutoff message (open PRs, merged PRs since the last cut, profiles). */
const MAX_CUTOFF_GITHUB_REQUESTS = 5;
const MINUTE = 60_000;
const PAGE = 100;

interface Person {
  login: string;
  slackUserId: string | null;
  rostered: boolean;
}

function people(options: PrSweepOptions): Person[] {
  return Array.from({ length: options.authors }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const rostered = i < options.rostered;
    const onSlack = rostered || i < options.authors - options.notOnSlack;
    return { login: `author-${n}`, slackUserId: onSlack ? `U0AUTH${n}X` : null, rostered };
  });
}

async function arrange(h: Harness, options: PrSweepOptions, everyone: Person[]): Promise<void> {
  const { github, slack } = h;
  const base = github.addCommit({ message: 'train 301', date: '2026-10-21T17:00:00Z' });
  github.setBranch('main', base);
  github.addTag('v1.301.0', base, { annotated: true });
  for (const person of everyone) {
    const email = person.slackUserId ? `${person.login}@example.com` : null;
    github.addUser(person.login, { email });
    if (person.slackUserId) slack.addUser({ id: person.slackUserId, name: person.login, email: email ?? undefined });
  }
  await importRoster({
    prisma: h.bot.database.prisma,
    actor: 'bench',
    now: h.clock.now(),
    startTrain: 302,
    members: everyone
      .filter((p) => p.rostered && p.slackUserId)
      .map((p) => ({ slackUserId: p.slackUserId ?? '', displayName: p.login, githubLogin: p.login, timeZone: null })),
  });
  for (let i = 0; i < options.openPullRequests; i++) {
    const author = everyone[i % everyone.length];
    github.addPullRequest({
      title: `Change ${i + 1}`,
      authorLogin: author?.login ?? null,
      createdAt: new Date(Date.UTC(2026, 9, 22) + i * 10 * MINUTE).toISOString(),
      // Each author's fifth PR is a draft; the rest have something in the way or nothing.
      isDraft: i % (everyone.length * 5) >= everyone.length * 4,
      reviewDecision: i % 3 === 0 ? 'APPROVED' : i % 3 === 1 ? 'REVIEW_REQUIRED' : 'CHANGES_REQUESTED',
      mergeable: i % 7 === 0 ? 'CONFLICTING' : 'MERGEABLE',
      checksState: i % 5 === 0 ? 'FAILURE' : 'SUCCESS',
    });
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const summarize = (counts: Map<string, number>): string => [...counts].map(([name, n]) => `${n}× ${name}`).join(', ') || 'none';

interface SweepRun {
  ms: number;
  githubRequests: number;
  graphqlRequests: number;
  restRequests: number;
  githubOperations: string;
  slackCalls: FakeSlackCall[];
  /** DMs posted to each author in this sweep, by Slack user id. */
  dmsByAuthor: Map<string, number>;
  failed: number;
}

async function sweep(h: Harness, at: Date, expectedAuthors: readonly string[], job = SWEEP_JOB): Promise<SweepRun> {
  // The other jobs (tag watch, patch reminders, housekeeping) first, so that the
  // measured tick runs the sweep alone and only its requests are counted.
  await h.bot.app.scheduler.tick(new Date(at.getTime() - MINUTE));
  h.github.resetRequests();
  h.slack.calls.length = 0;
  const tickAt = new Date(at.getTime() + MINUTE);
  h.clock.set(tickAt);
  const started = performance.now();
  const report = await h.bot.app.scheduler.tick(tickAt);
  const ms = performance.now() - started;
  const requests = [...h.github.requests];
  const slackCalls = [...h.slack.calls];
  const dmChannels = new Map(expectedAuthors.map((id) => [h.slack.dmChannelFor(id), id]));
  const dmsByAuthor = new Map<string, number>(expectedAuthors.map((id) => [id, 0]));
  for (const call of slackCalls) {
    if (call.method !== 'chat.postMessage' || call.response?.status !== 200 || call.response.body.ok !== true) continue;
    const author = dmChannels.get(String(call.args.channel));
    // The owner's summary goes to the owner's DM too: count only the sweep's question.
    if (author && String(call.args.text).includes('will your PRs land in time?'))
      dmsByAuthor.set(author, (dmsByAuthor.get(author) ?? 0) + 1);
  }
  if (report.failed.length > 0) throw new Error(`the sweep failed: ${report.failed.map((f) => f.error).join('; ')}`);
  const sweeps = report.ran.filter((fire) => fire.job === job);
  if (sweeps.length !== 1) {
    throw new Error(
      `expected one ${job} to run at ${tickAt.toISOString()}, ran: ${report.ran.map((fire) => fire.job).join(', ') || 'nothing'}`,
    );
  }
  return {
    ms,
    githubRequests: requests.length,
    graphqlRequests: requests.filter((r) => r.path === '/graphql').length,
    restRequests: requests.filter((r) => r.path !== '/graphql').length,
    githubOperations: summarize(
      countBy(requests, (r) => r.operationName ?? `${r.method} ${r.path.replace(/\/users\/[^/]+$/, '/users/{login}')}`),
    ),
    slackCalls,
    dmsByAuthor,
    failed: report.failed.length,
  };
}

export function prSweepSection(options: PrSweepOptions = DEFAULT_PR_SWEEP): BenchSection {
  return {
    title: `PR sweep: ${options.openPullRequests} open PRs by ${options.authors} authors`,
    async run(context): Promise<SectionResult> {
      const h = await startHarness({ now: '2026-11-04T14:00:00Z', settings: { announcementChannel: 'C0BENCH01' } });
      try {
        const everyone = people(options);
        await arrange(h, options, everyone);
        const asked = everyone.filter((p) => p.slackUserId !== null).map((p) => p.slackUserId ?? '');
        const figures: Figure[] = [];
        const targets: Target[] = [];
        const notes: string[] = [];
        const unrostered = options.authors - options.rostered;
        const maxGraphql = Math.ceil(options.openPullRequests / PAGE) + Math.ceil(unrostered / PAGE);

        context.progress(`PR sweep: ${options.openPullRequests} open PRs by ${options.authors} authors, Slack answering normally`);
        const calm = await sweep(h, SWEEPS[0], asked);
        context.progress(`PR sweep: again, with chat.postMessage answering 429 (Retry-After: 1) ${options.rateLimited} times`);
        h.slack.rateLimitStorm('chat.postMessage', { retryAfterSeconds: 1, count: options.rateLimited });
        const limited = await sweep(h, SWEEPS[1], asked);
        context.progress('cutoff message: the same open PRs, nothing merged since the last cut');
        const cutoff = await sweep(h, CUTOFF, [], CUTOFF_MESSAGE_JOB);

        const slackCounts = countBy(calm.slackCalls, (c) => c.method);
        const limitedCounts = countBy(limited.slackCalls, (c) => c.method);
        const rateLimitedAnswers = limited.slackCalls.filter((c) => c.response?.status === 429).length;
        const duplicates = [calm, limited].reduce(
          (sum, run) => sum + [...run.dmsByAuthor.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0),
          0,
        );
        const missing = [calm, limited].reduce((sum, run) => sum + [...run.dmsByAuthor.values()].filter((n) => n === 0).length, 0);
        const sentRows = await h.bot.database.sql.query<{ n: string }>(
          `SELECT count(*) AS n FROM slack_messages WHERE kind = 'sweep-dm' AND status = 'sent'`,
        );

        figures.push(
          { key: 'pr_sweep_github_requests', label: 'GitHub requests, one sweep', value: calm.githubRequests, unit: '', decimals: 0 },
          {
            key: 'pr_sweep_github_graphql_requests',
            label: '…of which GraphQL (open PRs, paginated)',
            value: calm.graphqlRequests,
            unit: '',
            decimals: 0,
          },
          {
            key: 'pr_sweep_github_rest_requests',
            label: '…of which REST',
            value: calm.restRequests,
            unit: '',
            decimals: 0,
          },
          {
            key: 'pr_sweep_second_github_requests',
            label: 'GitHub requests, the second sweep of the day',
            value: limited.githubRequests,
            unit: '',
            decimals: 0,
          },
          {
            key: 'cutoff_message_github_requests',
            label: 'GitHub requests, the cutoff message',
            value: cutoff.githubRequests,
            unit: '',
            decimals: 0,
          },
          { key: 'pr_sweep_slack_calls', label: 'Slack calls, one sweep', value: calm.slackCalls.length, unit: '', decimals: 0 },
          {
            key: 'pr_sweep_dms',
            label: 'DMs to authors, one sweep',
            value: [...calm.dmsByAuthor.values()].reduce((a, b) => a + b, 0),
            unit: '',
            decimals: 0,
          },
          { key: 'pr_sweep_ms', label: 'time to finish a sweep', value: Math.round(calm.ms), unit: 'ms', decimals: 0 },
          {
            key: 'pr_sweep_rate_limited_ms',
            label: `time to finish with ${options.rateLimited}× 429 on chat.postMessage`,
            value: Math.round(limited.ms),
            unit: 'ms',
            decimals: 0,
          },
          {
            key: 'pr_sweep_rate_limited_slack_calls',
            label: 'Slack calls with 429s (retries included)',
            value: limited.slackCalls.length,
            unit: '',
            decimals: 0,
          },
          { key: 'pr_sweep_duplicate_dms', label: 'DMs sent more than once (both sweeps)', value: duplicates, unit: '', decimals: 0 },
          { key: 'pr_sweep_missing_dms', label: 'authors on Slack left without a DM (both sweeps)', value: missing, unit: '', decimals: 0 },
        );
        targets.push(
          {
            figureKey: 'pr_sweep_github_graphql_requests',
            description: `≤ ${maxGraphql} GraphQL requests for ${options.openPullRequests} PRs and ${unrostered} authors off the roster (paginated, 100 a request)`,
            comparison: '<=',
            limit: maxGraphql,
          },
          {
            figureKey: 'pr_sweep_github_requests',
            description: `≤ ${MAX_SWEEP_GITHUB_REQUESTS} GitHub requests a sweep (not one per PR, not one per author)`,
            comparison: '<=',
            limit: MAX_SWEEP_GITHUB_REQUESTS,
          },
          {
            figureKey: 'cutoff_message_github_requests',
            description: `≤ ${MAX_CUTOFF_GITHUB_REQUESTS} GitHub requests for the cutoff message`,
            comparison: '<=',
            limit: MAX_CUTOFF_GITHUB_REQUESTS,
          },
          { figureKey: 'pr_sweep_duplicate_dms', description: 'no DM sent twice', comparison: '<=', limit: 0 },
          { figureKey: 'pr_sweep_missing_dms', description: 'every author on Slack DMed, also under 429s', comparison: '<=', limit: 0 },
        );
        notes.push(
          `${options.authors} authors: ${options.rostered} on the roster, ${options.authors - options.rostered - options.notOnSlack} found by the e-mail on their GitHub profile, ` +
            `${options.notOnSlack} not on Slack (listed in the owner's summary); every author's fifth PR is a draft (listed apart).`,
          `GitHub, one sweep: ${calm.githubOperations}. The profiles of the authors not on the roster are read 100 a GraphQL request ` +
            `(PublicEmails) and kept for the team's day: the second sweep reads none (${limited.githubOperations}).`,
          `GitHub, the cutoff message: ${cutoff.githubOperations}.`,
          `Slack, one sweep: ${summarize(slackCounts)} (one DM per author, plus the owner's summary: posted by the first sweep, updated in place by the second).`,
          `Rate-limited sweep: ${summarize(limitedCounts)}; ${rateLimitedAnswers} answered 429, each waited out (Retry-After) by the Web API client.`,
          `Ledger: ${sentRows[0]?.n ?? '?'} DMs recorded as sent over both sweeps (${asked.length} authors on Slack × 2).`,
          'GraphQL requests leave at most one per second (plugin-throttling), so the sweep takes about (pages − 1) seconds at least.',
        );
        return { figures, targets, notes };
      } finally {
        await h.close();
      }
    },
  };
}
