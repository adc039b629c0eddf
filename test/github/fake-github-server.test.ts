// The fake GitHub itself: other tests trust it, so it must behave like GitHub
// where we rely on it (validation, pagination rules, auth, REST shapes, faults).
import { Octokit } from '@octokit/rest';
import { buildSchema, parse, validate } from 'graphql';
import { OPEN_PULL_REQUESTS_QUERY, STATUS_SNAPSHOT_QUERY } from '../../src/github/status-snapshot';
import { GITHUB_SCHEMA_SDL } from '../fakes/github-schema';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';

let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'mozilla', repo: 'fxa' };

beforeEach(async () => {
  fake = await startFakeGitHub();
  octokit = new Octokit({ baseUrl: fake.url, auth: fake.token, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
});

afterEach(async () => {
  await fake.close();
});

async function postGraphQL(
  query: string,
  variables: Record<string, unknown> = {},
  token = fake.token,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

describe('GraphQL', () => {
  test("a query with an unknown field is rejected with HTTP 200 and GitHub's error, nothing executed", async () => {
    const { status, body } = await postGraphQL(
      'query Typo {\n  repository(owner: "mozilla", name: "fxa") {\n    pullRequests(first: 1) { nodes { numbr } }\n  }\n}',
    );

    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          message: "Field 'numbr' doesn't exist on type 'PullRequest'",
          locations: [{ line: 3, column: 38 }],
          extensions: { code: 'undefinedField', typeName: 'PullRequest', fieldName: 'numbr' },
        },
      ],
    });
  });

  test('an unknown argument and a wrong enum value are rejected too', async () => {
    const unknownArgument = await postGraphQL(
      '{ repository(owner: "mozilla", name: "fxa") { refs(refPrefix: "refs/tags/", first: 1, sortBy: NAME) { totalCount } } }',
    );
    expect(unknownArgument.body).toMatchObject({ errors: [{ message: "Field 'refs' doesn't accept argument 'sortBy'" }] });

    const badEnum = await postGraphQL(
      '{ repository(owner: "mozilla", name: "fxa") { pullRequests(first: 1, states: DRAFT) { totalCount } } }',
    );
    expect(badEnum.body).toMatchObject({ errors: [{ message: expect.stringContaining('DRAFT') }] });
  });

  test('connections need first or last, at most 100, as on GitHub', async () => {
    const missing = await postGraphQL('{ repository(owner: "mozilla", name: "fxa") { pullRequests { totalCount } } }');
    expect(missing.body).toMatchObject({
      errors: [
        {
          type: 'MISSING_PAGINATION_BOUNDARIES',
          message: 'You must provide a `first` or `last` value to properly paginate the `pullRequests` connection.',
        },
      ],
    });

    const excessive = await postGraphQL(
      '{ repository(owner: "mozilla", name: "fxa") { refs(refPrefix: "refs/tags/", first: 101) { totalCount } } }',
    );
    expect(excessive.body).toMatchObject({
      errors: [
        {
          type: 'EXCESSIVE_PAGINATION',
          message: 'Requesting 101 records on the `refs` connection exceeds the `first` limit of 100 records.',
        },
      ],
    });
  });

  test('cursor pagination walks every item once, with totalCount and pageInfo', async () => {
    for (let i = 0; i < 5; i++) fake.addPullRequest({ title: `PR ${i}`, authorLogin: 'alice' });
    const query =
      'query($after: String) { repository(owner: "mozilla", name: "fxa") { pullRequests(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { number } } } }';
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { body } = await postGraphQL(query, { after });
      const connection = (
        body as {
          data: {
            repository: {
              pullRequests: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ number: number }> };
            };
          };
        }
      ).data.repository.pullRequests;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.nodes.map((n) => n.number));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  test('an unknown repository is NOT_FOUND with a null repository', async () => {
    const { body } = await postGraphQL('{ repository(owner: "mozilla", name: "nope") { name } }');
    expect(body).toEqual({
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          locations: [{ line: 1, column: 3 }],
          message: "Could not resolve to a Repository with the name 'mozilla/nope'.",
        },
      ],
    });
  });

  test("the adapter's queries are valid against the schema subset", () => {
    const schema = buildSchema(GITHUB_SCHEMA_SDL);
    expect(validate(schema, parse(STATUS_SNAPSHOT_QUERY))).toEqual([]);
    expect(validate(schema, parse(OPEN_PULL_REQUESTS_QUERY))).toEqual([]);
  });

  test('the operation name of each request is logged', async () => {
    await octokit.graphql('query WhoAmI { viewer { login } }');
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/graphql', operationName: 'WhoAmI', status: 200 })]);
    fake.resetRequests();
    expect(fake.requestCount()).toBe(0);
  });
});

