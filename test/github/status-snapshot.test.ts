import { GitHubNotFoundError } from '../../src/github/errors';
import type { PullRequestSummary } from '../../src/github/client';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { addPullRequests, clientFor } from './helpers';

const CHECK = 'test_and_deploy_tag';

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub({ token: 'ghp_snapshotTestToken0123456789abcdef' });
});

afterEach(async () => {
  await fake.close();
});

test('a status with 10 open pull requests costs one request and reads tags, their CI and the pull requests', async () => {
  const c299 = fake.addCommit({ message: 'Train 299' });
  const c300 = fake.addCommit({ parents: [c299] });
  const c301 = fake.addCommit({ parents: [c300] });
  const head = fake.addCommit({ parents: [c301] });
  fake.setBranch('main', head);
  fake.setBranch('train-300', c301);

  fake.addTag('v1.299.0', c299); // lightweight
  fake.setCheckRun(c299, { name: CHECK, status: 'completed', conclusion: 'failure', detailsUrl: 'https://circleci.example/299' });
  // Another check on the same commit, from another app: not the one asked for.
  fake.setCheckRun(c299, { name: 'test_pull_request', status: 'completed', conclusion: 'success', appSlug: 'github-actions' });
  const annotated = fake.addTag('v1.300.0', c300, { annotated: true, message: 'Train release 300' });
  fake.setCheckRun(c300, { name: CHECK, status: 'in_progress', detailsUrl: 'https://circleci.example/300' });
  fake.addTag('v1.300.1', c301, { annotated: true }); // CI has not reported yet

  const prs = [
    fake.addPullRequest({
      title: 'feat(auth): passkeys',
      authorLogin: 'alice',
      labels: ['feature', 'auth'],
      reviewDecision: 'APPROVED',
      checksState: 'SUCCESS',
    }),
    fake.addPullRequest({ title: 'WIP: new settings page', authorLogin: 'bob', isDraft: true, checksState: 'PENDING' }),
    fake.addPullRequest({
      title: 'fix: conflicting change',
      authorLogin: 'carol',
      mergeable: 'CONFLICTING',
      reviewDecision: 'CHANGES_REQUESTED',
      checksState: 'FAILURE',
    }),
    fake.addPullRequest({ title: 'chore(deps): bump jest', authorLogin: 'dependabot[bot]', authorIsBot: true, labels: ['dependencies'] }),
    fake.addPullRequest({
      title: 'docs: from a deleted account',
      authorLogin: null,
      mergeable: 'UNKNOWN',
      reviewDecision: 'REVIEW_REQUIRED',
    }),
  ];
  for (let i = 0; i < 5; i++) prs.push(fake.addPullRequest({ title: `Change ${i}`, authorLogin: `dev${i}` }));
  // Not into main, or not open: not part of the train.
  fake.addPullRequest({ title: 'Hotfix for train 300', authorLogin: 'alice', base: 'train-300' });
  fake.addPullRequest({ title: 'Closed one', authorLogin: 'alice', state: 'CLOSED' });
  fake.addPullRequest({ title: 'Merged one', authorLogin: 'alice', state: 'MERGED' });

  const { client } = clientFor(fake);
  const snapshot = await client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK });

  expect(fake.requests.map((r) => r.operationName)).toEqual(['StatusSnapshot']);

  expect(snapshot.tags).toEqual([
    { name: 'v1.300.1', commitSha: c301, check: null },
    {
      name: 'v1.300.0',
      commitSha: c300,
      check: {
        status: 'IN_PROGRESS',
        conclusion: null,
        url: 'https://circleci.example/300',
        startedAt: expect.any(String),
        completedAt: null,
      },
    },
    {
      name: 'v1.299.0',
      commitSha: c299,
      check: {
        status: 'COMPLETED',
        conclusion: 'FAILURE',
        url: 'https://circleci.example/299',
        startedAt: expect.any(String),
        completedAt: expect.any(String),
      },
    },
  ]);
  // An annotated tag is peeled to its commit.
  expect(annotated.tagObjectSha).not.toBe(c300);

  expect(snapshot.pullRequests).toHaveLength(10);
  expect(snapshot.pullRequests.map((pr) => pr.number)).toEqual(prs.map((pr) => pr.number));
  const [first, draft, conflicting, bot, ghost] = snapshot.pullRequests;
  expect(first).toEqual<PullRequestSummary>({
    number: prs[0]?.number ?? -1,
    title: 'feat(auth): passkeys',
    url: `https://github.com/mozilla/fxa/pull/${prs[0]?.number}`,
    authorLogin: 'alice',
    createdAt: prs[0]?.createdAt ?? '',
    isDraft: false,
    labels: ['feature', 'auth'],
    mergeable: 'MERGEABLE',
    reviewDecision: 'APPROVED',
    checksState: 'SUCCESS',
    headSha: prs[0]?.headSha ?? '',
  });
  expect(draft).toMatchObject({ isDraft: true, checksState: 'PENDING', reviewDecision: null, labels: [] });
  expect(conflicting).toMatchObject({ mergeable: 'CONFLICTING', reviewDecision: 'CHANGES_REQUESTED', checksState: 'FAILURE' });
  // GraphQL names a GitHub App's bot without the "[bot]" suffix (`__typename: "Bot"`); the adapter spells it as REST does.
  expect(bot).toMatchObject({ authorLogin: 'dependabot[bot]', labels: ['dependencies'], checksState: null });
  expect(ghost).toMatchObject({ authorLogin: null, mergeable: 'UNKNOWN', reviewDecision: 'REVIEW_REQUIRED' });
});

