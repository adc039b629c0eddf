// How the client behaves when GitHub misbehaves: retries, rate limits,
// timeouts, refused permissions. Real HTTP against the fake; small waits.
import { GitHubError, GitHubPermissionError, GitHubRateLimitedError, GitHubUnavailableError } from '../../src/github/errors';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { addPullRequests, clientFor } from './helpers';

const SNAPSHOT = { baseBranch: 'main', checkName: 'test_and_deploy_tag' };

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.setBranch('main', fake.addCommit());
  addPullRequests(fake, 3);
});

afterEach(async () => {
  await fake.close();
});

async function failure(promise: Promise<unknown>): Promise<GitHubError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof GitHubError)) throw new Error(`expected a GitHubError, got ${String(error)}`);
  return error;
}

test('a 502 followed by success is retried and the status is shown', async () => {
  fake.injectFault({ status: 502 });
  const { client } = clientFor(fake);

  const snapshot = await client.getStatusSnapshot(SNAPSHOT);

  expect(snapshot.pullRequests).toHaveLength(3);
  expect(fake.requests.map((r) => r.status)).toEqual([502, 200]);
});

test('GitHub answering 502 every time gives GitHubUnavailableError after a few retries', async () => {
  fake.injectFault({ status: 502 }, { times: Infinity });
  const { client } = clientFor(fake, { retry: { retries: 1, minRetryAfterMs: 10 } });

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubUnavailableError);
  expect(error.userMessage).toBe('GitHub is not answering (HTTP 502).');
  expect(error.status).toBe(502);
  expect(fake.requestCount()).toBe(2);
});

test('a secondary rate limit with Retry-After: 1 is waited for and retried once', async () => {
  fake.injectFault({ secondaryRateLimit: { retryAfterSeconds: 1 } });
  const { client } = clientFor(fake);

  const snapshot = await client.getStatusSnapshot(SNAPSHOT);

  expect(snapshot.pullRequests).toHaveLength(3);
  const [limited, retried] = fake.requests;
  expect(limited?.status).toBe(403);
  expect(retried?.status).toBe(200);
  expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
});

test('a second secondary rate limit in a row is not waited for again', async () => {
  fake.injectFault({ secondaryRateLimit: { retryAfterSeconds: 1 } }, { times: 2 });
  const { client } = clientFor(fake);

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubRateLimitedError);
  expect((error as GitHubRateLimitedError).retryAfterSeconds).toBe(1);
  expect(fake.requestCount()).toBe(2);
});

test('a rate limit asking for more than 60 s is not waited for', async () => {
  fake.injectFault({ secondaryRateLimit: { retryAfterSeconds: 120 } });
  const { client } = clientFor(fake);

  const started = Date.now();
  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(Date.now() - started).toBeLessThan(1000);
  expect(error).toBeInstanceOf(GitHubRateLimitedError);
  expect((error as GitHubRateLimitedError).retryAfterSeconds).toBe(120);
  expect(error.userMessage).toBe('GitHub is rate-limiting the bot; try again in 2 min.');
  expect(fake.requestCount()).toBe(1);
});

test('an exhausted primary rate limit (GraphQL RATE_LIMITED) resetting in 10 minutes fails at once with the wait', async () => {
  fake.injectFault({ primaryRateLimit: { resetInSeconds: 600 } });
  const { client } = clientFor(fake);

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubRateLimitedError);
  const { retryAfterSeconds } = error as GitHubRateLimitedError;
  expect(retryAfterSeconds).toBeGreaterThanOrEqual(598);
  expect(retryAfterSeconds).toBeLessThanOrEqual(602);
  expect(error.userMessage).toMatch(/^GitHub is rate-limiting the bot; try again in 1\d min\.$/);
  expect(fake.requestCount()).toBe(1);
});

test('a GitHub that does not answer gives GitHubUnavailableError within the timeout, without retrying', async () => {
  fake.injectFault({ hang: true }, { times: Infinity });
  const { client } = clientFor(fake, { requestTimeoutMs: 300 });

  const started = Date.now();
  const error = await failure(client.getStatusSnapshot(SNAPSHOT));
  const elapsed = Date.now() - started;

  expect(error).toBeInstanceOf(GitHubUnavailableError);
  expect((error as GitHubUnavailableError).reason).toBe('timeout');
  expect(error.userMessage).toBe('GitHub did not answer within 300 ms.');
  expect(elapsed).toBeGreaterThanOrEqual(290);
  expect(elapsed).toBeLessThan(1500);
  expect(fake.requestCount()).toBe(1);
});

test('a slow answer within the timeout is fine', async () => {
  fake.injectFault({ delayMs: 150 });
  const { client } = clientFor(fake, { requestTimeoutMs: 1000 });

  await expect(client.getStatusSnapshot(SNAPSHOT)).resolves.toMatchObject({ pullRequests: expect.any(Array) });
});

test('a token lacking a scope gives GitHubPermissionError naming the missing scope', async () => {
  fake.injectFault({ forbidden: { acceptedScopes: ['repo'], tokenScopes: ['read:org'] } });
  const { client } = clientFor(fake);

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubPermissionError);
  const permission = error as GitHubPermissionError;
  expect(permission.missingScopes).toEqual(['repo']);
  expect(permission.tokenScopes).toEqual(['read:org']);
  expect(error.userMessage).toBe("The bot's GitHub token is missing the `repo` scope (it has `read:org`): an admin must grant it.");
  expect(fake.requestCount()).toBe(1);
});

test('a wrong token gives GitHubPermissionError saying the credentials are bad, without retrying', async () => {
  const { client } = clientFor(fake, { token: 'ghp_revokedToken000000000000000000000' });

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubPermissionError);
  expect(error.status).toBe(401);
  expect(error.userMessage).toMatch(/rejected the bot's token \(bad credentials\)/);
  expect(fake.requestCount()).toBe(1);
});

test('GitHub unreachable (connection refused) gives GitHubUnavailableError', async () => {
  const { client } = clientFor(fake, { retry: { retries: 0 } });
  await fake.close();

  const error = await failure(client.getStatusSnapshot(SNAPSHOT));

  expect(error).toBeInstanceOf(GitHubUnavailableError);
  expect((error as GitHubUnavailableError).reason).toBe('network');
  expect(error.userMessage).toBe('GitHub cannot be reached right now.');
});