describe('authentication', () => {
  test('a wrong or missing token is 401 Bad credentials; token and bearer schemes both work', async () => {
    const wrong = await postGraphQL('{ viewer { login } }', {}, 'wrong');
    expect(wrong).toEqual({
      status: 401,
      body: expect.objectContaining({ message: 'Bad credentials', documentation_url: expect.any(String) }),
    });

    const anonymous = await fetch(`${fake.url}/repos/mozilla/fxa/tags`);
    expect(anonymous.status).toBe(401);

    const withToken = await fetch(`${fake.url}/repos/mozilla/fxa/tags`, { headers: { authorization: `token ${fake.token}` } });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('x-oauth-scopes')).toBe('repo, workflow, read:user');
  });
});

describe('REST', () => {
  test('tags: matching-refs tells annotated from lightweight; /tags lists tag commits', async () => {
    const c1 = fake.addCommit();
    const c2 = fake.addCommit({ parents: [c1] });
    fake.addTag('v1.1.0', c1);
    const annotated = fake.addTag('v1.2.0', c2, { annotated: true });
    fake.addTag('subplat-1', c2);

    const { data: refs } = await octokit.rest.git.listMatchingRefs({ ...repo, ref: 'tags/v1.' });
    expect(refs.map((r) => [r.ref, r.object.type, r.object.sha])).toEqual([
      ['refs/tags/v1.1.0', 'commit', c1],
      ['refs/tags/v1.2.0', 'tag', annotated.tagObjectSha],
    ]);

    const { data: tags } = await octokit.rest.repos.listTags({ ...repo, per_page: 2 });
    expect(tags.map((t) => [t.name, t.commit.sha])).toEqual([
      ['v1.2.0', c2],
      ['v1.1.0', c1],
    ]);
  });

  test('branches, commits and check runs filtered by name', async () => {
    const sha = fake.addCommit({ message: 'Release train 300\n\nDetails' });
    fake.setBranch('train-300', sha);
    fake.addTag('v1.300.0', sha, { annotated: true });
    fake.setCheckRun(sha, { name: 'test_and_deploy_tag', status: 'completed', conclusion: 'success', detailsUrl: 'https://ci.example/1' });
    fake.setCheckRun(sha, { name: 'test_pull_request', status: 'in_progress' });

    const { data: branch } = await octokit.rest.repos.getBranch({ ...repo, branch: 'train-300' });
    expect(branch.commit.sha).toBe(sha);
    expect(branch.commit.commit.message).toBe('Release train 300\n\nDetails');
    await expect(octokit.rest.repos.getBranch({ ...repo, branch: 'train-999' })).rejects.toMatchObject({ status: 404 });

    const { data: commit } = await octokit.rest.repos.getCommit({ ...repo, ref: 'v1.300.0' });
    expect(commit.sha).toBe(sha);

    const { data: runs } = await octokit.rest.checks.listForRef({ ...repo, ref: 'v1.300.0', check_name: 'test_and_deploy_tag' });
    expect(runs.total_count).toBe(1);
    expect(runs.check_runs[0]).toMatchObject({
      name: 'test_and_deploy_tag',
      status: 'completed',
      conclusion: 'success',
      details_url: 'https://ci.example/1',
      head_sha: sha,
    });
  });

  test('compare computes identical, ahead, behind and diverged from commit parents', async () => {
    const base = fake.addCommit();
    const [a1, a2] = fake.addCommits(2, base);
    const [b1] = fake.addCommits(1, base);
    fake.setBranch('main', a2 ?? '');
    fake.setBranch('train-1', base);
    fake.setBranch('other', b1 ?? '');

    const compare = async (basehead: string) => (await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead })).data;

    expect(await compare('main...main')).toMatchObject({ status: 'identical', ahead_by: 0, behind_by: 0 });
    const ahead = await compare('train-1...main');
    expect(ahead).toMatchObject({ status: 'ahead', ahead_by: 2, behind_by: 0, merge_base_commit: { sha: base } });
    expect(ahead.commits.map((c) => c.sha)).toEqual([a1, a2]);
    expect(await compare('main...train-1')).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 2 });
    expect(await compare('main...other')).toMatchObject({
      status: 'diverged',
      ahead_by: 1,
      behind_by: 2,
      merge_base_commit: { sha: base },
    });
  });

  test('pull requests and users', async () => {
    const pr = fake.addPullRequest({ title: 'Fix login', authorLogin: 'alice', isDraft: true, labels: ['bug'], mergeable: 'CONFLICTING' });

    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(data).toMatchObject({
      number: pr.number,
      title: 'Fix login',
      draft: true,
      state: 'open',
      mergeable: false,
      user: { login: 'alice' },
      labels: [{ name: 'bug' }],
      head: { sha: pr.headSha },
    });

    await expect(octokit.rest.users.getByUsername({ username: 'alice' })).resolves.toMatchObject({
      data: { login: 'alice', type: 'User' },
    });
    await expect(octokit.rest.users.getByUsername({ username: 'mallory' })).rejects.toMatchObject({ status: 404 });
  });

  test('workflow dispatches are recorded; unknown workflows, refs and inputs are refused', async () => {
    fake.setBranch('main', fake.addCommit());
    fake.addWorkflow('tag-release.yml', { inputs: {}, createRunOnDispatch: true });
    fake.addWorkflow('docker.yml', { inputs: { git_tag: { required: true } } });

    const dispatched = await octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'tag-release.yml', ref: 'main' });
    expect(dispatched.status).toBe(204);
    await octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'docker.yml', ref: 'main', inputs: { git_tag: 'v1.300.0' } });
    expect(fake.workflowDispatches).toEqual([
      { workflow: 'tag-release.yml', ref: 'main', inputs: {}, at: expect.any(Number) },
      { workflow: 'docker.yml', ref: 'main', inputs: { git_tag: 'v1.300.0' }, at: expect.any(Number) },
    ]);

    await expect(octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'nope.yml', ref: 'main' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'tag-release.yml', ref: 'nope' }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'tag-release.yml', ref: 'main', inputs: { train: '300' } }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('Unexpected inputs provided') });
    expect(fake.workflowDispatches).toHaveLength(2);
  });

  test('workflow runs can be listed, read and moved along by the test', async () => {
    fake.setBranch('main', fake.addCommit());
    fake.addWorkflow('tag-release.yml', { createRunOnDispatch: true });
    await octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'tag-release.yml', ref: 'main' });
    const older = fake.addWorkflowRun('tag-release.yml', { status: 'completed', conclusion: 'failure', createdAt: '2023-06-01T00:00:00Z' });

    const { data: list } = await octokit.rest.actions.listWorkflowRuns({
      ...repo,
      workflow_id: 'tag-release.yml',
      event: 'workflow_dispatch',
      branch: 'main',
    });
    expect(list.total_count).toBe(2);
    const [newest] = list.workflow_runs;
    expect(newest).toMatchObject({ status: 'queued', conclusion: null, head_branch: 'main', path: '.github/workflows/tag-release.yml' });
    expect(list.workflow_runs[1]?.id).toBe(older.id);

    fake.updateWorkflowRun(newest?.id ?? -1, { status: 'completed', conclusion: 'success' });
    const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: newest?.id ?? -1 });
    expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
  });
});

