/**
 * Issue 15 item 7: QA's sign-off of the train on stage (`/release qa`, and the
 * buttons of the "on stage" notice) is recorded and said in the thread;
 * yellow or red tells the engineering managers and offers a dot-release
 * request; production is watched like stage; `/release status` shows where
 * each recent train is. Every bad input gets a clear ephemeral answer.
 */
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { setCi, succeedTagRun } from '../fakes/tag-release-workflow';
import type { Harness } from '../support/harness';
import {
  ADMIN,
  ALICE,
  ask,
  BOB,
  buttonValue,
  CHANNEL,
  cutOf,
  press,
  repliesNow,
  SETTINGS,
  settle,
  startCut,
  startTaggingHarness,
  textOf,
  tick,
} from './helpers';

// Each test plays a cut minute by minute (many scheduler ticks): on a loaded machine that takes longer than Jest's default.
jest.setTimeout(120_000);

const MANAGER = 'U0MANAGER1';
const STRANGER = 'U0STRANGE1';

describe('QA sign-off and production', () => {
  let envs: FakeEnvironments;
  beforeAll(async () => {
    envs = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
  });
  afterAll(async () => {
    await envs.close();
  });
  const settings = () => ({
    ...SETTINGS,
    stageVersionUrl: envs.stageUrl,
    productionVersionUrl: envs.productionUrl,
    qa: { managers: [MANAGER], managersUsergroup: 'S0ENGMGMT1' },
  });

  /** Train 303 cut, CI passed, on stage. */
  async function onStage(h: Harness): Promise<string> {
    envs.set('stage', '1.302.0');
    envs.set('production', '1.301.4');
    h.slack.addUser({ id: MANAGER, name: 'manager' });
    h.slack.addUser({ id: STRANGER, name: 'stranger' });
    const { mark, run } = await startCut(h);
    const cut = succeedTagRun(h.github, run);
    setCi(h.github, cut.sha, 'completed', 'success');
    for (let i = 0; i < 3; i++) await tick(h);
    envs.set('stage', '1.303.0');
    for (let i = 0; i < 3; i++) await tick(h);
    expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });
    return mark;
  }

  test('yellow from the "on stage" buttons: recorded, in the thread (managers asked), managers DMed with a dot-release button; status shows it', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const mark = await onStage(h);
      const notice = (await repliesNow(h, mark)).find((m) => m.text.includes('Train 303 is on stage'));
      if (!notice) throw new Error('no on-stage notice');
      expect(buttonValue(notice, 'qa_green')).toBeDefined();
      const reply = await press(h, BOB, 'qa_yellow', buttonValue(notice, 'qa_yellow'), notice);
      expect(textOf(reply)).toContain(
        "Recorded QA's sign-off of train 303: *yellow*. It shows in `/release status`. I told the engineering managers.",
      );
      const dotRelease = buttonValue(reply, 'qa_dot_release');
      expect(dotRelease).toBe('303');
      await settle(h);

      const thread = (await repliesNow(h, mark)).map((m) => m.text);
      const said = thread.find((t) => t.includes('QA signed off *train 303* on stage: *yellow*'));
      // Bob's own click: named in the thread, not pinged.
      expect(said).toContain('(by bob)');
      expect(said).not.toContain('<@U0BOB0001>');
      expect(said).toContain('Engineering management is asked whether it needs a dot release. <!subteam^S0ENGMGMT1>');
      const dm = h.slack.messagesIn(h.slack.dmChannelFor(MANAGER));
      expect(dm).toHaveLength(1);
      expect(dm[0]?.text).toContain("QA's sign-off of *train 303* on stage is *yellow* (by <@U0BOB0001>)");
      expect(buttonValue(dm[0] ?? { blocks: [] }, 'qa_dot_release')).toBe('303');
      const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { action: 'qa.signoff' } });
      expect(audit.map((a) => [a.actor, a.subject])).toEqual([[BOB, 'train:303']]);

      const status = await ask(h, ALICE, 'status');
      expect(status).toContain('*Trains:* 304: building · 303: on stage, QA :large_yellow_circle: yellow');

      // The dot-release button opens the patch request modal for train 303.
      const opened = h.slack.callsTo('views.open').length;
      const click = h.sender.blockActionsPayload({ userId: MANAGER, actionId: 'qa_dot_release', value: '303', channelId: CHANNEL });
      expect((await h.sender.sendBlockActions(click)).status).toBe(200);
      await h.slack.waitForCalls('views.open', opened + 1);
      await settle(h);
      expect(JSON.stringify(h.slack.modals.at(-1))).toContain('303');
    } finally {
      await h.close();
    }
  });

  test('/release qa red 303 with a note; green needs no managers; then production: reached production, status "in production"', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const mark = await onStage(h);
      const red = await ask(h, ALICE, 'qa red 303 login loops on Safari &lt;17&gt;');
      expect(red).toContain("Recorded QA's sign-off of train 303: *red*: login loops on Safari &lt;17&gt;.");
      const green = await ask(h, ADMIN, 'qa green');
      expect(green).toContain("Recorded QA's sign-off of train 303: *green*.");
      expect(green).not.toContain('engineering managers');
      await settle(h);
      expect(h.slack.messagesIn(h.slack.dmChannelFor(MANAGER))).toHaveLength(1);
      expect(await ask(h, ALICE, 'status')).toContain('303: on stage, QA :large_green_circle: green');

      envs.set('production', '1.303.0');
      for (let i = 0; i < 3; i++) await tick(h, 5);
      expect(await cutOf(h)).toMatchObject({ state: 'in_production', productionVersion: '1.303.0' });
      const reached = (await repliesNow(h, mark)).filter((m) => m.text.includes('Train 303 reached production'));
      expect(reached).toHaveLength(1);
      expect(reached[0]?.subtype).toBe('thread_broadcast');
      expect(await ask(h, ALICE, 'status')).toContain('303: in production');
      // In production, QA's sign-off is refused.
      expect(await ask(h, ALICE, 'qa yellow 303')).toContain('Train 303 is already in production');
    } finally {
      await h.close();
    }
  });

  test('bad inputs: no colour, an unknown colour, a train not cut, a train not on stage, nothing on stage, not a member', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      h.slack.addUser({ id: STRANGER, name: 'stranger' });
      const { run } = await startCut(h);
      expect(await ask(h, ALICE, 'qa')).toContain('`/release qa &lt;green|yellow|red&gt; [train] [note]`');
      expect(await ask(h, ALICE, 'qa purple 303')).toContain('`purple` is not a QA colour: use green, yellow or red.');
      expect(await ask(h, ALICE, 'qa green')).toContain('No train is on stage right now');
      expect(await ask(h, ALICE, 'qa green 999')).toContain('Train 999 has not been cut');
      succeedTagRun(h.github, run);
      for (let i = 0; i < 3; i++) await tick(h);
      expect(await ask(h, ALICE, 'qa green 303')).toContain('Train 303 is not on stage yet (tagged `v1.303.0`; CI running)');
      expect(await ask(h, STRANGER, 'qa green 303')).toContain(
        "Only members of the release rotation, the engineering managers (`qa.managers`) and admins can record QA's sign-off.",
      );
      expect(await h.bot.database.prisma.qaSignoff.count()).toBe(0);
    } finally {
      await h.close();
    }
  });
});
