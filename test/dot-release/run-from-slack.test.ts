/**
 * Issue 14 item 2: a planned dot release run from Slack, on a real repository (a bare remote in a temporary
 * directory): the Run button, the confirmation listing the commits, the picks with -x in main order, the
 * fast-forward push, the annotated tag pushed by itself, the tag handed to the tag watcher, the requesters told
 * once each, and the next approval planning the next patch.
 */
import { dmsOf } from '../patches/helpers';
import {
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  ENGINEER,
  OTHER,
  approve,
  announcement,
  buttonValue,
  press,
  remoteLog,
  requestFix,
  runFromSlack,
  startDotScene,
  type DotScene,
} from './scene';
import { DOT_RELEASE_RUN_ACTION } from '../../src/patches/patch-messages';

jest.setTimeout(240_000);

describe('a dot release run from Slack', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('three picks: confirmation in main order, picked with -x, pushed fast-forward, tag pushed alone, requesters told once, GitHub asked nothing', async () => {
    scene = await startDotScene();
    const { h, fixture, fixes } = scene;
    const [fix1, fix2, fix3] = fixes;
    const first = await requestFix(h, ENGINEER, [fix3, fix1]);
    const second = await requestFix(h, OTHER, [fix2]);
    expect(await approve(h, first)).toContain('Dot release *302.1*');
    expect(await approve(h, second)).toContain('it joins dot release *302.1*');

    const message = announcement(h, 302, 1);
    const confirmation = await press(h, BOB, DOT_RELEASE_RUN_ACTION, buttonValue(message, DOT_RELEASE_RUN_ACTION), message);
    const shown = JSON.stringify(h.slack.responses.at(-1)?.body);
    expect(confirmation).toContain('Run dot release 302.1');
    // In main order, whatever order they were requested in.
    expect(shown.indexOf(fix1.slice(0, 10))).toBeLessThan(shown.indexOf(fix2.slice(0, 10)));
    expect(shown.indexOf(fix2.slice(0, 10))).toBeLessThan(shown.indexOf(fix3.slice(0, 10)));

    const requestsBefore = h.github.requests.length;
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('released');
    expect(outcome).toContain('v1.302.1');
    // The run asks GitHub nothing (target: at most 5 for three picks; the watcher's looks come later and are excluded).
    const runRequests = h.github.requests.length - requestsBefore;
    expect(runRequests).toBeLessThanOrEqual(5);
    expect(runRequests).toBe(0);

    // The remote: three picks on train-302 with their trailers, fast-forward from the cut; the annotated tag on its tip.
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual(['fix(c): salt', 'fix(a): first line', 'fix(b): buzz']);
    const bodies = fixture.remoteGit('log', '--format=%B', 'v1.302.0..train-302');
    for (const sha of fixes) expect(bodies).toContain(`(cherry picked from commit ${sha})`);
    expect(fixture.remoteGit('merge-base', '--is-ancestor', 'v1.302.0', 'train-302')).toBe('');
    expect(fixture.remoteGit('cat-file', '-t', 'v1.302.1')).toBe('tag');
    expect(fixture.remoteGit('tag', '-l', '--format=%(contents:subject)', 'v1.302.1')).toBe('Train release v1.302.1');
    expect(fixture.remoteGit('rev-parse', 'v1.302.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-302'));

    // The tag watcher follows it like a cut, in the train's thread.
    const release = await h.bot.database.prisma.tagRelease.findUnique({ where: { tag: 'v1.302.1' } });
    expect(release).toMatchObject({ train: 302, patch: 1, kind: 'patch', state: 'tagged' });
    expect(h.slack.messagesIn(CHANNEL).some((m) => m.thread_ts && m.text.includes('v1.302.1'))).toBe(true);

    // Each requester hears it once; the announcement says it is out.
    for (const user of [ENGINEER, OTHER]) {
      expect(dmsOf(h, user).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
    }
    expect(announcement(h, 302, 1).text).toMatch(/watched/);

    // A fix approved now goes into the next dot release (before: it was told it goes into 302.1, already out).
    const late = await requestFix(h, ALICE, [fixture.git('rev-parse', 'main')]);
    const reply = await approve(h, late);
    expect(reply).toContain('Dot release *302.2*');
    expect(reply).toContain('v1.302.2');
  });

  test('only the owner or an admin runs it: others are told who may, and nothing is picked', async () => {
    scene = await startDotScene();
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, [fixes[0]]));
    const message = announcement(h, 302, 1);
    const refused = await press(h, CAROL, DOT_RELEASE_RUN_ACTION, buttonValue(message, DOT_RELEASE_RUN_ACTION), message);
    expect(refused).toContain(`Only <@${BOB}>, the owner of train 302, or an admin can run`);
    const reply = await h.sender.sendSlashCommand({ text: 'patch run 302.1', userId: ENGINEER });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(h.slack.responses.length);
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([]);
  });
});
