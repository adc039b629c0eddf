// The GitHub reads of the cutoff reminders: merged PRs since the last cut (one
// paginated GraphQL query that stops at `since`), a profile's public e-mail,
// and one PR's state.
import { GitHubUnavailableError } from '../../src/github/errors';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { clientFor } from './helpers';

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
});

afterEach(async () => {
  await fake.close();
});

test('merged pull requests since an instant, oldest merge first, reading only the pages it needs', async () => {
  // 250 PRs merged long ago, then 3 merged since the last cut (one into another branch).
  for (let i = 0; i < 250; i++) {
    const at = new Date(Date.UTC(2026, 8, 1) + i * 60_000).toISOString();
    fake.addPullRequest({ title: `Old ${i}`, authorLogin: 'dev', state: 'MERGED', createdAt: at, mergedAt: at });
  }
  fake.addPullRequest({ number: 901, title: 'Open', authorLogin: 'alice' });
  fake.addPullRequest({ number: 902, title: 'Second', authorLogin: 'bob', labels: ['dependencies'] });
  fake.addPullRequest({ number: 903, title: 'First', authorLogin: 'carol' });
  fake.addPullRequest({ number: 904, title: 'Other branch', authorLogin: 'carol', base: 'train-301' });
  fake.mergePullRequest(903, '2026-10-25T10:00:00Z');
  fake.mergePullRequest(902, '2026-10-26T10:00:00Z');
  fake.mergePullRequest(904, '2026-10-26T11:00:00Z');
  const { client } = clientFor(fake);

  const merged = await client.listMergedPullRequestsSince({ baseBranch: 'main', since: new Date('2026-10-21T17:00:00Z') });
  expect(merged.map((pr) => [pr.number, pr.authorLogin, pr.mergedAt, pr.labels])).toEqual([
    [903, 'carol', '2026-10-25T10:00:00Z', []],
    [902, 'bob', '2026-10-26T10:00:00Z', ['dependencies']],
  ]);
  // The first page already reached PRs updated before `since`: one request, not three.
  expect(fake.requests.map((r) => r.operationName)).toEqual(['MergedPullRequests']);
});

test('merged pull requests are paged while they are all newer than `since`', async () => {
  for (let i = 0; i < 130; i++) {
    const at = new Date(Date.UTC(2026, 9, 22) + i * 60_000).toISOString();
    fake.addPullRequest({ title: `New ${i}`, authorLogin: 'dev', state: 'MERGED', createdAt: at, mergedAt: at });
  }
  const { client } = clientFor(fake);
  const merged = await client.listMergedPullRequestsSince({ baseBranch: 'main', since: new Date('2026-10-21T17:00:00Z') });
  expect(merged).toHaveLength(130);
  expect(fake.requests.map((r) => r.operationName)).toEqual(['MergedPullRequests', 'MergedPullRequests']);
});

test('the public e-mail of a profile; null without one or without the account', async () => {
  fake.addUser('carol-gh', { email: 'carol@example.com' });
  fake.addUser('quiet-gh');
  const { client } = clientFor(fake);
  await expect(client.getPublicEmail('Carol-GH')).resolves.toBe('carol@example.com');
  await expect(client.getPublicEmail('quiet-gh')).resolves.toBeNull();
  await expect(client.getPublicEmail('nobody-zz')).resolves.toBeNull();
});

test('one pull request’s state: open, merged, closed or gone; GitHub failing is an error', async () => {
  fake.addPullRequest({ number: 1, title: 'Open', authorLogin: 'alice' });
  fake.addPullRequest({ number: 2, title: 'Merged', authorLogin: 'bob' });
  fake.addPullRequest({ number: 3, title: 'Closed', authorLogin: 'bob' });
  fake.mergePullRequest(2, '2026-11-04T16:00:00Z');
  fake.closePullRequest(3, '2026-11-04T16:00:00Z');
  const { client } = clientFor(fake, { retry: { retries: 0 } });
  await expect(client.getPullRequestState(1)).resolves.toEqual(
    expect.objectContaining({ state: 'open', mergedAt: null, authorLogin: 'alice' }),
  );
  await expect(client.getPullRequestState(2)).resolves.toEqual(
    expect.objectContaining({ state: 'merged', mergedAt: '2026-11-04T16:00:00Z' }),
  );
  await expect(client.getPullRequestState(3)).resolves.toEqual(expect.objectContaining({ state: 'closed' }));
  await expect(client.getPullRequestState(99)).resolves.toBeNull();
  fake.injectFault({ status: 502 });
  await expect(client.getPullRequestState(1)).rejects.toBeInstanceOf(GitHubUnavailableError);
});