test('a repository with no tags and no open pull requests gives an empty snapshot', async () => {
  fake.setBranch('main', fake.addCommit());
  const { client } = clientFor(fake);

  await expect(client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK })).resolves.toEqual({ tags: [], pullRequests: [] });
});

test('maxTags limits how many recent tags are read', async () => {
  let parent: string | undefined;
  for (let n = 1; n <= 5; n++) {
    parent = fake.addCommit(parent ? { parents: [parent] } : {});
    fake.addTag(`v1.${n}.0`, parent);
  }
  addPullRequests(fake, 2);
  const { client } = clientFor(fake);

  const snapshot = await client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK, maxTags: 2 });

  expect(snapshot.tags.map((t) => t.name)).toEqual(['v1.5.0', 'v1.4.0']);
  await expect(client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK, maxTags: 101 })).rejects.toThrow(RangeError);
});

test('an unknown repository is a GitHubNotFoundError that names it', async () => {
  const { client } = clientFor(fake, { repo: 'no-such-repo' });

  const error = await client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK }).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(GitHubNotFoundError);
  expect((error as GitHubNotFoundError).userMessage).toContain('cannot find the repository mozilla/no-such-repo');
});

test('the token never appears in the logs, even at trace level and on failures', async () => {
  fake.setBranch('main', fake.addCommit());
  addPullRequests(fake, 3);
  const succeeding = clientFor(fake);
  await succeeding.client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK });
  fake.injectFault({ status: 502 });
  const failing = clientFor(fake, { retry: { retries: 0 } });
  await expect(failing.client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK })).rejects.toThrow();

  expect(succeeding.logs.entries().length).toBeGreaterThan(0);
  expect(failing.logs.text()).toContain('reading the status snapshot failed');
  for (const logs of [succeeding.logs, failing.logs]) expect(logs.text()).not.toContain(fake.token);
});

test('people asking for the status at the same moment share one read', async () => {
  fake.setBranch('main', fake.addCommit());
  addPullRequests(fake, 4);
  const { client } = clientFor(fake);

  const snapshots = await Promise.all([1, 2, 3].map(() => client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK })));

  expect(fake.requestCount()).toBe(1);
  expect(snapshots[1]).toEqual(snapshots[0]);
  expect(snapshots[2]).not.toBe(snapshots[0]);
  expect(snapshots[0]?.pullRequests).toHaveLength(4);

  // Once answered, the next request reads GitHub again.
  await client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK });
  expect(fake.requestCount()).toBe(2);
});
