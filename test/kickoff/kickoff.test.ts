import { ADMIN, ALICE, BOB, CAROL, CHANNEL, importTeam, TEAM_SETTINGS } from '../support/team';
import { createTrainCalendar } from '../../src/train/calendar';
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startHarness, type Harness } from '../support/harness';

const settings = TEAM_SETTINGS;
const calendar = createTrainCalendar({ anchor: { train: 301, cutDate: '2026-10-21' } });
const kickoffOf = (train: number) => calendar.getTrain(train).kickoff;
const MINUTE = 60_000;

async function importThree(h: Harness, startTrain: number): Promise<void> {
  await importTeam(h, {
    people: { [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol', [ADMIN]: 'admin' },
    rotation: [ALICE, BOB, CAROL],
    startTrain,
    actor: ADMIN,
  });
}

const announcements = (h: Harness): FakeSlackMessage[] =>
  h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts && /kicks off/.test(m.text ?? ''));

/** Two replicas of the bot on one database, one fake Slack and one fake GitHub, the morning of train 303's kickoff. */
async function startTwoReplicas(): Promise<[Harness, Harness]> {
  const first = await startHarness({ settings, now: '2026-11-05T08:00:00Z', instanceId: 'replica-a' });
  const second = await startHarness({ settings, schema: first.schema, slack: first.slack, github: first.github, instanceId: 'replica-b' });
  return [first, second];
}

describe('kickoff announcements', () => {
  test('two replicas on one database and one clock post each kickoff exactly once over 10 trains', async () => {
    const [first, second] = await startTwoReplicas();
    try {
      await importThree(first, 303);
      for (let train = 303; train < 313; train++) {
        for (const at of [new Date(kickoffOf(train).getTime() + MINUTE), new Date(kickoffOf(train).getTime() + 4 * 60 * MINUTE + MINUTE)]) {
          first.clock.set(at);
          second.clock.set(at);
          await Promise.all([first.bot.app.scheduler.tick(at), second.bot.app.scheduler.tick(at)]);
        }
      }
      const posted = announcements(first);
      expect(posted.map((m) => Number(/Train (\d+) kicks off/.exec(m.text ?? '')?.[1]))).toEqual([
        303, 304, 305, 306, 307, 308, 309, 310, 311, 312,
      ]);
      // Owners in list order, each mentioned in their own announcement.
      expect(posted.map((m) => /Release owner: <@(\w+)>/.exec(m.text ?? '')?.[1])).toEqual([
        ALICE,
        BOB,
        CAROL,
        ALICE,
        BOB,
        CAROL,
        ALICE,
        BOB,
        CAROL,
        ALICE,
      ]);
      // Nobody confirmed: each announcement got exactly one reminder to the admins, in its thread.
      for (const message of posted) {
        const thread = first.slack.messagesIn(CHANNEL, { threadTs: message.ts }).filter((m) => m.thread_ts === message.ts);
        expect(thread).toHaveLength(1);
        expect(thread[0]?.text).toMatch(/<@U0ADMIN01>: <@\w+> has not confirmed train \d+ yet/);
      }
      const runs = await first.bot.database.sql.query<{ job: string; n: string }>(
        `SELECT job, count(*) AS n FROM job_runs WHERE status = 'done' AND job LIKE 'kickoff-%' GROUP BY job ORDER BY job`,
      );
      expect(runs).toEqual([
        { job: 'kickoff-announcement', n: '10' },
        { job: 'kickoff-confirmation-check', n: '10' },
      ]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  test('an instance started 30 minutes after a kickoff posts it late; one started 2 days later does not', async () => {
    const late = await startHarness({ settings, now: new Date(kickoffOf(303).getTime() - 60 * MINUTE).toISOString() });
    await importThree(late, 303);
    const schema = late.schema;
    const { slack, github } = late;
    await late.bot.stop();
    try {
      const restarted = await startHarness({
        settings,
        schema,
        slack,
        github,
        runScheduler: true,
        now: new Date(kickoffOf(303).getTime() + 30 * MINUTE).toISOString(),
      });
      expect(announcements(restarted).map((m) => m.text)).toEqual([expect.stringContaining('Train 303 kicks off')]);
      await restarted.close();

      // Two days after train 304's kickoff, with nobody up in between: recorded as missed, not posted.
      const muchLater = await startHarness({
        settings,
        schema,
        slack,
        github,
        runScheduler: true,
        now: new Date(kickoffOf(304).getTime() + 2 * 24 * 60 * MINUTE).toISOString(),
      });
      expect(announcements(muchLater).map((m) => m.text)).toEqual([expect.stringContaining('Train 303 kicks off')]);
      const missed = await muchLater.bot.database.sql.query<{ job: string; scheduledAt: Date; status: string }>(
        `SELECT job, "scheduledAt", status FROM job_runs WHERE "scheduledAt" = $1`,
        [kickoffOf(304)],
      );
      expect(missed).toEqual([expect.objectContaining({ job: 'kickoff-announcement', status: 'missed' })]);
      await muchLater.close();
    } finally {
      await late.close();
    }
  });

  describe('the owner’s answer', () => {
    let h: Harness;
    let message: FakeSlackMessage;

    beforeAll(async () => {
      h = await startHarness({ settings, now: new Date(kickoffOf(303).getTime() - MINUTE).toISOString() });
      await importThree(h, 303);
      h.clock.set(new Date(kickoffOf(303).getTime() + MINUTE));
      await h.bot.app.scheduler.tick(h.clock.now());
      message = announcements(h)[0] as FakeSlackMessage;
    });
    afterAll(async () => {
      await h.close();
    });

    /** `/release rotation show` as Carol: the text of the (ephemeral) reply. */
    async function rotationShow(): Promise<string> {
      const before = h.slack.responses.length;
      await h.sender.sendSlashCommand({ text: 'rotation show', userId: CAROL });
      await h.slack.waitForResponses(before + 1, 5000);
      return String(h.slack.responses[before]?.body?.text);
    }

    async function press(userId: string, actionId: string, target: FakeSlackMessage = message) {
      const before = h.slack.responses.length;
      await h.sender.sendBlockActions(
        h.sender.blockActionsPayload({
          userId,
          actionId,
          value: '303',
          channelId: CHANNEL,
          messageTs: target.ts,
          message: { ...target },
        }),
      );
      await h.slack.waitForResponses(before + 1, 5000);
      return h.slack.responses[before]?.body ?? {};
    }

    test('the announcement names the owner, the cutoff in PT/ET/UTC and the reader’s zone, and who is next', () => {
      expect(message.text).toContain('Train 303 kicks off. Release owner: <@U0ALICE01>');
      const blocks = JSON.stringify(message.blocks);
      expect(blocks).toMatch(/Wed 18 Nov, 10:00 PT \/ 13:00 ET \/ 18:00 UTC/);
      expect(blocks).toContain(`<!date^${calendar.getTrain(303).cutoff.getTime() / 1000}^`);
      // Bob is not asked to do anything yet: named, not pinged; only the owner, asked to confirm, is mentioned.
      expect(blocks).toContain('*Next up:* bob for train 304.');
      expect(new Set(`${message.text}${blocks}`.match(/<@U\w+>/g))).toEqual(new Set([`<@${ALICE}>`]));
    });

    test('someone else cannot confirm, and is told who can', async () => {
      const reply = await press(BOB, 'kickoff_confirm');
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toContain('Only <@U0ALICE01>, the owner of train 303, can confirm it.');
      expect((await h.bot.database.prisma.trainAssignment.findUnique({ where: { train: 303 } }))?.confirmedAt).toBeNull();
    });

    test('the owner confirms; a double click confirms once', async () => {
      const first = await press(ALICE, 'kickoff_confirm');
      await press(ALICE, 'kickoff_confirm');
      expect(first.replace_original).toBe(true);
      // Her own click: named, not pinged.
      expect(JSON.stringify(first.blocks)).toContain('alice confirmed train 303.');
      expect(JSON.stringify(first.blocks)).not.toContain(':white_check_mark: <@');
      expect(JSON.stringify(first.blocks)).not.toContain('kickoff_confirm');
      const confirmations = await h.bot.database.prisma.auditEvent.count({ where: { action: 'kickoff.confirm' } });
      expect(confirmations).toBe(1);
      // Confirmed: the deadline passes without bothering the admins.
      const deadline = new Date(kickoffOf(303).getTime() + 4 * 60 * MINUTE + MINUTE);
      await h.bot.app.scheduler.tick(deadline);
      expect(h.slack.messagesIn(CHANNEL, { threadTs: message.ts }).filter((m) => m.thread_ts === message.ts)).toHaveLength(0);
    });

    test('handing the train on re-plans and re-announces: the next person gets it, the decliner is owed one', async () => {
      const reply = await press(ALICE, 'kickoff_decline');
      expect(JSON.stringify(reply.blocks)).toContain("alice can't take train 303; it was announced again below.");
      const all = announcements(h);
      expect(all).toHaveLength(2);
      expect(all[1]?.text).toContain('Train 303 kicks off. Release owner: <@U0BOB0001>');
      // Alice pressed it herself: named in the re-announcement, not pinged; Bob, asked to confirm, is.
      expect(JSON.stringify(all[1]?.blocks)).toContain("alice can't take it, so the rotation picked the next person.");
      // Alice is owed the next train: 304 is hers, then the list goes on with Carol.
      expect(JSON.stringify(all[1]?.blocks)).toContain('*Next up:* alice for train 304.');
      expect(new Set(`${all[1]?.text}${JSON.stringify(all[1]?.blocks)}`.match(/<@U\w+>/g))).toEqual(new Set([`<@${BOB}>`]));
      // The rotation lists her hand-on apart from time away, by name.
      expect(await h.bot.database.prisma.rosterSkip.findMany({ select: { slackUserId: true, train: true, reason: true } })).toEqual([
        { slackUserId: ALICE, train: 303, reason: 'handed-on' },
      ]);
      const shown = await rotationShow();
      expect(shown).toContain('*Handed on train 303*: @alice');
      expect(shown).not.toContain('*Away*');
      // Pressing the old message's button again changes nothing.
      const again = await press(ALICE, 'kickoff_decline');
      expect(JSON.stringify(again)).toMatch(/Only <@U0BOB0001>, the owner of train 303, or an admin can hand it on/);
      expect(announcements(h)).toHaveLength(2);
    });
  });

  test('with an empty roster the kickoff says no owner is assigned and tells the admins', async () => {
    const h = await startHarness({ settings, now: new Date(kickoffOf(303).getTime() + MINUTE).toISOString() });
    try {
      await h.bot.app.scheduler.tick(h.clock.now());
      const [posted] = announcements(h);
      expect(posted?.text).toBe('Train 303 kicks off with no release owner assigned.');
      expect(JSON.stringify(posted?.blocks)).toContain('/release rotation import');
      const thread = h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts === posted?.ts);
      expect(thread.map((m) => m.text)).toEqual(['<@U0ADMIN01>: Train 303 kicked off with no release owner assigned.']);
    } finally {
      await h.close();
    }
  });

  test('a replica that dies while Slack posts the kickoff leaves it posted once: the job run again after its lease does not post it again', async () => {
    const [first, second] = await startTwoReplicas();
    try {
      await importThree(first, 303);
      // Replica A's post reaches Slack, which takes long to answer: as far as A's database knows, nothing was posted yet.
      first.slack.failNext('chat.postMessage', { delayMs: 2500 });
      const startedAt = new Date(kickoffOf(303).getTime() + MINUTE);
      first.clock.set(startedAt);
      const dying = first.bot.app.scheduler.tick(startedAt);
      await first.slack.waitForCalls('chat.postMessage', 1);
      // A is gone as far as the others can tell: once its lease is over, replica B runs the job again.
      const later = new Date(startedAt.getTime() + 11 * MINUTE);
      second.clock.set(later);
      await second.bot.app.scheduler.tick(later);
      const runs = await second.bot.database.sql.query<{ attempts: number; claimedBy: string }>(
        `SELECT attempts, "claimedBy" FROM job_runs WHERE job = 'kickoff-announcement'`,
      );
      expect(runs).toEqual([expect.objectContaining({ attempts: 2, claimedBy: expect.stringContaining('replica-b') })]);
      await dying;
      expect(first.slack.callsTo('chat.postMessage').filter((call) => /kicks off/.test(String(call.args.text)))).toHaveLength(1);
      expect(announcements(first).map((m) => m.text)).toEqual([expect.stringContaining('Train 303 kicks off')]);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
