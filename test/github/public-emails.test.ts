// getPublicEmails: the profiles of many authors in GraphQL batches of 100,
// kept until the end of the day the caller names; and the REST lists of the
// tagging work read to the last page.
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { clientFor } from './helpers';

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
});

afterEach(async () => {
  await fake.close();
});

const NOW = new Date('2026-11-04T15:00:00Z');
const END_OF_DAY = new Date('2026-11-05T07:59:59.999Z');

test('150 logins: two GraphQL requests; missing users and hidden e-mails are null; asked again the same day, none', async () => {
  for (let i = 0; i < 148; i++) fake.addUser(`dev-${i}`, { email: i % 2 === 0 ? `dev-${i}@example.com` : null });
  const logins = [...Array.from({ length: 148 }, (_, i) => `Dev-${i}`), 'nobody-1', 'nobody-2'];
  const { client } = clientFor(fake);

  const emails = await client.getPublicEmails(logins, { now: NOW, keepUntil: END_OF_DAY });
  expect(fake.requests.map((r) => r.operationName ?? r.path)).toEqual(['PublicEmails', 'PublicEmails']);
  expect(emails.size).toBe(150);
  expect(emails.get('dev-0')).toBe('dev-0@example.com');
  expect(emails.get('dev-1')).toBeNull();
  expect(emails.get('dev-146')).toBe('dev-146@example.com');
  expect(emails.get('nobody-2')).toBeNull();

  fake.resetRequests();
  const again = await client.getPublicEmails(['dev-0', 'NOBODY-1'], { now: new Date('2026-11-04T17:00:00Z'), keepUntil: END_OF_DAY });
  expect(fake.requests).toEqual([]);
  expect([...again]).toEqual([
    ['dev-0', 'dev-0@example.com'],
    ['nobody-1', null],
  ]);

  // The next day, read afresh.
  fake.addUser('nobody-1', { email: 'late@example.com' });
  const nextDay = await client.getPublicEmails(['nobody-1'], {
    now: new Date('2026-11-05T15:00:00Z'),
    keepUntil: new Date('2026-11-06T07:59:59.999Z'),
  });
  expect(fake.requests.map((r) => r.operationName)).toEqual(['PublicEmails']);
  expect(nextDay.get('nobody-1')).toBe('late@example.com');
});

test('a classic token without read:user: one REST profile read per login, and a warning saying what to add', async () => {
  await fake.close();
  fake = await startFakeGitHub({ tokenScopes: ['repo', 'workflow'] });
  fake.addUser('carol-gh', { email: 'carol@example.com' });
  const { client, logs } = clientFor(fake);

  const emails = await client.getPublicEmails(['carol-gh', 'nobody-zz'], { now: NOW, keepUntil: END_OF_DAY });
  expect([...emails]).toEqual([
    ['carol-gh', 'carol@example.com'],
    ['nobody-zz', null],
  ]);
  expect(fake.requests.map((r) => r.operationName ?? r.path)).toEqual(['PublicEmails', '/users/carol-gh', '/users/nobody-zz']);
  expect(logs.text()).toContain('read:user');
});

test('check runs and commit statuses are read to the last page (150 each: two requests of 100)', async () => {
  const sha = fake.addCommit();
  for (let i = 0; i < 150; i++) {
    fake.setCheckRun(sha, { name: `job-${i}`, status: 'completed', conclusion: i === 149 ? 'failure' : 'success' });
    fake.setCommitStatus(sha, { context: `ci/circleci: job-${i}`, state: i === 149 ? 'failure' : 'success' });
  }
  const { client } = clientFor(fake);

  const runs = await client.listCheckRuns({ ref: sha });
  expect(runs).toHaveLength(150);
  expect(runs?.filter((run) => run.conclusion === 'failure').map((run) => run.name)).toEqual(['job-149']);
  const statuses = await client.listCommitStatuses(sha);
  expect(statuses).toHaveLength(150);
  expect(statuses.filter((s) => s.state === 'failure').map((s) => s.context)).toEqual(['ci/circleci: job-149']);
  expect(fake.requests.map((r) => [r.path.replace(/^.*\/commits\/[0-9a-f]+/, ''), r.query.get('per_page'), r.query.get('page')])).toEqual([
    ['/check-runs', '100', '1'],
    ['/check-runs', '100', '2'],
    ['/status', '100', '1'],
    ['/status', '100', '2'],
  ]);
});

test('compare is read 100 commits a page until every commit is listed, oldest first', async () => {
  const [base = ''] = fake.addCommits(1);
  const commits = fake.addCommits(230, base);
  const { client } = clientFor(fake);

  const between = await client.listCommitsBetween({ base, head: commits.at(-1) ?? '' });
  expect(between?.totalCommits).toBe(230);
  expect(between?.commits.map((c) => c.sha)).toEqual(commits);
  expect(fake.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
});
