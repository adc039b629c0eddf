/**
 * The pre-cut checks in the `/release tag` confirmation (issue 15 item 6, the
 * team's steps 1 and 2): a patch request for a current train still waiting for
 * its owner's decision, a dot release planned and not tagged, an open pull
 * request labelled as a release blocker, and CI failing on `main`'s head, each
 * shown before the owner confirms. They warn; the owner may still cut.
 */
import type { Harness } from '../support/harness';
import { insertWaitingPatchRequest } from '../support/patch-requests';
import { ALICE, arrangeTeam, askToTag, BOB, buttonValue, startTaggingHarness, textOf } from './helpers';

describe('/release tag: the pre-cut checks', () => {
  let h: Harness;
  let mainHead: string;
  let blocker: number;
  let request: number;

  beforeAll(async () => {
    // Wed 18 Nov 2026, 10:30 PT: train 303's cutoff passed; 302 is the latest train cut (it takes patches).
    h = await startTaggingHarness();
    mainHead = await arrangeTeam(h);
    blocker = h.github.addPullRequest({ title: 'Fix the login crash', authorLogin: 'frank', labels: ['release-blocker'] }).number;
    h.github.addPullRequest({ title: 'Add passkeys', authorLogin: 'erin' });
    h.github.setCheckRun(mainHead, { name: 'build', status: 'completed', conclusion: 'failure' });
    request = await insertWaitingPatchRequest(h, { train: 302, requestedBy: BOB, viewId: 'V0PRECUT1' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('the confirmation shows the waiting patch request, the open release blocker and main failing CI, and still offers Confirm', async () => {
    const reply = await askToTag(h, ALICE);
    const text = textOf(reply);
    expect(text).toContain('*Before you cut:*');
    expect(text).toContain(`:hourglass: Patch request #${request} for train 302 awaits the owner's decision.`);
    expect(text).not.toContain('No patch request is waiting');
    expect(text).toMatch(
      new RegExp(`:rotating_light: Release blocker still open: <[^>]+/pull/${blocker}\\|#${blocker} Fix the login crash> by frank`),
    );
    expect(text).toContain(":warning: CI is failing on `main`'s head: `build`.");
    // The blocker is also among the PRs rolling to the next train; the ordinary PR is not a blocker.
    expect(text).not.toMatch(/Release blocker still open: [^"]*Add passkeys/);
    expect(buttonValue(reply, 'tag_confirm')).toBe(JSON.stringify({ train: 303, sha: mainHead }));
  });

  test('once the request is decided and a dot release of train 302 is planned, the confirmation says the dot release waits instead', async () => {
    const at = h.clock.now();
    const plan = await h.bot.database.prisma.dotRelease.create({
      data: {
        train: 302,
        patch: 1,
        tag: 'v1.302.1',
        branch: 'train-302',
        status: 'planned',
        openTrain: 302,
        plannedBy: ALICE,
        createdAt: at,
        updatedAt: at,
      },
    });
    await h.bot.database.prisma.patchRequest.update({
      where: { id: request },
      data: { status: 'approved', decidedAt: at, decidedBy: ALICE, dotReleaseId: plan.id },
    });
    const text = textOf(await askToTag(h, ALICE));
    expect(text).not.toContain(`Patch request #${request}`);
    expect(text).toContain(':package: Dot release `v1.302.1` of train 302 is planned (1 approved request) and not tagged yet.');
  });
});
