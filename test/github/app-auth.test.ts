// GitHub App authentication against the fake GitHub: the client buys installation tokens with a JWT signed by
// the test App's key (generated here), uses them for REST and GraphQL, and buys the next one before expires_at.
import { generateKeyPairSync } from 'node:crypto';
import { createGitHubClient, type GitHubAppCredentials } from '../../src/github/client';
import { TOKEN_REFRESH_MARGIN_MS } from '../../src/github/app-auth';
import { GitHubNotFoundError, GitHubPermissionError } from '../../src/github/errors';
import { createTestApp, type TestApp } from '../fakes/github-app';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { scrubSecrets } from '../../src/logger';
import { captureLogs } from './helpers';

let app: TestApp;
let fake: FakeGitHub;
/** The client's real clock, moved by the test (the fake checks JWTs against the real one). */
let wallClock: number;

beforeAll(() => {
  app = createTestApp();
});

beforeEach(async () => {
  fake = await startFakeGitHub({ app: app.fake });
  wallClock = Date.now();
  const main = fake.addCommit({ message: 'start' });
  fake.setBranch('main', main);
  fake.addTag('v1.301.0', main, { annotated: true });
  fake.addPullRequest({ title: 'Add passkeys', authorLogin: 'alice' });
});

afterEach(async () => {
  await fake.close();
});

function appClient(credentials: Partial<GitHubAppCredentials> = {}) {
  const logs = captureLogs();
  const client = createGitHubClient({
    app: { appId: app.appId, privateKey: app.privateKeyPem, installationId: Number(app.installationId), ...credentials },
    wallClock: () => wallClock,
    baseUrl: fake.url,
    owner: fake.owner,
    repo: fake.repo,
    logger: logs.logger,
    requestTimeoutMs: 2000,
    retry: { retries: 0 },
  });
  return { client, logs };
}

const snapshot = { baseBranch: 'main', checkName: 'test_and_deploy_tag' };

test('REST and GraphQL calls carry an installation token bought once with the App JWT', async () => {
  const { client, logs } = appClient();
  const [status, commit] = await Promise.all([client.getStatusSnapshot(snapshot), client.getCommit(fake.branches.get('main') ?? '')]);
  expect(status.pullRequests.map((pr) => pr.title)).toEqual(['Add passkeys']);
  expect(commit).not.toBeNull();
  // Two concurrent calls share one token request.
  expect(fake.app?.tokenCount).toBe(1);
  const tokenRequests = fake.requests.filter((r) => r.path === `/app/installations/${app.installationId}/access_tokens`);
  expect(tokenRequests.map((r) => [r.method, r.credential, r.status])).toEqual([['POST', 'jwt', 201]]);
  const apiRequests = fake.requests.filter((r) => !r.path.startsWith('/app/'));
  expect(apiRequests.map((r) => r.credential)).toEqual(['installation', 'installation']);
  const token = fake.app?.issued[0]?.token ?? '';
  expect(token).toMatch(/^ghs_/);
  expect(apiRequests.every((r) => r.installationToken === token)).toBe(true);
  // The token never reaches the log, even at trace.
  expect(logs.text()).not.toContain(token);
  expect(await client.gitCredentials()).toEqual({ username: 'x-access-token', password: token });
});

test('a token near its expires_at is replaced (one new access_tokens call) before the next request', async () => {
  const { client } = appClient();
  await client.listTagNames('v1.');
  const first = fake.app?.issued[0]?.token;
  // Still well within the hour: the held token is reused.
  wallClock += 30 * 60_000;
  await client.listTagNames('v1.');
  expect(fake.app?.tokenCount).toBe(1);
  // Within the refresh margin of expires_at: a new token first, then the request with it.
  wallClock += 30 * 60_000 - TOKEN_REFRESH_MARGIN_MS + 1000;
  fake.resetRequests();
  await client.listTagNames('v1.');
  expect(fake.app?.tokenCount).toBe(2);
  const second = fake.app?.issued[1]?.token;
  expect(second).not.toBe(first);
  expect(fake.requests.map((r) => [r.path.startsWith('/app/') ? 'access_tokens' : 'api', r.credential])).toEqual([
    ['access_tokens', 'jwt'],
    ['api', 'installation'],
  ]);
  expect(fake.requests[1]?.installationToken).toBe(second);
  expect((await client.gitCredentials()).password).toBe(second);
});

test('a short-lived token is replaced after three quarters of its life', async () => {
  if (!fake.app) throw new Error('the fake has an App');
  fake.app.tokenLifetimeSeconds = 120;
  const { client } = appClient();
  await client.listTagNames('v1.');
  wallClock += 80_000;
  await client.listTagNames('v1.');
  expect(fake.app?.tokenCount).toBe(1);
  wallClock += 15_000;
  await client.listTagNames('v1.');
  expect(fake.app?.tokenCount).toBe(2);
});

test('the fake refuses an expired installation token as GitHub does', async () => {
  const { client } = appClient();
  await client.listTagNames('v1.');
  fake.app?.expireInstallationTokens();
  await expect(client.listTagNames('v1.')).rejects.toBeInstanceOf(GitHubPermissionError);
  expect(fake.requests.at(-1)).toMatchObject({ credential: 'expired', status: 401 });
});

test('a key GitHub does not know fails the first call with a message naming the settings to check', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const { client, logs } = appClient({ privateKey: other });
  const error = await client.getStatusSnapshot(snapshot).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GitHubPermissionError);
  expect((error as GitHubPermissionError).userMessage).toBe(
    "GitHub refused the bot's GitHub App credentials: an admin must check GITHUB_APP_ID and the App's private key.",
  );
  expect(fake.requests.map((r) => [r.credential, r.status])).toEqual([['jwt', 401]]);
  expect(fake.app?.tokenCount).toBe(0);
  expect(logs.text()).not.toContain('PRIVATE KEY');
});

test('another App ID is refused too', async () => {
  const { client } = appClient({ appId: '1' });
  await expect(client.listTagNames('v1.')).rejects.toBeInstanceOf(GitHubPermissionError);
});

test('an installation GitHub does not have names GITHUB_APP_INSTALLATION_ID', async () => {
  const { client } = appClient({ installationId: 999 });
  const error = await client.listTagNames('v1.').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GitHubNotFoundError);
  expect((error as GitHubNotFoundError).userMessage).toContain('GITHUB_APP_INSTALLATION_ID');
});

test('a token request that fails with 502 is retried like any other request', async () => {
  const logs = captureLogs();
  const client = createGitHubClient({
    app: { appId: app.appId, privateKey: app.privateKeyPem, installationId: Number(app.installationId) },
    wallClock: () => wallClock,
    baseUrl: fake.url,
    owner: fake.owner,
    repo: fake.repo,
    logger: logs.logger,
    retry: { retries: 1, minRetryAfterMs: 10 },
  });
  fake.injectFault({ status: 502 }, { match: (r) => r.path.startsWith('/app/') });
  expect(await client.listTagNames('v1.')).toEqual(['v1.301.0']);
  expect(fake.requests.map((r) => r.status)).toEqual([502, 201, 200]);
});

test("the logger's scrubber hides installation tokens, App JWTs and private keys", async () => {
  const { client } = appClient();
  await client.listTagNames('v1.');
  const token = fake.app?.issued[0]?.token ?? '';
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MjQyNDIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const text = scrubSecrets(`push with ${token}, JWT ${jwt}, key ${app.privateKeyPem}`);
  expect(text).toBe('push with [redacted], JWT [redacted], key [redacted]\n');
});
