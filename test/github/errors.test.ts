// toGitHubError on what Octokit really throws: REST and GraphQL failures
// produced over HTTP by the configured Octokit against the fake.
import {
  GitHubBadRequestError,
  type GitHubError,
  GitHubNotFoundError,
  GitHubPermissionError,
  GitHubRateLimitedError,
  GitHubUnavailableError,
  toGitHubError,
} from '../../src/github/errors';
import { createOctokit, type ConfiguredOctokit } from '../../src/github/octokit';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { captureLogs } from './helpers';

let fake: FakeGitHub;
let octokit: ConfiguredOctokit;
const repo = { owner: 'mozilla', repo: 'fxa' };

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.setBranch('main', fake.addCommit());
  fake.addWorkflow('tag-release.yml', { inputs: {} });
  octokit = createOctokit({ token: fake.token, baseUrl: fake.url, logger: captureLogs().logger, retry: { retries: 0 } });
});

afterEach(async () => {
  await fake.close();
});

async function mapped(promise: Promise<unknown>): Promise<GitHubError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => toGitHubError(err),
  );
}

test('a REST 403 for a missing scope names the scope to add', async () => {
  fake.injectFault({ forbidden: { acceptedScopes: ['workflow'], tokenScopes: ['repo', 'read:org'] } });

  const error = await mapped(
    octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      ...repo,
      workflow_id: 'tag-release.yml',
      ref: 'main',
    }),
  );

  expect(error).toBeInstanceOf(GitHubPermissionError);
  expect(error).toMatchObject({
    status: 403,
    missingScopes: ['workflow'],
    tokenScopes: ['repo', 'read:org'],
    acceptedScopes: ['workflow'],
  });
  expect(error.userMessage).toBe(
    "The bot's GitHub token is missing the `workflow` scope (it has `repo`, `read:org`): an admin must grant it.",
  );
  expect(error.requestId).toBe('FAKE:1');
});

test('a REST 403 without scope headers quotes GitHub', async () => {
  fake.injectFault({ forbidden: { acceptedScopes: [], tokenScopes: [], message: 'Must have admin rights to Repository.' } });

  const error = await mapped(octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch: 'main' }));

  expect(error).toBeInstanceOf(GitHubPermissionError);
  expect(error.userMessage).toBe("GitHub refused the bot's token permission: Must have admin rights to Repository.");
});

test('a REST primary rate limit is GitHubRateLimitedError with the seconds until the reset', async () => {
  fake.injectFault({ primaryRateLimit: { resetInSeconds: 600 } });

  const error = await mapped(octokit.request('GET /repos/{owner}/{repo}/tags', repo));

  expect(error).toBeInstanceOf(GitHubRateLimitedError);
  expect((error as GitHubRateLimitedError).limit).toBe('primary');
  expect((error as GitHubRateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(598);
  expect(fake.requestCount()).toBe(1);
});

test("REST 404 and 422 are not-found and bad-request errors with GitHub's words", async () => {
  const missing = await mapped(octokit.request('GET /users/{username}', { username: 'nobody-here' }));
  expect(missing).toBeInstanceOf(GitHubNotFoundError);
  expect(missing.status).toBe(404);

  const badRef = await mapped(
    octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      ...repo,
      workflow_id: 'tag-release.yml',
      ref: 'no-such-branch',
    }),
  );
  expect(badRef).toBeInstanceOf(GitHubBadRequestError);
  expect(badRef.userMessage).toBe('GitHub refused the request: No ref found for: no-such-branch');
});

test('a REST 503 is GitHubUnavailableError with the status in words', async () => {
  fake.injectFault({ status: 503 });

  const error = await mapped(octokit.request('GET /repos/{owner}/{repo}/tags', repo));

  expect(error).toBeInstanceOf(GitHubUnavailableError);
  expect(error.userMessage).toBe('GitHub is not answering (HTTP 503).');
});

test('a GraphQL query GitHub rejects (unknown field) is GitHubBadRequestError quoting GitHub', async () => {
  const error = await mapped(octokit.graphql('query { repository(owner: "mozilla", name: "fxa") { bogusField } }'));

  expect(error).toBeInstanceOf(GitHubBadRequestError);
  expect(error.userMessage).toBe("GitHub refused the bot's query: Field 'bogusField' doesn't exist on type 'Repository'");
});

test('errors that are not from GitHub are kept apart, and a GitHubError maps to itself', () => {
  const unexpected = toGitHubError(new TypeError('x is not a function'));
  expect(unexpected.kind).toBe('unexpected');
  expect(unexpected.userMessage).toBe('Something went wrong while talking to GitHub.');

  const original = new GitHubNotFoundError('gone', 'It is gone.');
  expect(toGitHubError(original)).toBe(original);
});
