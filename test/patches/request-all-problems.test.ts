/**
 * The request form says every problem of one submission at once: what is
 * wrong in the form itself, what GitHub says of the train and of each commit
 * that could be read, and what the database says (already requested, no plan
 * to ride along with), each on its field, every commit named with what is
 * expected; nothing is stored, and the same form, fixed, is sent.
 */
import type { FakeSlackView } from '../fakes/slack-server';
import { ENGINEER, JUSTIFICATION, openRequestModal, requestCount, sceneForAll, submitRequest } from './helpers';

describe('one submission of the request form learns every problem', () => {
  const scene = sceneForAll();
  const stored = () => requestCount(scene);
  const posts = () => scene.h.slack.callsTo('chat.postMessage').length;

  test('problems of the form, of GitHub and of the database on five fields come in one answer; fixed, the same form is sent', async () => {
    const { h } = scene;
    const modal: FakeSlackView = await openRequestModal(h, ENGINEER);
    const postsBefore = posts();
    const answer = await submitRequest(h, modal, ENGINEER, {
      train: '300',
      items: `abc12 https://github.com/mozilla/fxa/pull/${scene.openPr} deadbeefdeadbeef ${scene.unmerged}`,
      reason: 'ride-along',
      justification: 'Broken.',
      bugUrl: 'bug 1234',
    });
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors ?? {}).sort()).toEqual(['bug_url', 'items', 'justification', 'reason', 'train']);
    // GitHub's tags: the train is too old.
    expect(answer.errors?.train).toMatch(/Train 300 no longer takes patches: train 302 has been cut since/);
    // The database: no dot release of 300 to ride along with.
    expect(answer.errors?.reason).toMatch(/No dot release of train 300 is planned/);
    // The form itself.
    expect(answer.errors?.justification).toMatch(/at least 30 characters \(you wrote 7\)/);
    expect(answer.errors?.bug_url).toMatch(/must be a link/);
    // Every commit, the unreadable one and each GitHub refuses, with what is expected.
    const items = answer.errors?.items ?? '';
    expect(items).toMatch(/abc12 is too short for a commit SHA \(7 to 40 hex characters\)/);
    expect(items).toMatch(new RegExp(`#${scene.openPr} is not merged yet: patches must land on main first`));
    expect(items).toMatch(/deadbeefdeadbeef is not a commit of mozilla\/fxa: check it for a typo \(it must be a commit on main\)/);
    expect(items).toContain(`${scene.unmerged.slice(0, 10)} is not on main: patches must land on main first`);
    expect(await stored()).toBe(0);
    expect(posts()).toBe(postsBefore);

    const sent = await submitRequest(h, modal, ENGINEER, { train: '302', items: scene.afterCut[1], reason: 'other' });
    expect(sent.errors).toBeUndefined();
    expect(sent.response_action).toBe('update');
    expect(JSON.stringify(sent.view?.blocks)).toContain('Patch request #1 for train 302 is on its way');
    expect(await stored()).toBe(1);
  });

  test('with no train picked, the commits are still checked against main', async () => {
    const answer = await submitRequest(scene.h, await openRequestModal(scene.h, ENGINEER), ENGINEER, {
      train: null,
      items: `${scene.unmerged} ${scene.afterCut[0]}`,
    });
    expect(answer.errors?.train).toBe('Pick the train to patch.');
    expect(answer.errors?.items).toBe(`${scene.unmerged.slice(0, 10)} is not on main: patches must land on main first.`);
    expect(await stored()).toBe(1);
  });

  test('every commit of a train that takes patches is checked: in the train, requested already, not on main (named together)', async () => {
    const { h } = scene;
    const other = h.github.addCommit({ parents: [scene.unmerged], message: 'More experiments on the branch' });
    const answer = await submitRequest(h, await openRequestModal(h, ENGINEER), ENGINEER, {
      items: [scene.beforeCut, scene.unmerged, scene.afterCut[1], other, scene.afterCut[3]].join('\n'),
      justification: '',
    });
    expect(Object.keys(answer.errors ?? {}).sort()).toEqual(['items', 'justification']);
    expect(answer.errors?.justification).toMatch(/A justification is required/);
    expect(answer.errors?.items).toBe(
      `${scene.beforeCut.slice(0, 10)} is already in train 302 (it was on main before the cut): leave it out, the train has it; ` +
        `${scene.unmerged.slice(0, 10)} and ${other.slice(0, 10)} are not on main: patches must land on main first; ` +
        `${scene.afterCut[1]?.slice(0, 10)} is already requested for train 302 in patch request #1 (pending): leave it out.`,
    );
    expect(await stored()).toBe(1);
  });

  test('GitHub failing: the commits field says so, and the form’s and the database’s problems are still shown', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, ENGINEER);
    h.github.injectFault({ status: 502 }, { times: Infinity });
    try {
      const answer = await submitRequest(h, modal, ENGINEER, {
        items: `abc12 ${scene.afterCut[3]}`,
        reason: 'ride-along',
        justification: 'short',
      });
      expect(Object.keys(answer.errors ?? {}).sort()).toEqual(['items', 'justification', 'reason']);
      expect(answer.errors?.items).toBe(
        'abc12 is too short for a commit SHA (7 to 40 hex characters). I cannot check these commits with GitHub right now ' +
          '(GitHub is not answering (HTTP 502)). Nothing was sent and what you typed is kept: press Send again in a moment.',
      );
      expect(answer.errors?.reason).toMatch(/No dot release of train 302 is planned/);
      expect(answer.errors?.justification).toMatch(/you wrote 5/);
      expect(await stored()).toBe(1);
    } finally {
      h.github.clearFaults();
    }
    // GitHub back, the form fixed: it is sent.
    const posted = posts();
    const id = await requestPatchFrom(modal, { items: scene.afterCut[3], justification: JUSTIFICATION });
    expect(id).toBe(2);
    await h.slack.waitForCalls('chat.postMessage', posted + 3);
  });

  test('GitHub not answering and no commit to check: the train says it was not checked, in time, with the form’s problems', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, ENGINEER);
    h.github.injectFault({ hang: true }, { times: Infinity });
    try {
      // An answer with errors at all means it came within Slack's 3 seconds (past them, Bolt answers 404).
      const answer = await submitRequest(h, modal, ENGINEER, { items: '  ', justification: 'short' });
      expect(Object.keys(answer.errors ?? {}).sort()).toEqual(['items', 'justification', 'train']);
      expect(answer.errors?.items).toMatch(/Give at least one commit SHA or pull request link of mozilla\/fxa/);
      expect(answer.errors?.train).toBe(
        'I cannot check train 302 with GitHub right now (GitHub did not answer within 2 seconds). ' +
          'Nothing was sent and what you typed is kept: press Send again in a moment.',
      );
      expect(answer.errors?.justification).toMatch(/you wrote 5/);
    } finally {
      h.github.clearFaults();
    }
    expect(await stored()).toBe(2);
  });

  /** Submits `modal` (already open) and returns the request's number from the answer. */
  async function requestPatchFrom(modal: FakeSlackView, input: Parameters<typeof submitRequest>[3]): Promise<number> {
    const answer = await submitRequest(scene.h, modal, ENGINEER, input);
    expect(answer.errors).toBeUndefined();
    return Number(/Patch request #(\d+)/.exec(JSON.stringify(answer.view?.blocks))?.[1]);
  }

  test('a long list of bad commits names every one of them', async () => {
    const { h } = scene;
    const strays = Array.from({ length: 12 }, (_, n) => h.github.addCommit({ parents: [scene.unmerged], message: `Stray ${n}` }));
    const missing = Array.from({ length: 6 }, (_, n) => `${'c0ffee'.repeat(2)}${n}`);
    const answer = await submitRequest(h, await openRequestModal(h, ENGINEER), ENGINEER, { items: [...strays, ...missing].join(' ') });
    const items = answer.errors?.items ?? '';
    for (const sha of strays) expect(items).toContain(sha.slice(0, 10));
    for (const sha of missing) expect(items).toContain(sha);
    expect(items).toMatch(/ are not on main: patches must land on main first; /);
    expect(items).toMatch(/ are not commits of mozilla\/fxa: check them for typos \(they must be commits on main\)\.$/);
    expect(await stored()).toBe(2);
  });
});
