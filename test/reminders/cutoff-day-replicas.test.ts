/**
 * The same cutoff day with two replicas sharing the database, fake Slack and
 * fake GitHub, ticking together on one clock and taking answers in turn:
 * every message goes out once.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startHarness } from '../support/harness';
import {
  ALICE,
  BOB,
  CAROL,
  CHECK_IN,
  CUTOFF,
  PR,
  START,
  SWEEP_1,
  SWEEP_2,
  after,
  arrangeCutoffDay,
  channelMessages,
  dmsWith,
  press,
  settings,
  tickAt,
} from './cutoff-day';

test('two replicas post every message of the cutoff day once', async () => {
  const a = await startHarness({ settings, now: START, instanceId: 'replica-a' });
  const b = await startHarness({ settings, now: START, schema: a.schema, slack: a.slack, github: a.github, instanceId: 'replica-b' });
  try {
    await arrangeCutoffDay(a);
    const both = [a, b];
    await tickAt(both, after(CHECK_IN));
    // Ticks again a minute later, as the minute tick would: nothing more.
    await tickAt(both, after(CHECK_IN, 2));
    await tickAt(both, after(SWEEP_1));
    await tickAt(both, after(SWEEP_1, 2));

    // Answers arrive at either replica; Bob's double click hits both.
    const dm = (userId: string) => dmsWith(a, userId)[0] as FakeSlackMessage;
    await press(a, { userId: ALICE, dm: dm(ALICE), number: PR.passkeys, actionId: 'pr_answer_land' });
    await press(b, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_roll' });
    await press(a, { userId: BOB, dm: dm(BOB), number: PR.emails, actionId: 'pr_answer_roll' });
    await press(b, { userId: CAROL, dm: dm(CAROL), number: PR.limits, actionId: 'pr_answer_unsure' });
    a.github.mergePullRequest(PR.passkeys, '2026-11-04T16:30:00Z');

    await tickAt(both, after(SWEEP_2));
    await tickAt(both, after(SWEEP_2, 2));
    await tickAt(both, after(CUTOFF));
    await tickAt(both, after(CUTOFF, 2));

    expect(channelMessages(a).map((m) => m.text.slice(0, 30))).toEqual([
      'Train 302 is cut Wed 4 Nov, 10',
      'Last call for train 302: taggi',
      'Tagging train 302 now: 2 made ',
    ]);
    // Alice: her DM and one summary; Bob: asked twice (his PR #4 had no answer), Carol once.
    expect(dmsWith(a, ALICE)).toHaveLength(2);
    expect(dmsWith(a, BOB)).toHaveLength(2);
    expect(dmsWith(a, CAROL)).toHaveLength(1);
    expect(a.slack.callsTo('chat.postMessage')).toHaveLength(8);
    expect(await a.bot.database.prisma.auditEvent.count({ where: { action: 'reminders.answer' } })).toBe(3);
    const runs = await a.bot.database.sql.query<{ job: string; claimedBy: string }>(
      `SELECT job, "claimedBy" FROM job_runs WHERE status = 'done' AND job IN ('cutoff-check-in', 'pr-sweep', 'last-call', 'cutoff-message') ORDER BY "scheduledAt", job`,
    );
    expect(runs.map((r) => r.job)).toEqual(['cutoff-check-in', 'pr-sweep', 'last-call', 'pr-sweep', 'cutoff-message']);
    const sent = await a.bot.database.sql.query<{ kind: string; n: string }>(
      `SELECT kind, count(*) AS n FROM slack_messages WHERE status = 'sent' GROUP BY kind ORDER BY kind`,
    );
    expect(sent).toEqual([
      { kind: 'check-in', n: '1' },
      { kind: 'cutoff', n: '1' },
      { kind: 'last-call', n: '1' },
      { kind: 'owner-summary', n: '1' },
      { kind: 'sweep-dm', n: '4' },
    ]);
  } finally {
    await b.close();
    await a.close();
  }
});