describe('faults', () => {
  test('a fault applies only to matching requests, as many times as asked', async () => {
    fake.injectFault({ status: 500 }, { times: 2, match: (r) => r.path.endsWith('/tags') });

    const statuses: number[] = [];
    for (const path of ['/repos/mozilla/fxa/tags', '/repos/mozilla/fxa', '/repos/mozilla/fxa/tags', '/repos/mozilla/fxa/tags']) {
      statuses.push((await fetch(`${fake.url}${path}`, { headers: { authorization: `token ${fake.token}` } })).status);
    }
    expect(statuses).toEqual([500, 200, 500, 200]);
  });

  test("rate-limit faults carry GitHub's headers", async () => {
    fake.injectFault({ secondaryRateLimit: { retryAfterSeconds: 7 } });
    fake.injectFault({ primaryRateLimit: { resetInSeconds: 60 } });
    const headers = { authorization: `token ${fake.token}` };

    const secondary = await fetch(`${fake.url}/repos/mozilla/fxa/tags`, { headers });
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('retry-after')).toBe('7');
    expect(((await secondary.json()) as { message: string }).message).toMatch(/^You have exceeded a secondary rate limit/);

    const primary = await fetch(`${fake.url}/repos/mozilla/fxa/tags`, { headers });
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(primary.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 55);
  });

  test('close() ends a hanging request, so nothing is left running', async () => {
    fake.injectFault({ hang: true });
    const pending = fetch(`${fake.url}/repos/mozilla/fxa/tags`, { headers: { authorization: `token ${fake.token}` } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests[0]?.status).toBeUndefined();

    const started = Date.now();
    await fake.close();

    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
