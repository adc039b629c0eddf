/**
 * `/release security …` end to end (issue 16 items 3-4): the bot against real PostgreSQL, the fake Slack and
 * GitHub, a public and a private local bare remote. Answered only in a DM; P counts both repositories; CI on the
 * private tag, the uplift reminder (issue + DM once production reports it), the uplift as a PR; nothing about the
 * fix in public channels, the App Home, status, or the info-level logs; the audit for admins only.
 */
import { followSecurityReleases } from '../../src/security/security-jobs';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { commandFrom } from '../support/commands';
import { startHarness, type Harness } from '../support/harness';
import { captureLogs } from '../support/logs';
import { ADMIN, ALICE, CHANNEL, TEAM_SETTINGS } from '../support/team';
import { FIX_FILE, FIX_SUBJECT, createTwoRemotes, type TwoRemotes } from './repos';

jest.setTimeout(120_000);

const SECURITY_CHANNEL = 'G0SECURITY';

const command = commandFrom;

describe('/release security', () => {
  let remotes: TwoRemotes;
  let h: Harness;
  let environments: FakeEnvironments;
  const logs = captureLogs({ level: 'info' });
  const dm = (user: string) => h.slack.dmChannelFor(user);

  beforeAll(async () => {
    remotes = createTwoRemotes();
    environments = await startFakeEnvironments({ stage: '1.1.1', production: '1.1.1' });
    h = await startHarness({
      logger: logs.logger,
      settings: {
        ...TEAM_SETTINGS,
        gitRemoteUrl: remotes.publicRemote,
        privateRepository: 'mozilla/fxa-private',
        privateGitRemoteUrl: remotes.privateRemote,
        securityChannel: SECURITY_CHANNEL,
        stageVersionUrl: environments.stageUrl,
        productionVersionUrl: environments.productionUrl,
      },
    });
    h.github.alsoServes.add('mozilla/fxa-private');
    h.github.setBranch('main', h.github.addCommit({ message: 'main' }));
    h.slack.addUser({ id: ADMIN, name: 'admin' });
    h.slack.addUser({ id: ALICE, name: 'alice' });
  });
  afterAll(async () => {
    await h.close();
    await environments.close();
    remotes.cleanup();
  });

  test('refused in the team channel (without repeating it) and for someone who is neither the owner nor an admin', async () => {
    expect(await command(h, ADMIN, 'security start 1', CHANNEL)).toBe(
      `:lock: I answer security commands only in a direct message with me or in <#${SECURITY_CHANNEL}>. Nothing was done.`,
    );
    expect(await command(h, ALICE, 'security tag 1', dm(ALICE))).toContain('Only the release owner of train 1');
    expect(await command(h, ADMIN, 'security start next', dm(ADMIN))).toContain('Give the train as a number, not `next`');
    expect(await command(h, ADMIN, 'security uplift 1', dm(ADMIN))).toContain('Give the security release as `train.patch`, not `1`');
    expect(await command(h, ADMIN, 'security frobnicate', dm(ADMIN))).toContain("I don't know `security frobnicate`");
    expect(await command(h, ADMIN, 'security tag 1', dm(ADMIN))).toContain('has no train-1 yet: start with `/release security start 1`');
    expect(remotes.privateGit('branch', '--list')).toBe('');
  });

  test('start, tag (after the public v1.1.1: v1.1.2), CI on the private tag, the reminder once production runs it, the uplift as a PR', async () => {
    expect(await command(h, ADMIN, 'security start 1', SECURITY_CHANNEL)).toContain(
      'Pushed `train-1` from the public repository to *mozilla/fxa-private*',
    );
    expect(remotes.privateGit('rev-parse', 'train-1')).toBe(remotes.publicGit('rev-parse', 'train-1'));
    const fix = remotes.landFix();
    const merged = remotes.privateGit('rev-parse', 'train-1');

    const tagged = await command(h, ADMIN, 'security tag 1', dm(ADMIN));
    expect(tagged).toContain(`Tagged \`${merged.slice(0, 12)}\` on the private \`train-1\` as *v1.1.2* and pushed that tag alone`);
    expect(tagged).toContain('Uplift reminder filed: https://github.com/');
    expect(remotes.privateGit('tag', '--list')).toBe('v1.1.2');
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
    const issue = h.github.issues.at(-1);
    expect(issue?.title).toBe('Uplift security release v1.1.2 to the public repository');
    expect(h.github.requests.some((r) => r.method === 'POST' && r.path === '/repos/mozilla/fxa-private/issues')).toBe(true);
    // A retry tags nothing more.
    expect(await command(h, ADMIN, 'security tag 1', dm(ADMIN))).toContain('Already tagged');
    expect(remotes.privateGit('tag', '--list')).toBe('v1.1.2');

    // CI reports on the private repository's tag.
    h.github.addCommit({ sha: merged, message: 'merge' });
    h.github.addTag('v1.1.2', merged, { annotated: true });
    await followSecurityReleases({ deps: h.bot.app.deps, now: h.clock.now() });
    expect(h.slack.messagesIn(dm(ADMIN))).toEqual([]);
    h.github.setCheckRun(merged, { name: 'test_and_deploy_tag', status: 'completed', conclusion: 'success' });
    await followSecurityReleases({ deps: h.bot.app.deps, now: h.clock.now() });
    expect(h.slack.messagesIn(dm(ADMIN)).map((m) => m.text)).toEqual([
      expect.stringContaining('CI (`test_and_deploy_tag`) on v1.1.2 in the private repository passed'),
    ]);
    expect(h.github.requests.some((r) => r.path.startsWith('/repos/mozilla/fxa-private/commits/v1.1.2/check-runs'))).toBe(true);

    // Production reports it: the uplift reminder, once.
    environments.set('production', '1.1.2');
    await followSecurityReleases({ deps: h.bot.app.deps, now: h.clock.now() });
    await followSecurityReleases({ deps: h.bot.app.deps, now: h.clock.now() });
    const reminders = h.slack.messagesIn(dm(ADMIN)).filter((m) => m.text.includes('Production runs security release v1.1.2'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('`/release security uplift 1.2`');

    // Before the uplift, nothing about the fix is public: channel, App Home, status, logs at info, public repository.
    await command(h, ALICE, 'status', CHANNEL);
    await h.sender.sendEvent(h.sender.appHomeOpenedEvent({ userId: ALICE }), { eventId: 'Ev0SECHOME' });
    await h.slack.waitForCalls('views.publish', 1, 30_000);
    const publicText = JSON.stringify([h.slack.messagesIn(CHANNEL), h.slack.responses.map((r) => r.body), h.slack.publishedView(ALICE)]);
    expect(publicText).toContain('Train');
    for (const secret of [FIX_SUBJECT, FIX_FILE, 'oauth-secret-check']) {
      expect(publicText).not.toContain(secret);
      expect(logs.text()).not.toContain(secret);
    }
    expect(() => remotes.publicGit('cat-file', '-e', fix)).toThrow();

    const uplift = await command(h, ADMIN, 'security uplift 1.2', dm(ADMIN));
    expect(uplift).toContain('as a pull request against the public `main`');
    expect(h.github.openedPullRequests).toEqual([
      expect.objectContaining({
        repository: 'mozilla/fxa',
        head: 'security-uplift/v1.1.2',
        base: 'main',
        title: 'Uplift security release v1.1.2',
      }),
    ]);
    expect(remotes.publicGit('log', '-1', '--format=%s', 'security-uplift/v1.1.2')).toBe(FIX_SUBJECT);
    expect(remotes.publicGit('log', '--format=%s', 'main')).not.toContain(FIX_SUBJECT);
  });

  test('the audit trail: who did what, for admins only', async () => {
    expect(await command(h, ALICE, 'security audit', dm(ALICE))).toBe(':warning: Only an admin can read the security audit trail.');
    const audit = await command(h, ADMIN, 'security audit', dm(ADMIN));
    expect(audit).toContain('`security.uplift` v1.1.2');
    expect(audit).toContain('`security.tag` v1.1.2');
    expect(audit).toContain('`security.start` train-1');
  });
});

describe('/release security without privateRepository', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: TEAM_SETTINGS });
  });
  afterAll(() => h.close());

  test('the feature is off and says so; the team channel is still refused first', async () => {
    expect(await command(h, ADMIN, 'security start 1', h.slack.dmChannelFor(ADMIN))).toBe(
      'Security releases are off: set `privateRepository` (e.g. `mozilla/fxa-private`) in the settings to turn them on.',
    );
    expect(await command(h, ADMIN, 'security tag 1', CHANNEL)).toBe(
      ':lock: I answer security commands only in a direct message with me. Nothing was done.',
    );
    expect(h.bot.app.deps.security).toBeNull();
  });
});
