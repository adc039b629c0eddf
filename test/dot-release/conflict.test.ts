/**
 * Issue 14 item 4: a conflict in the second of three commits. The run stops with nothing pushed to the train,
 * the owner gets the hand-off by DM and in the train's thread (the commit, its files, the clean picks, the exact
 * commands), finishes the pick by hand on `dot/train-302.1`, and *Resume* carries on to the tag. *Abandon* closes
 * the plan and tells the requesters.
 */
import { DOT_RELEASE_ABANDON_ACTION, DOT_RELEASE_RESUME_ACTION } from '../../src/dot-release/run-view';
import { dmsOf } from '../patches/helpers';
import {
  BOB,
  CAROL,
  CHANNEL,
  ENGINEER,
  approve,
  buttonValue,
  press,
  remoteLog,
  requestFix,
  runFromSlack,
  sh,
  startDotScene,
  waitForResponse,
  type DotScene,
} from './scene';

jest.setTimeout(240_000);

function found<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a message');
  return value;
}

async function conflictScene(): Promise<DotScene> {
  const scene = await startDotScene({ conflictOnSecond: true });
  await approve(scene.h, await requestFix(scene.h, ENGINEER, scene.fixes));
  return scene;
}

describe('a conflict in the second of three commits', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('stops with nothing pushed, hands off with the exact commands; Resume after the pick by hand finishes the release', async () => {
    scene = await conflictScene();
    const { h, fixture, fixes } = scene;
    const trainBefore = fixture.remoteGit('rev-parse', 'train-302');
    const outcome = await runFromSlack(h, 302, 1);
    expect(outcome).toContain('stopped at a conflict');
    expect(fixture.remoteGit('rev-parse', 'train-302')).toBe(trainBefore);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.1')).toBe('');

    const handOff = found(dmsOf(h, BOB).find((m) => m.text.includes('stopped at a conflict')));
    const said = JSON.stringify(handOff.blocks);
    expect(said).toContain(fixes[1].slice(0, 10));
    expect(said).toContain('a.txt');
    expect(said).toContain('Picked cleanly so far');
    expect(said).toContain(fixes[0].slice(0, 10));
    expect(said).toContain('git fetch origin');
    expect(said).toContain('git switch -C dot/train-302.1 origin/dot/train-302.1');
    expect(said).toContain(`git cherry-pick -x ${fixes[1]}`);
    expect(said).toContain('git cherry-pick --continue');
    expect(said).toContain('git push origin dot/train-302.1');
    const thread = h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts && m.text.includes('stopped at a conflict'));
    expect(thread).toHaveLength(1);
    // The clean pick is on the hand-off branch.
    expect(remoteLog(fixture, 'train-302..dot/train-302.1')).toEqual(['fix(b): buzz']);

    // Resume before the pick is done: told what is missing, nothing moves.
    let before = h.slack.responses.length;
    await press(h, BOB, DOT_RELEASE_RESUME_ACTION, buttonValue(handOff, DOT_RELEASE_RESUME_ACTION), handOff, false);
    expect(await waitForResponse(h, before, /does not have/)).toContain(`git cherry-pick -x ${fixes[1]}`);

    // The owner follows the commands.
    const clone = `${fixture.root}/owner`;
    sh(fixture.root, `git clone --quiet ${fixture.remote} owner`);
    sh(clone, 'git -c user.name=Bob -c user.email=bob@example.com switch -q -C dot/train-302.1 origin/dot/train-302.1');
    sh(clone, `git -c user.name=Bob -c user.email=bob@example.com cherry-pick -x ${fixes[1]} 2>/dev/null || true`);
    sh(
      clone,
      "printf 'ONE\\ntwo\\nthree\\n' > a.txt && git add -A && GIT_EDITOR=true git -c user.name=Bob -c user.email=bob@example.com cherry-pick --continue",
    );
    sh(clone, 'git push -q origin dot/train-302.1');

    before = h.slack.responses.length;
    await press(h, BOB, DOT_RELEASE_RESUME_ACTION, buttonValue(handOff, DOT_RELEASE_RESUME_ACTION), handOff, false);
    const resumed = await waitForResponse(h, before, /released|conflict|failed/);
    expect(resumed).toContain('released');
    expect(remoteLog(fixture, 'v1.302.0..train-302')).toEqual([
      'fix(c): salt',
      'fix(a): first line',
      'fix(b): buzz',
      'train-only: first line',
    ]);
    expect(fixture.remoteGit('rev-parse', 'v1.302.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-302'));
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
  });

  test('Abandon closes it and tells the requesters; only the owner or an admin may', async () => {
    scene = await conflictScene();
    const { h, fixture } = scene;
    await runFromSlack(h, 302, 1);
    const handOff = found(dmsOf(h, BOB).find((m) => m.text.includes('stopped at a conflict')));
    const value = buttonValue(handOff, DOT_RELEASE_ABANDON_ACTION);
    const message = handOff;
    // The dashboard shows it waiting for a person.
    let before = h.slack.responses.length;
    await h.sender.sendSlashCommand({ text: 'status', userId: ENGINEER });
    expect(await waitForResponse(h, before, /Dot release 302\.1/)).toContain('Dot release 302.1* (`v1.302.1`): conflict');
    before = h.slack.responses.length;
    await press(h, CAROL, DOT_RELEASE_ABANDON_ACTION, value, message, false);
    expect(await waitForResponse(h, before, /Only/)).toContain('the owner of train 302, or an admin');
    before = h.slack.responses.length;
    await press(h, BOB, DOT_RELEASE_ABANDON_ACTION, value, message, false);
    expect(await waitForResponse(h, before, /abandoned/)).toContain('Dot release 302.1');
    const told = dmsOf(h, ENGINEER).filter((m) => m.text.includes('was abandoned'));
    expect(told).toHaveLength(1);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.1')).toBe('');
    // Abandoned twice: nothing more.
    before = h.slack.responses.length;
    await press(h, BOB, DOT_RELEASE_ABANDON_ACTION, value, message, false);
    await waitForResponse(h, before, /abandoned/);
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('was abandoned'))).toHaveLength(1);
  });
});
