/**
 * `/release patch`, `/release where` and `/release forward-ports` from Slack: every bad input gets an ephemeral
 * answer saying what is wrong and what is expected; a double click runs a dot release once; help lists them.
 */
import { DOT_RELEASE_RUN_ACTION } from '../../src/patches/patch-messages';
import type { Harness } from '../support/harness';
import { dmsOf } from '../patches/helpers';
import {
  BOB,
  CAROL,
  ENGINEER,
  announcement,
  approve,
  buttonValue,
  mirrorToGitHub,
  press,
  remoteLog,
  requestFix,
  runFromSlack,
  startDotScene,
  waitForResponse,
  type DotScene,
} from './scene';

jest.setTimeout(240_000);

async function command(h: Harness, userId: string, text: string): Promise<string> {
  const before = h.slack.responses.length;
  const reply = await h.sender.sendSlashCommand({ text, userId });
  expect(reply.status).toBe(200);
  return waitForResponse(h, before, /./);
}

describe('the dot-release commands', () => {
  let scene: DotScene;
  beforeAll(async () => {
    scene = await startDotScene({ cut303: true });
    await approve(scene.h, await requestFix(scene.h, ENGINEER, [scene.fixes[0], scene.fixes[2]]));
  });
  afterAll(async () => {
    await scene?.close();
  });

  test('help lists patch, forward-ports and where', async () => {
    const help = await command(scene.h, ENGINEER, 'help');
    expect(help).toContain('/release patch run|resume|abandon &lt;train.patch&gt;');
    expect(help).toContain('/release forward-ports [train]');
    expect(help).toContain('/release where &lt;PR link | #number | sha&gt;');
  });

  test.each([
    ['patch', '`/release patch` takes `run`, `resume` or `abandon`.'],
    ['patch frobnicate 302.1', '`frobnicate` is not one of them'],
    ['patch run', 'Which dot release? Give it as `train.patch`, e.g. `302.3`'],
    ['patch run three', '`three` is not a dot release number. Give it as `train.patch`'],
    ['patch run 302.9', 'There is no dot release 302.9; nothing was done. Train 302 has *302.1*.'],
    ['patch run 302.1 now', 'does not take `now`'],
    ['patch resume 302.1', 'has not started, so there is nothing to resume'],
    ['where', 'Which change? Give a pull request link, `#number` or a commit SHA.'],
    ['where nonsense!', 'nonsense! is neither a commit SHA (7 to 40 hex characters) nor a pull request link'],
    ['where #999', '#999 is not a pull request of mozilla/fxa'],
    ['where deadbeefdeadbeef', 'deadbeef'],
    ['forward-ports train', 'Give a train number such as `302`'],
  ])('`/release %s` is refused with what is expected', async (text, expected) => {
    const answer = await command(scene.h, BOB, text);
    expect(answer).toContain(expected);
    expect(remoteLog(scene.fixture, 'v1.302.0..train-302')).toEqual([]);
  });

  test('`/release patch run` by someone who may not: told who may', async () => {
    expect(await command(scene.h, CAROL, 'patch run 302.1')).toContain(`Only <@${BOB}>, the owner of train 302, or an admin can run`);
    expect(await command(scene.h, CAROL, 'patch abandon 302.1')).toContain(`Only <@${BOB}>`);
  });

  test('`/release patch run 302.1` shows the confirmation with the commits; a double click on two replicas runs it once; newer train 303 gets its forward port', async () => {
    const { h, fixture, fixes } = scene;
    const shown = await command(h, BOB, 'patch run v1.302.1');
    expect(shown).toContain('Run dot release 302.1');
    expect(shown).toContain(fixes[0].slice(0, 10));
    const confirmation = h.slack.responses.at(-1)?.body ?? {};
    const value = buttonValue(confirmation, 'dot_release_confirm');
    const message = { ...announcement(h, 302, 1), blocks: confirmation.blocks as never };
    const before = h.slack.responses.length;
    // Clicked twice, the clicks landing on two replicas (each with a git cache of its own).
    const other = await scene.replica();
    await Promise.all([
      press(h, BOB, 'dot_release_confirm', value, message, false),
      press(other, BOB, 'dot_release_confirm', value, message, false),
    ]);
    await h.slack.waitForResponses(before + 2, 120_000);
    const answers = h.slack.responses.slice(before).map((r) => String(r.body.text));
    expect(answers).toEqual([expect.stringContaining('watched'), expect.stringContaining('watched')]);
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual(['fix(c): salt', 'fix(b): buzz']);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.*')).toBe('v1.302.0\nv1.302.1');
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);

    // Train 303 was cut after the first fix: its forward port carries only the other, announced with Run dot release.
    const port = announcement(h, 303, 1);
    expect(port.text).toContain('303.1');
    expect(JSON.stringify(port.blocks)).toContain('Forward port to train 303');
    expect(JSON.stringify(port.blocks)).toContain(fixes[2].slice(0, 10));
    expect(JSON.stringify(port.blocks)).not.toContain(fixes[0].slice(0, 10));
    expect(buttonValue(port, DOT_RELEASE_RUN_ACTION)).toMatch(/^\d+:1$/);

    // `/release forward-ports 302` lists them as missing on 303.
    const ports = await command(h, BOB, 'forward-ports 302');
    expect(ports).toContain('Train 302 → train 303');
    expect(ports).toContain('missing on train 303');

    // Carol, train 303's owner, runs the forward port (lowest first: 302 is out): the fix reaches 303.
    expect(await runFromSlack(h, 303, 1, CAROL)).toContain('released');
    expect(remoteLog(fixture, 'v1.303.0..train-303')).toEqual(['fix(c): salt']);
    expect(fixture.remoteGit('tag', '-l', 'v1.303.*')).toBe('v1.303.0\nv1.303.1');
  });

  test('`/release where` names the trains and tags that contain a change, and what stage and production run', async () => {
    const { h, fixture, fixes } = scene;
    mirrorToGitHub(fixture, h.github);
    scene.environments.set('stage', '1.302.1');
    const answer = await command(h, ENGINEER, `where ${fixes[0]}`);
    expect(answer).toContain('*Train 302*');
    expect(answer).toContain('cherry-picked');
    expect(answer).toContain('`v1.302.1` (*on stage now*)');
    expect(answer).toMatch(/\*Train 303\* \(`train-303`\): the commit itself; tags `v1.303.0`/);
    const untouched = await command(h, ENGINEER, `where ${fixes[1]}`);
    expect(untouched).toContain('in no train branch');
  });
});
