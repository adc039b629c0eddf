/**
 * Releasing icons and assets (issue 16): after a release whose CI passed, `upload-assets-to-cdn.yml` is dispatched
 * on its tag when it changed files under `assets/` since the previous release (once per tag), reported in the
 * train's thread; `/release assets upload` for the owner or an admin. Real public bare remote, fake GitHub and Slack.
 */
import { uploadAssetsAfterRelease } from '../../src/assets/assets-upload';
import { commandFrom } from '../support/commands';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CHANNEL, TEAM_SETTINGS, importTeam } from '../support/team';
import { createTwoRemotes, run, type TwoRemotes } from '../security/repos';

jest.setTimeout(120_000);

const command = (h: Harness, userId: string, text: string, channelId = CHANNEL): Promise<string> => commandFrom(h, userId, text, channelId);

describe('assets upload', () => {
  let remotes: TwoRemotes;
  let h: Harness;
  const dispatches = () =>
    h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/actions/workflows/upload-assets-to-cdn.yml/dispatches'));

  beforeAll(async () => {
    remotes = createTwoRemotes();
    const work = remotes.fixture.work;
    run(work, ['switch', '--quiet', 'train-1']);
    remotes.fixture.commit('fix(assets): new logo', { 'assets/logo.svg': '<svg>new</svg>\n' });
    run(work, ['tag', '-a', '-m', 'Train release v1.1.2', 'v1.1.2']);
    run(work, ['push', '--quiet', 'origin', 'train-1', 'refs/tags/v1.1.2']);
    h = await startHarness({ settings: { ...TEAM_SETTINGS, gitRemoteUrl: remotes.publicRemote } });
    await importTeam(h, { people: { [ALICE]: 'Alice', [BOB]: 'Bob', [ADMIN]: 'Admin' }, rotation: [BOB], startTrain: 1, actor: ADMIN });
    const base = h.github.addCommit({ message: 'cut' });
    h.github.setBranch('main', base);
    for (const tag of ['v1.1.0', 'v1.1.1', 'v1.1.2']) h.github.addTag(tag, base, { annotated: true });
    h.github.addWorkflow('upload-assets-to-cdn.yml', { inputs: {} });
  });
  afterAll(async () => {
    await h.close();
    remotes.cleanup();
  });

  test('dispatched after a release that changed assets/ (once), not after one that did not; said in the train thread', async () => {
    await uploadAssetsAfterRelease({ deps: h.bot.app.deps, train: 1, tag: 'v1.1.1', now: h.clock.now() });
    expect(dispatches()).toHaveLength(0);
    await uploadAssetsAfterRelease({ deps: h.bot.app.deps, train: 1, tag: 'v1.1.2', now: h.clock.now() });
    await uploadAssetsAfterRelease({ deps: h.bot.app.deps, train: 1, tag: 'v1.1.2', now: h.clock.now() });
    expect(dispatches()).toHaveLength(1);
    const thread = h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts);
    expect(thread.map((m) => m.text)).toEqual([
      'Uploading the assets of v1.1.2 to the CDN (`upload-assets-to-cdn.yml`): 1 file(s) under `assets/` changed since v1.1.1.'.replace(
        /^/,
        ':frame_with_picture: ',
      ),
    ]);
  });

  test('/release assets upload: the owner or an admin, on the latest release or a given one', async () => {
    expect(await command(h, ALICE, 'assets upload')).toContain('Only the release owner of train 1');
    expect(await command(h, ADMIN, 'assets upload v9')).toContain('`v9` is not a release tag');
    expect(await command(h, ADMIN, 'assets upload v1.1.7')).toContain('The repository has no tag `v1.1.7`');
    expect(await command(h, ADMIN, 'assets')).toContain('Say what to do. Usage: `/release assets upload [v1.N.P]`');
    expect(await command(h, BOB, 'assets upload')).toBe(
      "The assets upload of v1.1.2 was started before (see train 1's thread); I did not start it again.",
    );
    expect(await command(h, BOB, 'assets upload v1.1.1')).toBe(
      ":frame_with_picture: Started `upload-assets-to-cdn.yml` on v1.1.1; train 1's thread has it.",
    );
    expect(dispatches()).toHaveLength(2);
    // In the train's thread, Bob's own command: named, not pinged.
    const said = h.slack.messagesIn(CHANNEL).filter((m) => m.text.includes('Uploading the assets of v1.1.1'));
    expect(said.map((m) => m.text)).toEqual([expect.stringMatching(/: asked by Bob\.$/)]);
  });
});
