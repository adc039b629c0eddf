/**
 * Bots' pull requests as GitHub really gives them (issue 15 item 8): GraphQL
 * names a GitHub App's bot `{ __typename: "Bot", login: "dependabot" }`, REST
 * and webhooks `dependabot[bot]` (type "Bot"). The adapter spells every bot as
 * REST does, so the default `ignoredPullRequestAuthors` (`renovate[bot]`,
 * `dependabot[bot]`) matches it, whichever API listed the pull request; an
 * entry without the suffix matches the bot too.
 */
import { withoutIgnored } from '../../src/reminders/pull-requests';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { clientFor } from '../github/helpers';

const DEFAULTS = {
  ignoredPullRequestLabels: ['skip-release-notes'],
  ignoredPullRequestAuthors: ['renovate[bot]', 'dependabot[bot]'],
  releaseBlockerLabels: ['release-blocker'],
};
const pr = (authorLogin: string | null, labels: string[] = []) => ({ authorLogin, labels });

describe('the ignored authors', () => {
  test('a bot matches its entry by either spelling, without case; a person is not taken for a bot', () => {
    const listed = [pr('dependabot[bot]'), pr('Renovate[bot]'), pr('renovate'), pr('alice'), pr(null), pr('snyk-bot[bot]')];
    expect(withoutIgnored(listed, DEFAULTS).map((p) => p.authorLogin)).toEqual(['renovate', 'alice', null, 'snyk-bot[bot]']);
    // An entry written as the bot's profile name (`snyk-bot`) leaves out the bot and a user of that name.
    const bare = { ignoredPullRequestLabels: [], ignoredPullRequestAuthors: ['Snyk-Bot'], releaseBlockerLabels: [] };
    expect(
      withoutIgnored([pr('snyk-bot[bot]'), pr('snyk-bot'), pr('snyk'), pr('dependabot[bot]')], bare).map((p) => p.authorLogin),
    ).toEqual(['snyk', 'dependabot[bot]']);
  });

  test("a release blocker is never left out: a bot's security bump labelled release-blocker stays, as does an ignored label beside it", () => {
    const listed = [
      pr('dependabot[bot]', ['Release-Blocker']),
      pr('dependabot[bot]'),
      pr('alice', ['skip-release-notes', 'release-blocker']),
    ];
    expect(withoutIgnored(listed, DEFAULTS).map((p) => [p.authorLogin, p.labels])).toEqual([
      ['dependabot[bot]', ['Release-Blocker']],
      ['alice', ['skip-release-notes', 'release-blocker']],
    ]);
  });
});

describe('bot authors through the GitHub adapter', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await startFakeGitHub();
    fake.setBranch('main', fake.addCommit({ message: 'base' }));
  });
  afterEach(async () => {
    await fake.close();
  });

  test('open and merged pull requests (GraphQL) and one pull request (REST) name the bot alike, and the defaults leave it out', async () => {
    fake.addPullRequest({ number: 1, title: 'Bump lodash', authorLogin: 'dependabot[bot]' });
    fake.addPullRequest({ number: 2, title: 'Add passkeys', authorLogin: 'alice' });
    fake.addPullRequest({ number: 3, title: 'Update jest', authorLogin: 'renovate[bot]' });
    fake.mergePullRequest(3, '2026-11-04T18:03:00Z');
    const { client } = clientFor(fake);

    const open = (await client.getStatusSnapshot({ baseBranch: 'main', checkName: 'ci' })).pullRequests;
    expect(open.map((p) => [p.number, p.authorLogin])).toEqual([
      [1, 'dependabot[bot]'],
      [2, 'alice'],
    ]);
    expect(withoutIgnored(open, DEFAULTS).map((p) => p.number)).toEqual([2]);

    const merged = await client.listMergedPullRequestsSince({ baseBranch: 'main', since: new Date('2026-11-04T18:00:00Z') });
    expect(merged.map((p) => [p.number, p.authorLogin])).toEqual([[3, 'renovate[bot]']]);
    expect(withoutIgnored(merged, DEFAULTS)).toEqual([]);

    await expect(client.getPullRequestState(1)).resolves.toEqual(expect.objectContaining({ authorLogin: 'dependabot[bot]' }));
  });

  test('the fake answers as GitHub does: a Bot without the suffix in GraphQL, `name[bot]` of type Bot in REST', async () => {
    fake.addPullRequest({ number: 1, title: 'Bump lodash', authorLogin: 'dependabot[bot]' });
    const headers = { authorization: `token ${fake.token}`, 'content-type': 'application/json' };
    const query = '{ repository(owner: "mozilla", name: "fxa") { pullRequest(number: 1) { author { __typename login url } } } }';
    const graphql = await fetch(`${fake.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
    expect(await graphql.json()).toEqual({
      data: {
        repository: { pullRequest: { author: { __typename: 'Bot', login: 'dependabot', url: 'https://github.com/apps/dependabot' } } },
      },
    });
    const rest = await fetch(`${fake.url}/repos/mozilla/fxa/pulls/1`, { headers });
    expect(((await rest.json()) as { user: unknown }).user).toEqual(expect.objectContaining({ login: 'dependabot[bot]', type: 'Bot' }));
  });
});
