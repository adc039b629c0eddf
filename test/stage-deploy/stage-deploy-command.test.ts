/**
 * `/release stage-deploy` end to end (issue 16): a real public bare remote, the fake GitHub (PRs, tags, the
 * `deploy-packages` check), the fake Slack. Off the latest train, a hyphenated tag, the owner told, the SRE
 * request once the images are built, listed in status until a release tag replaces it; bad input refused.
 */
import { followStageDeploys } from '../../src/stage-deploy/stage-deploy-jobs';
import { commandFrom } from '../support/commands';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CHANNEL, TEAM_SETTINGS, importTeam } from '../support/team';
import { createTwoRemotes, type TwoRemotes } from '../security/repos';

jest.setTimeout(120_000);

const command = (h: Harness, userId: string, text: string, channelId = CHANNEL): Promise<string> => commandFrom(h, userId, text, channelId);

describe('/release stage-deploy', () => {
  let remotes: TwoRemotes;
  let h: Harness;

  beforeAll(async () => {
    remotes = createTwoRemotes();
    h = await startHarness({ settings: { ...TEAM_SETTINGS, gitRemoteUrl: remotes.publicRemote } });
    await importTeam(h, { people: { [ALICE]: 'Alice', [BOB]: 'Bob', [ADMIN]: 'Admin' }, rotation: [BOB], startTrain: 302, actor: ADMIN });
    const base = h.github.addCommit({ message: 'cut' });
    h.github.setBranch('main', base);
    h.github.addTag('v1.1.0', base, { annotated: true });
    h.github.addTag('v1.1.1', base, { annotated: true });
    h.github.addCommit({ sha: remotes.publicFix, message: 'fix(content): header', parents: [base] });
    h.github.addPullRequest({
      number: 42,
      title: 'fix(content): header',
      authorLogin: 'alice',
      state: 'MERGED',
      mergeCommitSha: remotes.publicFix,
      headSha: remotes.publicFix,
    });
  });
  afterAll(async () => {
    await h.close();
    remotes.cleanup();
  });

  test('bad input is refused with what is expected, and nothing is pushed', async () => {
    expect(await command(h, ALICE, 'stage-deploy')).toContain('Give the commits (SHAs or pull request links) to deploy to stage.');
    expect(await command(h, ALICE, `stage-deploy ${remotes.publicFix} --tag v1.1.9`)).toContain('must contain a hyphen');
    expect(await command(h, ALICE, `stage-deploy ${remotes.publicFix} --tag v1.1.9-try`)).toContain(
      'could be mistaken for the release v1.1.9',
    );
    expect(await command(h, ALICE, `stage-deploy ${remotes.publicFix} --tag`)).toContain('`--tag` needs a name after it.');
    expect(await command(h, ALICE, `stage-deploy ${remotes.publicFix} --force`)).toContain("I don't know the option `--force`");
    expect(await command(h, ALICE, 'stage-deploy nothex')).toContain('neither a commit SHA');
    expect(await command(h, ALICE, 'stage-deploy https://github.com/mozilla/fxa/pull/77')).toContain('has no pull request #77');
    expect(await command(h, ALICE, 'stage-deploy deadbeef1')).toContain('The repository has no commit `deadbeef1`');
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
  });

  test('a PR off the latest train: tag pushed, owner told, SRE request once built, listed in status until a release replaces it', async () => {
    const reply = await command(h, ALICE, 'stage-deploy <https://github.com/mozilla/fxa/pull/42> --tag stage-alice-header');
    expect(reply).toContain('Pushed the tag `stage-alice-header` off `train-1` with 1 pick(s).');
    expect(reply).toContain('Services touched: fxa-content-server.');
    expect(reply).toContain('The next train or dot-release tag deployed to stage replaces it');
    expect(remotes.publicGit('rev-parse', 'stage-alice-header^{commit}^')).toBe(remotes.publicGit('rev-parse', 'train-1'));
    expect(h.slack.messagesIn(h.slack.dmChannelFor(BOB)).map((m) => m.text)).toEqual([
      expect.stringContaining('pushed the temporary stage tag `stage-alice-header` off `train-1` (fxa-content-server)'),
    ]);
    const status = await command(h, BOB, 'status');
    expect(status).toContain('Temporary stage deploys* (1)');
    expect(status).toContain('`stage-alice-header` off train 1');

    const tagged = remotes.publicGit('rev-parse', 'stage-alice-header^{commit}');
    h.github.addCommit({ sha: tagged, message: 'pick' });
    h.github.addTag('stage-alice-header', tagged, { annotated: true });
    await followStageDeploys({ deps: h.bot.app.deps, now: h.clock.now() });
    expect(h.slack.messagesIn(h.slack.dmChannelFor(ALICE))).toEqual([]);
    h.github.setCheckRun(tagged, { name: 'deploy-packages', status: 'completed', conclusion: 'success' });
    await followStageDeploys({ deps: h.bot.app.deps, now: h.clock.now() });
    await followStageDeploys({ deps: h.bot.app.deps, now: h.clock.now() });
    const dms = h.slack.messagesIn(h.slack.dmChannelFor(ALICE)).map((m) => m.text);
    expect(dms).toHaveLength(1);
    expect(dms[0]).toContain(
      'Please deploy tag stage-alice-header to stage for: fxa-content-server. It is a temporary deploy off train-1; the next train or dot-release tag replaces it.',
    );

    h.github.addTag('v1.1.2', tagged, { annotated: true });
    await followStageDeploys({ deps: h.bot.app.deps, now: new Date(h.clock.now().getTime() + 10_000) });
    h.clock.advance(60_000);
    expect(await command(h, BOB, 'status')).not.toContain('Temporary stage deploys');
  });
});
