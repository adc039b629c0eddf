// getCommit, compareCommits, getPullRequest and listTagNames: what a patch request's validation asks GitHub.
import { GitHubUnavailableError } from '../../src/github/errors';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { clientFor } from './helpers';

let fake: FakeGitHub;
let history: string[];

beforeEach(async () => {
  fake = await startFakeGitHub();
  history = fake.addCommits(5);
  fake.setBranch('main', history[4] as string);
});

afterEach(async () => {
  await fake.close();
});

test('a commit is found by its SHA or a unique prefix; an unknown one is null', async () => {
  const { client } = clientFor(fake);
  const sha = history[2] as string;
  const expected = { sha, title: 'Commit 3', url: `https://github.com/mozilla/fxa/commit/${sha}` };
  await expect(client.getCommit(sha)).resolves.toEqual(expected);
  await expect(client.getCommit(sha.slice(0, 8))).resolves.toEqual(expected);
  await expect(client.getCommit('0123456789abcdef0123456789abcdef01234567')).resolves.toBeNull();
});

test('compare tells whether a commit is on main, and how far after another', async () => {
  const { client } = clientFor(fake);
  const [, second, , fourth] = history as [string, string, string, string, string];
  const side = fake.addCommit({ parents: [second] });
  await expect(client.compareCommits('main', fourth)).resolves.toEqual({ status: 'behind', aheadBy: 0, behindBy: 1 });
  await expect(client.compareCommits('main', side)).resolves.toEqual({ status: 'diverged', aheadBy: 1, behindBy: 3 });
  await expect(client.compareCommits(fourth, second)).resolves.toEqual({ status: 'behind', aheadBy: 0, behindBy: 2 });
  await expect(client.compareCommits('main', 'no-such-branch')).resolves.toBeNull();
});

test('a pull request says whether it was merged, and with which commit', async () => {
  const { client } = clientFor(fake);
  const open = fake.addPullRequest({ title: 'Open one', authorLogin: 'alice' });
  const merged = fake.addPullRequest({ title: 'Merged one', authorLogin: 'bob' });
  const mergeSha = fake.mergePullRequest(merged.number);
  await expect(client.getPullRequest(open.number)).resolves.toMatchObject({
    number: open.number,
    state: 'open',
    merged: false,
    mergeCommitSha: null,
    baseRef: 'main',
  });
  await expect(client.getPullRequest(merged.number)).resolves.toMatchObject({
    title: 'Merged one',
    state: 'closed',
    merged: true,
    mergeCommitSha: mergeSha,
  });
  await expect(client.getPullRequest(999)).resolves.toBeNull();
  expect(fake.branches.get('main')).toBe(mergeSha);
});

test('tags are listed by prefix', async () => {
  const { client } = clientFor(fake);
  fake.addTag('v1.301.0', history[0] as string, { annotated: true });
  fake.addTag('v1.301.2', history[1] as string);
  fake.addTag('v1.3010.0', history[2] as string);
  fake.addTag('v1.302.0', history[3] as string);
  expect((await client.listTagNames('v1.301.')).sort()).toEqual(['v1.301.0', 'v1.301.2']);
  await expect(client.listTagNames('v1.999.')).resolves.toEqual([]);
});

test('GitHub failing is an error, not "no such commit"', async () => {
  fake.injectFault({ status: 502 }, { times: Infinity });
  const { client } = clientFor(fake, { retry: { retries: 0 } });
  await expect(client.getCommit(history[0] as string)).rejects.toBeInstanceOf(GitHubUnavailableError);
  await expect(client.compareCommits('main', history[0] as string)).rejects.toBeInstanceOf(GitHubUnavailableError);
  await expect(client.getPullRequest(1)).rejects.toBeInstanceOf(GitHubUnavailableError);
  await expect(client.listTagNames('v1.')).rejects.toBeInstanceOf(GitHubUnavailableError);
});
