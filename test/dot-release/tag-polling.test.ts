/**
 * Without GitHub's webhooks (polling mode) a dot-release tag pushed by hand is noticed by the dot-release job
 * (every minute): it lists the tags of each train with a plan waiting (one request per train), follows the tag
 * found (its commit: one request) and closes its plan as the webhook does: the requester is told once, and the
 * next approval plans the next patch. With webhooks, the job asks GitHub nothing for it.
 */
import { createDotReleaseJobs, DOT_RELEASE_RESUME_JOB } from '../../src/dot-release/dot-release-jobs';
import { dmsOf } from '../patches/helpers';
import { ALICE, ENGINEER, announcement, approve, mirrorToGitHub, requestFix, sh, startDotScene, type DotScene } from './scene';

jest.setTimeout(240_000);

const MINUTE = 60_000;

/** Tags a fix on train-302 by hand (as before the bot could) and mirrors it to the fake GitHub. */
function tagByHand(scene: DotScene, fix: string): void {
  const { fixture, h } = scene;
  sh(fixture.root, `git clone --quiet ${fixture.remote} owner`);
  const clone = `${fixture.root}/owner`;
  sh(
    clone,
    `git config user.name Bob && git config user.email bob@example.com && git switch -q train-302 && git cherry-pick -x ${fix} >/dev/null`,
  );
  sh(clone, "git tag -a -m 'Train release v1.302.1' v1.302.1 && git push -q origin train-302 && git push -q origin refs/tags/v1.302.1");
  mirrorToGitHub(fixture, h.github);
}

/** Runs the scheduler's tick a minute later (every job); the dot-release job must not fail. */
async function tickMinute(scene: DotScene): Promise<void> {
  const { h } = scene;
  h.clock.advance(MINUTE);
  const report = await h.bot.app.scheduler.tick(h.clock.now());
  const failed = report.failed.filter((f) => f.job === DOT_RELEASE_RESUME_JOB);
  if (failed.length > 0) throw new Error(`the dot-release job failed: ${failed.map((f) => f.error).join('; ')}`);
}

/** Runs the dot-release job alone a minute later (other jobs list tags too); returns the GitHub requests it made. */
async function runJobAlone(scene: DotScene): Promise<string[]> {
  const { h } = scene;
  const [job] = createDotReleaseJobs();
  if (!job) throw new Error('no dot-release job');
  const before = h.github.requests.length;
  h.clock.advance(MINUTE);
  await job.run(h.bot.app.deps, { now: h.clock.now(), scheduledAt: h.clock.now(), attempt: 1 });
  return h.github.requests.slice(before).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
}

const LIST_302 = 'GET /repos/mozilla/fxa/git/matching-refs/tags/v1.302.';

describe('a dot-release tag pushed by hand, without webhooks', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('the next minute notices it with one tag listing: followed, the plan closes, the requester is told once, 302.2 comes next', async () => {
    scene = await startDotScene();
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, [fixes[0]]));
    // Nothing tagged yet: one listing of train 302's tags, the plan stays planned.
    expect(await runJobAlone(scene)).toEqual([LIST_302]);
    const prisma = h.bot.database.prisma;
    expect(await prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } })).toMatchObject({ status: 'planned' });

    tagByHand(scene, fixes[0]);
    const commit = fixture.remoteGit('rev-parse', 'v1.302.1^{commit}');
    // The scheduler's next minute notices it.
    await tickMinute(scene);
    expect(await prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } })).toMatchObject({ status: 'watched' });
    expect(await prisma.tagRelease.findUnique({ where: { tag: 'v1.302.1' } })).toMatchObject({ kind: 'patch', tagSha: commit });
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
    expect(announcement(h, 302, 1).text).toMatch(/watched/);

    // Closed: no plan waits any more, the job asks GitHub nothing, nobody is told again.
    expect(await runJobAlone(scene)).toEqual([]);
    await tickMinute(scene);
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
    expect(await approve(h, await requestFix(h, ALICE, [fixes[1]]))).toContain('Dot release *302.2*');
  });

  /**
   * The plan's tag pushed by hand, then GitHub failing the requests `failing` picks: the job carries on, asking
   * `asked` (the resume part too), and the plan stays planned; GitHub back, the next run closes it and the requester
   * is told once.
   */
  async function closesOnceGitHubIsBack(failing: (request: { path: string }) => boolean, asked: string[]): Promise<void> {
    scene = await startDotScene();
    const { h, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, [fixes[0]]));
    tagByHand(scene, fixes[0]);
    h.github.injectFault({ status: 503 }, { times: Number.POSITIVE_INFINITY, match: failing });
    const requests = await runJobAlone(scene);
    for (const request of asked) expect(requests).toContain(request);
    const prisma = h.bot.database.prisma;
    expect(await prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } })).toMatchObject({ status: 'planned' });
    h.github.clearFaults();
    await runJobAlone(scene);
    expect(await prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } })).toMatchObject({ status: 'watched' });
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
  }

  test('GitHub down for the listing: the job carries on (the resume part too), and the next minute closes the plan', async () => {
    await closesOnceGitHubIsBack((r) => r.path.includes('matching-refs'), [LIST_302]);
  });

  test("GitHub down for the tag's commit: the job carries on, and the next minute closes the plan", async () => {
    await closesOnceGitHubIsBack((r) => r.path.includes('/commits/'), [LIST_302, 'GET /repos/mozilla/fxa/commits/v1.302.1']);
  });

  test('with webhooks the job lists no tags (the webhook tells)', async () => {
    scene = await startDotScene({ env: { GITHUB_WEBHOOK_SECRET: 'webhook-secret-of-the-polling-tests' } });
    const { h, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, [fixes[0]]));
    tagByHand(scene, fixes[0]);
    expect(await runJobAlone(scene)).toEqual([]);
    expect(await h.bot.database.prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1' } })).toMatchObject({ status: 'planned' });
  });
});
