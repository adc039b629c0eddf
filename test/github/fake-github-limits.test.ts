// The fake GitHub refuses and caps what GitHub refuses and caps (issue 12), each
// with the limit it models and where it comes from:
// - REST lists serve at most 100 items a page whatever `per_page` says, default 30
//   ("Using pagination in the REST API"; `per-page` in @octokit/openapi-types:
//   "The number of results per page (max 100)"), with a Link header naming the
//   next and last pages.
// - Compare ("Compare two commits", "Working with large comparisons"): without
//   per_page/page at most 250 commits, the last one the most recent; with them,
//   paged oldest first like any list. So `per_page=250` gets 100.
// - GraphQL `user(login:)` is null with a NOT_FOUND error at its alias for a login
//   with no user; `User.email` is '' without a public e-mail, and a classic token
//   needs `read:user` or `user:email` to select it (INSUFFICIENT_SCOPES, no data).
import { Octokit } from '@octokit/rest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';

let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'mozilla', repo: 'fxa' };
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeEach(async () => {
  fake = await startFakeGitHub();
  octokit = new Octokit({ baseUrl: fake.url, auth: fake.token, log: quiet });
});

afterEach(async () => {
  await fake.close();
});

/** rel → URL of a Link header. */
function links(header: string | undefined): Record<string, URL> {
  const out: Record<string, URL> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (match?.[1] && match[2]) out[match[2]] = new URL(match[1]);
  }
  return out;
}

describe('REST pages', () => {
  test('per_page=250 is served as 100, with Link rel="next" and rel="last" at per_page=100', async () => {
    const sha = fake.addCommit();
    for (let i = 0; i < 150; i++) fake.setCheckRun(sha, { name: `job-${i}`, status: 'completed', conclusion: 'success' });

    const first = await octokit.rest.checks.listForRef({ ...repo, ref: sha, per_page: 250 });
    expect(first.data.total_count).toBe(150);
    expect(first.data.check_runs).toHaveLength(100);
    const rel = links(first.headers.link);
    expect(Object.keys(rel).sort()).toEqual(['last', 'next']);
    expect([rel.next?.searchParams.get('per_page'), rel.next?.searchParams.get('page')]).toEqual(['100', '2']);
    expect(rel.last?.searchParams.get('page')).toBe('2');

    const second = await octokit.rest.checks.listForRef({ ...repo, ref: sha, per_page: 250, page: 2 });
    expect(second.data.check_runs).toHaveLength(50);
    expect(Object.keys(links(second.headers.link)).sort()).toEqual(['first', 'prev']);
  });

  test('without per_page a page holds 30', async () => {
    const sha = fake.addCommit();
    for (let i = 0; i < 40; i++) fake.setCommitStatus(sha, { context: `ci/circleci: job-${i}`, state: 'success' });

    const { data, headers } = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha });
    expect(data.total_count).toBe(40);
    expect(data.statuses).toHaveLength(30);
    expect(links(headers.link).next?.searchParams.get('page')).toBe('2');
  });

  test('compare: per_page=250 gets 100 commits, oldest first; without paging parameters the newest 250', async () => {
    const [base = ''] = fake.addCommits(1);
    const commits = fake.addCommits(300, base);
    const head = commits.at(-1) ?? '';

    const paged = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 250 });
    expect(paged.data.total_commits).toBe(300);
    expect(paged.data.commits.map((c) => c.sha)).toEqual(commits.slice(0, 100));
    const rel = links(paged.headers.link);
    expect([rel.next?.searchParams.get('page'), rel.last?.searchParams.get('page')]).toEqual(['2', '3']);

    const third = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 100, page: 3 });
    expect(third.data.commits.map((c) => c.sha)).toEqual(commits.slice(200));

    const unpaged = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}` });
    expect(unpaged.data.commits).toHaveLength(250);
    expect(unpaged.data.commits.at(-1)?.sha).toBe(head);
    expect(unpaged.headers.link).toBeUndefined();
  });
});

describe('GraphQL users', () => {
  async function postGraphQL(query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
    const response = await fetch(`${fake.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  }

  test("aliased user fields: the public e-mail, '' without one, null and NOT_FOUND for a login with no user", async () => {
    fake.addUser('carol-gh', { email: 'carol@example.com' });
    fake.addUser('quiet-gh');
    const body = await postGraphQL(
      'query PublicEmails($l0: String!, $l1: String!, $l2: String!) {\n' +
        '  u0: user(login: $l0) { login email }\n  u1: user(login: $l1) { login email }\n  u2: user(login: $l2) { login email }\n}',
      { l0: 'Carol-GH', l1: 'nobody-zz', l2: 'quiet-gh' },
    );
    expect(body).toEqual({
      data: { u0: { login: 'carol-gh', email: 'carol@example.com' }, u1: null, u2: { login: 'quiet-gh', email: '' } },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['u1'],
          locations: [{ line: 3, column: 3 }],
          message: "Could not resolve to a User with the login of 'nobody-zz'.",
        },
      ],
    });
  });

  test('a classic token without read:user may not select User.email: INSUFFICIENT_SCOPES, nothing executed', async () => {
    const narrow = await startFakeGitHub({ tokenScopes: ['repo', 'workflow'] });
    try {
      narrow.addUser('carol-gh', { email: 'carol@example.com' });
      const response = await fetch(`${narrow.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `bearer ${narrow.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ u0: user(login: "carol-gh") { login email } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        data: null,
        errors: [
          {
            type: 'INSUFFICIENT_SCOPES',
            locations: [{ line: 1, column: 39 }],
            message:
              "Your token has not been granted the required scopes to execute this query. The 'email' field requires one of the following scopes: ['user:email', 'read:user'], but your token has only been granted the: ['repo', 'workflow'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
          },
        ],
      });
      // The login alone needs no scope.
      const login = await fetch(`${narrow.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `bearer ${narrow.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { login } }' }),
      });
      expect(await login.json()).toEqual({ data: { viewer: { login: 'release-conductor-bot' } } });
    } finally {
      await narrow.close();
    }
  });
});
