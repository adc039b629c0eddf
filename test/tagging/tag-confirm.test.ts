/**
 * `/release tag`'s Confirm, end to end: the guard. One dispatch per train
 * across double clicks and two replicas; refusals (a tag cut by hand, main
 * moved, workflow not found, token without the scope) dispatch nothing and
 * say why; news goes to the train's one thread.
 */
import { runsOf, TAG_WORKFLOW } from '../fakes/tag-release-workflow';
import { startHarness, type Harness } from '../support/harness';
import {
  ADMIN,
  ALICE,
  arrangeTeam,
  CHANNEL,
  cutOf,
  lastTs,
  press,
  settle,
  SETTINGS,
  startTaggingHarness,
  repliesNow,
  forgetCut,
  confirmation,
} from './helpers';

describe('/release tag: confirming (the guard)', () => {
  let h: Harness;
  let mainHead: string;
  /** The thread messages of the current test are those after this. */
  let mark = '0';

  beforeAll(async () => {
    h = await startTaggingHarness();
    mainHead = await arrangeTeam(h);
    h.github.addPullRequest({ title: 'Still open <!channel>', authorLogin: 'dora' });
    h.github.addPullRequest({ title: 'Also open', authorLogin: 'eve' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** Forgets any cut of train 303, on GitHub and in the bot. */
  async function reset(): Promise<void> {
    await forgetCut(h, mainHead);
    mark = lastTs(h);
  }
  beforeEach(reset);

  test('confirming dispatches tag-release.yml on main once, with no inputs, and opens the train thread', async () => {
    const { value } = await confirmation(h, ALICE);
    const reply = await press(h, ALICE, 'tag_confirm', value);
    expect(reply.replace_original).toBe(true);
    expect(String(reply.text)).toContain('Dispatched `tag-release.yml` for train 303');
    expect(h.github.workflowDispatches).toEqual([expect.objectContaining({ workflow: TAG_WORKFLOW, ref: 'main', inputs: {} })]);
    const cut = await cutOf(h);
    expect(cut).toMatchObject({
      state: 'dispatched',
      tag: 'v1.303.0',
      requestedBy: ALICE,
      sourceSha: mainHead,
      attempt: 1,
      dispatchUncertain: false,
    });
    // No kickoff announcement: the thread was created at first need, and the news posted in it.
    const root = h.slack.messagesIn(CHANNEL).find((m) => /Train 303/.test(m.text) && m.thread_ts === undefined);
    expect(root?.text).toContain('Train 303: tagging, CI and stage, in this thread.');
    const replies = await repliesNow(h, mark);
    expect(replies.map((m) => m.thread_ts)).toEqual([root?.ts]);
    // The owner is named, not pinged, about her own click.
    expect(replies[0]?.text).toContain(':label: alice is cutting train 303: I dispatched tag-release.yml on main');
    expect(replies[0]?.text).not.toContain('<@U0ALICE01>');
    const audit = await h.bot.database.prisma.auditEvent.findMany({ where: { subject: 'tag:v1.303.0' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      [ALICE, 'tag.request'],
      [ALICE, 'tag.dispatch'],
    ]);
  });

  test('the kickoff announcement is the thread when there is one', async () => {
    await h.bot.database.prisma.trainAssignment.upsert({
      where: { train: 303 },
      create: {
        train: 303,
        slackUserId: ALICE,
        source: 'rotation',
        announcedAt: h.clock.now(),
        announcementChannel: CHANNEL,
        announcementTs: '1700000000.000100',
        createdAt: h.clock.now(),
        updatedAt: h.clock.now(),
      },
      update: { announcementChannel: CHANNEL, announcementTs: '1700000000.000100' },
    });
    try {
      const roots = () => h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts === undefined).length;
      const before = roots();
      const { value } = await confirmation(h, ALICE);
      await press(h, ALICE, 'tag_confirm', value);
      expect((await repliesNow(h, mark)).at(-1)).toMatchObject({
        thread_ts: '1700000000.000100',
        text: expect.stringContaining('is cutting train 303'),
      });
      expect(roots()).toBe(before);
    } finally {
      await h.bot.database.prisma.trainAssignment.delete({ where: { train: 303 } });
    }
  });

  test('a double confirm (one after the other, and both at once) dispatches once', async () => {
    const { value } = await confirmation(h, ALICE);
    const first = await press(h, ALICE, 'tag_confirm', value);
    const second = await press(h, ALICE, 'tag_confirm', value);
    expect(String(first.text)).toContain('Dispatched');
    expect(String(second.text)).toContain('Train 303 is already being cut: tagging workflow running for `v1.303.0`, asked by <@U0ALICE01>');
    await reset();
    // The same confirmation, pressed three times at once (main has not moved: it is still valid).
    const replies = await Promise.all([
      press(h, ALICE, 'tag_confirm', value),
      press(h, ALICE, 'tag_confirm', value),
      press(h, ADMIN, 'tag_confirm', value),
    ]);
    expect(replies.filter((r) => String(r.text).includes('Dispatched'))).toHaveLength(1);
    expect(replies.filter((r) => String(r.text).includes('already being cut'))).toHaveLength(2);
    expect(h.github.workflowDispatches).toHaveLength(1);
    expect(runsOf(h.github, TAG_WORKFLOW)).toHaveLength(1);
  });

  test('a tag that appeared since the confirmation (cut by hand) is refused; so is a main that moved', async () => {
    const { value } = await confirmation(h, ALICE);
    h.github.addTag('v1.303.0', mainHead, { annotated: true });
    const reply = await press(h, ALICE, 'tag_confirm', value);
    expect(String(reply.text)).toContain(
      'The tag `v1.303.0` already exists: train 303 was cut already (not by me). Nothing was dispatched.',
    );
    // A tag that moves the numbering on without being this train's: refused as well.
    h.github.tags.delete('v1.303.0');
    h.github.addTag('v1.303.1', mainHead);
    const renumbered = await press(h, ALICE, 'tag_confirm', value);
    expect(String(renumbered.text)).toContain('The next train is now 304, not 303');
    h.github.tags.delete('v1.303.1');
    const moved = h.github.addCommit({ parents: [mainHead], message: 'Late merge (#9200)' });
    h.github.setBranch('main', moved);
    const late = await press(h, ALICE, 'tag_confirm', value);
    expect(String(late.text)).toContain(
      `\`main\` has moved since this confirmation (it was at \`${mainHead.slice(0, 7)}\`, it is at \`${moved.slice(0, 7)}\`)`,
    );
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await cutOf(h)).toBeNull();
  });

  test('a workflow GitHub cannot find: a clear message, nothing recorded as dispatched, and a later confirm works', async () => {
    h.github.workflows.delete(TAG_WORKFLOW);
    const { value } = await confirmation(h, ALICE);
    const reply = await press(h, ALICE, 'tag_confirm', value);
    expect(String(reply.text)).toContain('GitHub cannot find the workflow `tag-release.yml` in mozilla/fxa');
    expect(String(reply.text)).toContain('Nothing was dispatched.');
    expect(await cutOf(h)).toMatchObject({ state: 'refused', dispatchedAt: null, nextCheckAt: null });
    expect(await repliesNow(h, mark)).toHaveLength(0);
    // Fixed: the refused record does not hold the train.
    h.github.addWorkflow(TAG_WORKFLOW, { inputs: {}, createRunOnDispatch: true });
    const retried = await press(h, ALICE, 'tag_confirm', value);
    expect(String(retried.text)).toContain('Dispatched');
    expect(await cutOf(h)).toMatchObject({ state: 'dispatched', attempt: 2 });
    expect(h.github.workflowDispatches).toHaveLength(1);
  });

  test('a dispatch the token may not make names the missing scope', async () => {
    h.github.injectFault(
      { forbidden: { acceptedScopes: ['workflow'], tokenScopes: ['repo'], message: 'Must have admin rights to Repository.' } },
      { match: (r) => r.method === 'POST' && r.path.endsWith('/dispatches') },
    );
    const { value } = await confirmation(h, ALICE);
    const reply = await press(h, ALICE, 'tag_confirm', value);
    expect(String(reply.text)).toContain(
      "GitHub refused to start `tag-release.yml`: the bot's token is missing the `workflow` scope (it has `repo`)",
    );
    expect(String(reply.text)).toContain('Nothing was dispatched.');
    expect(h.github.workflowDispatches).toHaveLength(0);
    expect(await cutOf(h)).toMatchObject({ state: 'refused' });
  });

  test('two replicas confirming at once: one dispatch', async () => {
    const second = await startHarness({
      settings: SETTINGS,
      schema: h.schema,
      slack: h.slack,
      github: h.github,
      now: h.clock.now().toISOString(),
      instanceId: 'replica-b',
    });
    try {
      const { value } = await confirmation(h, ALICE);
      const [a, b] = await Promise.all([press(h, ALICE, 'tag_confirm', value), press(second, ALICE, 'tag_confirm', value)]);
      await settle(second);
      expect([a, b].filter((r) => String(r.text).includes('Dispatched'))).toHaveLength(1);
      expect([a, b].filter((r) => String(r.text).includes('already being cut'))).toHaveLength(1);
      expect(h.github.workflowDispatches).toHaveLength(1);
      expect((await repliesNow(h, mark)).filter((m) => m.text.includes('is cutting train 303'))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
