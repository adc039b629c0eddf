/**
 * Slack failing during a PR sweep: one DM failing (the retry carries on where
 * the sweep stopped, nobody is DMed twice), one DM refused for good (not
 * retried; the owner's summary says so), a 429 storm (waited out: every
 * DM once), and a DM left mid-post by a replica that died (found in the DM
 * and adopted, or sent; unconfirmed only when the DM cannot be read).
 */
import { WebClient } from '@slack/web-api';
import { reminderKey } from '../../src/reminders/message-ledger';
import { POST_EVENT_TYPE } from '../../src/slack/messenger';
import { harnessForAll, startHarness, type Harness } from '../support/harness';
import { ALICE, BOB, CAROL, SWEEP_1, SWEEP_2, after, arrangeCutoffDay, blocksText, dmsWith, settings, tickAt } from './cutoff-day';

const sweepRuns = (h: Harness) =>
  h.bot.database.sql.query<{ scheduledAt: Date; status: string; attempts: number }>(
    `SELECT "scheduledAt", status, attempts FROM job_runs WHERE job = 'pr-sweep' ORDER BY "scheduledAt"`,
  );

describe('Slack failing during a sweep', () => {
  const h = harnessForAll({ settings, now: '2026-11-04T14:00:00Z' }, arrangeCutoffDay);

  test('a DM Slack fails to post is sent by the retry, which skips those already sent', async () => {
    // DMs go out in PR order: Alice's, Bob's, Carol's. Slack fails the first; the sweep carries on.
    h.slack.failNext('chat.postMessage', { error: 'internal_error' });
    await tickAt([h], after(SWEEP_1));
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([1, 1, 1]);
    expect(dmsWith(h, ALICE)[0]?.text).toMatch(/^Train 302: /); // the summary, not the question
    expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);
    await tickAt([h], after(SWEEP_1, 7));
    expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'done', attempts: 2 })]);
    // Everyone has exactly one DM; Alice also has the summary.
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 1]);
    const sent = await h.bot.database.prisma.slackMessage.findMany({ where: { kind: 'sweep-dm' }, orderBy: { recipient: 'asc' } });
    expect(sent.map((m) => [m.recipient, m.status])).toEqual([
      [ALICE, 'sent'],
      [BOB, 'sent'],
      [CAROL, 'sent'],
    ]);
  });

  test('a DM Slack refuses for good is not retried, and the owner’s summary says so', async () => {
    h.slack.failNext('conversations.open', { error: 'cannot_dm_bot' });
    await tickAt([h], after(SWEEP_2));
    expect(await sweepRuns(h)).toEqual([
      expect.objectContaining({ status: 'done' }),
      expect.objectContaining({ status: 'done', attempts: 1 }),
    ]);
    const failed = await h.bot.database.prisma.slackMessage.findMany({
      where: { kind: 'sweep-dm', scheduledAt: SWEEP_2, status: 'failed' },
    });
    expect(failed.map((m) => [m.recipient, m.error])).toEqual([[ALICE, 'cannot_dm_bot']]);
    const summary = dmsWith(h, ALICE).find((m) => m.text.startsWith('Train 302:'));
    expect(blocksText(summary)).toContain(':warning: Could not DM: <@U0ALICE01> (cannot_dm_bot). Ask them yourself.');
  });
});

test('a 429 storm on chat.postMessage is waited out: every DM goes out once', async () => {
  const h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
  try {
    await arrangeCutoffDay(h);
    h.slack.rateLimitStorm('chat.postMessage', { retryAfterSeconds: 1, count: 2 });
    const started = Date.now();
    await tickAt([h], after(SWEEP_1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(h.slack.pendingFaults('chat.postMessage')).toBe(0);
    expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'done', attempts: 1 })]);
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 1]);
    const answered = h.slack.callsTo('chat.postMessage').filter((c) => c.response?.status === 200);
    expect(answered).toHaveLength(4);
  } finally {
    await h.close();
  }
});

/** A replica claimed Carol's DM of this sweep, and died before Slack answered (the claim stays "sending", no lock held). */
async function carolLeftMidPost(h: Harness): Promise<string> {
  const key = reminderKey({ train: 302, kind: 'sweep-dm', scheduledAt: SWEEP_1, recipient: CAROL });
  await h.bot.database.prisma.slackMessage.create({
    data: {
      key,
      train: 302,
      kind: 'sweep-dm',
      scheduledAt: SWEEP_1,
      recipient: CAROL,
      status: 'sending',
      createdAt: SWEEP_1,
      updatedAt: SWEEP_1,
    },
  });
  return key;
}

test('a DM left mid-post by a replica that died, which reached Slack: found in Carol’s DM by its metadata and adopted, not sent again', async () => {
  const h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
  try {
    await arrangeCutoffDay(h);
    const key = await carolLeftMidPost(h);
    // Slack posted it after the replica was gone.
    const client = new WebClient(h.slack.botToken, { slackApiUrl: h.slack.apiUrl, retryConfig: { retries: 0 } });
    const { ts } = await client.chat.postMessage({
      channel: h.slack.dmChannelFor(CAROL),
      text: 'Will your PRs land in train 302?',
      metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
    });
    await tickAt([h], after(SWEEP_1));
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 1]);
    expect(dmsWith(h, CAROL)[0]?.ts).toBe(ts);
    const summary = dmsWith(h, ALICE).find((m) => m.text.startsWith('Train 302:'));
    expect(blocksText(summary)).not.toContain('not confirmed by Slack');
    await expect(h.bot.database.prisma.slackMessage.findUnique({ where: { key } })).resolves.toMatchObject({ status: 'sent', ts });
  } finally {
    await h.close();
  }
});

test('a DM left mid-post by a replica that died, which never reached Slack: the sweep sends it, once', async () => {
  const h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
  try {
    await arrangeCutoffDay(h);
    await carolLeftMidPost(h);
    await tickAt([h], after(SWEEP_1));
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 1]);
    const summary = dmsWith(h, ALICE).find((m) => m.text.startsWith('Train 302:'));
    expect(blocksText(summary)).not.toContain('not confirmed by Slack');
  } finally {
    await h.close();
  }
});

test('a DM left mid-post where Carol’s DM cannot be read (missing_scope): not sent again; the owner’s summary says it is unconfirmed', async () => {
  const h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
  try {
    await arrangeCutoffDay(h);
    await carolLeftMidPost(h);
    h.slack.failNext('conversations.history', { error: 'missing_scope' });
    await tickAt([h], after(SWEEP_1));
    expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 0]);
    const summary = dmsWith(h, ALICE).find((m) => m.text.startsWith('Train 302:'));
    expect(blocksText(summary)).toContain(':warning: Could not DM: <@U0CAROL01> (not confirmed by Slack). Ask them yourself.');
  } finally {
    await h.close();
  }
});
