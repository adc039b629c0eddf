/**
 * A big cutoff day, as a new user's monorepo has them (Renovate over every
 * package): 300 open PRs into main by 40 authors, 256-character titles, some
 * with something in the way, every eleventh a draft; 30 authors on the roster
 * (Alice owns train 302), the rest found by e-mail or not on Slack. Used by
 * the end-to-end test and by the bench (`blocks_text_chars_max_300_prs`).
 *
 * `runBigCutoffDay` plays the day (check-in, two sweeps, the cutoff message)
 * and returns every message the bot posted or updated, as Slack received it.
 */
import { importRoster } from '../../src/rotation/roster-store';
import type { FakeSlackCall } from '../fakes/slack-server';
import type { Harness } from '../support/harness';
import { ALICE, CHANNEL, TEAM_SETTINGS } from '../support/team';
import { after, CHECK_IN, CUTOFF, SWEEP_1, SWEEP_2, tickAt } from './cutoff-day';

export const BIG_DAY = { openPullRequests: 300, authors: 40, rostered: 30, notOnSlack: 4 } as const;
export const BIG_DAY_START = '2026-11-03T17:00:00Z';
export const BIG_DAY_SETTINGS = { ...TEAM_SETTINGS, repository: 'mozilla/fxa' };
const MINUTE = 60_000;
/** Every eleventh PR is a draft (so that every author has ready ones). */
const isDraft = (i: number): boolean => i % 11 === 10;
/** The PRs that are not drafts. */
export const BIG_DAY_READY = Array.from({ length: BIG_DAY.openPullRequests }, (_, i) => i).filter((i) => !isDraft(i)).length;

export interface BigDayPerson {
  login: string;
  slackUserId: string | null;
}

export function bigDayPeople(options = BIG_DAY): BigDayPerson[] {
  return Array.from({ length: options.authors }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const onSlack = i < options.authors - options.notOnSlack;
    return { login: `author-${n}`, slackUserId: i === 0 ? ALICE : onSlack ? `U0BIGA${n}X` : null };
  });
}

function title(i: number): string {
  return `Renovate: update <pkg-${i}> & friends :package: ${'in every workspace of the monorepo '.repeat(8)}`.slice(0, 256);
}

export async function arrangeBigCutoffDay(h: Harness, options = BIG_DAY): Promise<BigDayPerson[]> {
  const everyone = bigDayPeople(options);
  const { github, slack } = h;
  const base = github.addCommit({ message: 'train 301', date: '2026-10-21T17:00:00Z' });
  github.setBranch('main', base);
  github.addTag('v1.301.0', base, { annotated: true });
  for (const [i, person] of everyone.entries()) {
    const email = person.slackUserId ? `${person.login}@example.com` : null;
    github.addUser(person.login, { email });
    if (person.slackUserId) slack.addUser({ id: person.slackUserId, name: i === 0 ? 'alice' : person.login, email: email ?? undefined });
  }
  await importRoster({
    prisma: h.bot.database.prisma,
    actor: 'test',
    now: h.clock.now(),
    startTrain: 302,
    members: everyone
      .slice(0, options.rostered)
      .filter((p) => p.slackUserId)
      .map((p) => ({ slackUserId: p.slackUserId ?? '', displayName: p.login, githubLogin: p.login, timeZone: null })),
  });
  for (let i = 0; i < options.openPullRequests; i++) {
    const author = everyone[i % everyone.length];
    github.addPullRequest({
      title: title(i + 1),
      authorLogin: author?.login ?? null,
      createdAt: new Date(Date.UTC(2026, 9, 22) + i * 10 * MINUTE).toISOString(),
      isDraft: isDraft(i),
      reviewDecision: i % 3 === 0 ? 'APPROVED' : i % 3 === 1 ? 'REVIEW_REQUIRED' : 'CHANGES_REQUESTED',
      mergeable: i % 7 === 0 ? 'CONFLICTING' : 'MERGEABLE',
      checksState: i % 5 === 0 ? 'FAILURE' : 'SUCCESS',
    });
  }
  return everyone;
}

/** A message the bot sent, as Slack received it: the call and whether Slack took it. */
export interface SentMessage {
  method: string;
  channel: string;
  text: string;
  blocks: unknown[];
  ok: boolean;
  error: string | null;
}

function sent(call: FakeSlackCall): SentMessage {
  return {
    method: call.method,
    channel: String(call.args.channel ?? ''),
    text: String(call.args.text ?? ''),
    blocks: Array.isArray(call.args.blocks) ? call.args.blocks : [],
    ok: call.response?.body.ok === true,
    error: typeof call.response?.body.error === 'string' ? call.response.body.error : null,
  };
}

/** Plays the day: check-in, both sweeps, the cutoff message. Returns every chat.postMessage / chat.update. */
export async function runBigCutoffDay(h: Harness): Promise<SentMessage[]> {
  const from = h.slack.calls.length;
  for (const at of [after(CHECK_IN), after(SWEEP_1), after(SWEEP_2), after(CUTOFF)]) await tickAt([h], at);
  return h.slack.calls
    .slice(from)
    .filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update')
    .map(sent);
}

export { CHANNEL };
