// Paging through open pull requests: the expensive case of the status snapshot.
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { clientFor } from './helpers';

const CHECK = 'test_and_deploy_tag';

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
});

afterEach(async () => {
  await fake.close();
});

test('500 open pull requests are all returned, oldest first, in at most 6 requests', async () => {
  fake.setBranch('main', fake.addCommit());
  const start = Date.UTC(2025, 0, 1);
  // Creation order differs from number order: 7919 and 500 are coprime, so this visits every minute once.
  for (let i = 0; i < 500; i++) {
    fake.addPullRequest({
      title: `Change ${i}`,
      authorLogin: `dev${i % 9}`,
      createdAt: new Date(start + ((i * 7919) % 500) * 60_000).toISOString(),
    });
  }
  const { client } = clientFor(fake);

  const snapshot = await client.getStatusSnapshot({ baseBranch: 'main', checkName: CHECK });

  expect(fake.requestCount()).toBeLessThanOrEqual(6);
  expect(fake.requests[0]?.operationName).toBe('StatusSnapshot');
  expect(fake.requests.slice(1).every((r) => r.operationName === 'OpenPullRequests')).toBe(true);
  expect(snapshot.pullRequests).toHaveLength(500);
  expect(new Set(snapshot.pullRequests.map((pr) => pr.number)).size).toBe(500);
  const created = snapshot.pullRequests.map((pr) => pr.createdAt);
  expect(created).toEqual([...created].sort());
  expect(created[0]).toBe(new Date(start).toISOString());
});
