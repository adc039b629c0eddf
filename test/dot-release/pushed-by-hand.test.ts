/**
 * A dot-release tag pushed by hand (GitHub's `create` and `push` webhooks for a tag) is followed like one the bot
 * pushed, and closes the plan it matches: the requesters hear it once, and the next approval plans the next patch.
 */
import { sendWebhook } from '../fakes/github-webhooks';
import { dmsOf, eventually } from '../patches/helpers';
import { ALICE, ENGINEER, announcement, approve, mirrorToGitHub, requestFix, sh, startDotScene, type DotScene } from './scene';

jest.setTimeout(240_000);

const SECRET = 'webhook-secret-of-the-dot-tests-01';

describe('a dot-release tag pushed by hand', () => {
  let scene: DotScene;
  afterEach(async () => {
    await scene?.close();
  });

  test('create, then push webhooks: followed once, the plan closes, the requester is told once, the next approval plans 302.2', async () => {
    scene = await startDotScene({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    const { h, fixture, fixes } = scene;
    await approve(h, await requestFix(h, ENGINEER, [fixes[0]]));
    // The owner does it by hand, as before the bot could.
    sh(fixture.root, `git clone --quiet ${fixture.remote} owner`);
    const clone = `${fixture.root}/owner`;
    sh(
      clone,
      `git config user.name Bob && git config user.email bob@example.com && git switch -q train-302 && git cherry-pick -x ${fixes[0]} >/dev/null`,
    );
    sh(clone, "git tag -a -m 'Train release v1.302.1' v1.302.1 && git push -q origin train-302 && git push -q origin refs/tags/v1.302.1");
    mirrorToGitHub(fixture, h.github);
    const commit = fixture.remoteGit('rev-parse', 'v1.302.1^{commit}');
    const url = `${h.bot.url}/github/webhooks`;
    const repository = { id: 1, name: 'fxa', full_name: 'mozilla/fxa', private: false };
    const create = { ref: 'v1.302.1', ref_type: 'tag', master_branch: 'main', pusher_type: 'user', repository, sender: { login: 'bob' } };
    expect(await sendWebhook({ url, secret: SECRET, event: 'create', payload: create })).toBe(202);
    const prisma = h.bot.database.prisma;
    await eventually(
      async () => (await prisma.dotRelease.findFirst({ where: { tag: 'v1.302.1', status: 'watched' } })) ?? undefined,
      60_000,
    );
    expect(await prisma.tagRelease.findUnique({ where: { tag: 'v1.302.1' } })).toMatchObject({
      kind: 'patch',
      state: 'tagged',
      tagSha: commit,
    });
    const push = {
      ref: 'refs/tags/v1.302.1',
      before: '0'.repeat(40),
      after: fixture.remoteGit('rev-parse', 'v1.302.1'),
      created: true,
      deleted: false,
      head_commit: { id: commit, message: 'fix(b): buzz' },
      repository,
      sender: { login: 'bob' },
    };
    expect(await sendWebhook({ url, secret: SECRET, event: 'push', payload: push })).toBe(202);
    await eventually(async () => (dmsOf(h, ENGINEER).some((m) => m.text.includes('is tagged `v1.302.1`')) ? true : undefined), 60_000);
    // The second delivery changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.302.1`'))).toHaveLength(1);
    expect(await prisma.tagRelease.count({ where: { tag: 'v1.302.1' } })).toBe(1);
    expect(announcement(h, 302, 1).text).toMatch(/watched/);
    const reply = await approve(h, await requestFix(h, ALICE, [fixes[1]]));
    expect(reply).toContain('Dot release *302.2*');
  });
});
