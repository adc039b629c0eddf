/**
 * The whole bot, a short intent lease (3 s), and its two work slots held (two dashboards that take long): a PR
 * answer (a durable button, heavy work) is acked and waits in the queue longer than the lease. While it waits its
 * process renews the intent's lease, so the bot's own minute job does not claim it and run it a second time; once
 * the slots are free it runs once and answers once.
 *
 * The intent's times are the test's clock; the renewal beats in real time (every second), writing the clock's now.
 */
import type { FakeSlackMessage } from '../fakes/slack-server';
import { after, ALICE, arrangeCutoffDay, buttonValue, dmsWith, PR, SWEEP_1, settings, tickAt } from '../reminders/cutoff-day';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/schema-sql';

jest.setTimeout(60_000);

describe('a durable request waiting in a full work queue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings, now: '2026-11-04T14:00:00Z', env: { INTENT_LEASE_SECONDS: '3' } });
    await arrangeCutoffDay(h);
    await tickAt([h], after(SWEEP_1));
  });
  afterAll(async () => {
    await h.close();
  });

  const buttonIntents = () =>
    h.bot.database.sql.query<{ status: string; attempts: number; claimedAt: Date }>(
      `SELECT status, attempts, "claimedAt" FROM slack_intents WHERE kind = 'button'`,
    );

  test('is not replayed by the minute job while it waits longer than the lease; it runs once and answers once', async () => {
    h.clock.set('2026-11-04T15:20:00Z');
    // Both work slots are taken.
    const { inFlight } = h.bot.app.deps;
    let freeSlots: () => void = () => undefined;
    const slotsFree = new Promise<void>((resolve) => (freeSlots = resolve));
    const dashboards = [inFlight.run(() => slotsFree), inFlight.run(() => slotsFree)];

    const dm = dmsWith(h, ALICE)[0] as FakeSlackMessage;
    const before = h.slack.responses.length;
    const pressed = await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({
        userId: ALICE,
        actionId: 'pr_answer_land',
        value: buttonValue(dm, PR.passkeys, 'pr_answer_land'),
        blockId: `pr-answer:${PR.passkeys}`,
        channelId: dm.channel,
        messageTs: dm.ts,
        message: { ...dm },
      }),
    );
    expect(pressed.status).toBe(200);
    expect(await buttonIntents()).toMatchObject([{ status: 'pending', attempts: 1 }]);

    // A minute later (past the lease), once a renewal has beaten meanwhile, the minute job runs.
    const minuteLater = new Date('2026-11-04T15:21:00Z');
    h.clock.set(minuteLater);
    await waitFor(async () => {
      const [intent] = await buttonIntents();
      return intent && intent.claimedAt.getTime() >= minuteLater.getTime() ? true : undefined;
    }, 10_000).catch(() => undefined);
    await tickAt([h], minuteLater);
    expect(await buttonIntents()).toMatchObject([{ status: 'pending', attempts: 1 }]);
    expect(h.slack.responses.length).toBe(before);

    freeSlots();
    await Promise.all(dashboards);
    await h.slack.waitForResponses(before + 1, 10_000);
    await waitFor(async () => ((await buttonIntents())[0]?.status === 'done' ? true : undefined), 10_000);
    expect(await buttonIntents()).toMatchObject([{ status: 'done', attempts: 1 }]);
    const answers = h.slack.responses.slice(before);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body).toMatchObject({ replace_original: true });
    expect(await h.bot.database.prisma.pullRequestAnswer.findMany({ select: { number: true, answer: true } })).toEqual([
      { number: PR.passkeys, answer: 'land' },
    ]);
  });
});
