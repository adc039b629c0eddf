// The whole bot with only the three GitHub App variables set (no GITHUB_TOKEN): it starts, and
// `/release status` reads GitHub with an installation token.
import { createTestApp } from '../fakes/github-app';
import { startFakeGitHub } from '../fakes/github-server';
import { startHarness, type Harness } from '../support/harness';

const app = createTestApp();
let h: Harness;

beforeAll(async () => {
  const github = await startFakeGitHub({ app: app.fake });
  const main = github.addCommit({ message: 'start', date: '2026-10-20T12:00:00Z' });
  github.setBranch('main', main);
  github.addTag('v1.301.0', main, { annotated: true });
  github.addPullRequest({ title: 'Add passkeys', authorLogin: 'alice', createdAt: '2026-10-25T10:00:00Z' });
  h = await startHarness({
    github,
    now: '2026-11-02T16:50:00Z',
    env: {
      // Empty counts as unset: the harness's GITHUB_TOKEN is taken away.
      GITHUB_TOKEN: '',
      GITHUB_APP_ID: app.appId,
      GITHUB_APP_PRIVATE_KEY: app.privateKeyPem,
      GITHUB_APP_INSTALLATION_ID: app.installationId,
    },
  });
});

afterAll(async () => {
  await h?.close();
  await h?.github.close();
});

test('/release status reads GitHub with an installation token', async () => {
  expect(h.bot.config.github.kind).toBe('app');
  await h.sender.sendSlashCommand({ text: 'status' });
  await h.slack.waitForResponses(1, 8000);
  await h.bot.app.deps.inFlight.idle(20_000);
  const text = JSON.stringify(h.slack.responses.map((r) => r.body));
  expect(text).toContain('v1.301.0');
  expect(text).toContain('Add passkeys');
  const api = h.github.requests.filter((r) => !r.path.startsWith('/app/'));
  expect(api.length).toBeGreaterThan(0);
  expect(api.every((r) => r.credential === 'installation')).toBe(true);
  expect(h.github.requests.filter((r) => r.path.startsWith('/app/')).map((r) => [r.credential, r.status])).toEqual([['jwt', 201]]);
  expect(h.github.app?.tokenCount).toBe(1);
});
