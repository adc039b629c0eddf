/**
 * The repository the benchmark runs against, arranged in the fake GitHub as in
 * test/status/status.test.ts: a few train tags, the CI check run on the latest
 * one, and open pull requests into main.
 */
import type { FakeGitHub } from '../test/fakes/github-server';

const AUTHORS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

export function arrangeRepository(github: FakeGitHub): void {
  const base = github.addCommit({ message: 'start', date: '2026-10-06T12:00:00Z' });
  const train300 = github.addCommit({ message: 'train 300', parents: [base], date: '2026-10-07T17:00:00Z' });
  const train301 = github.addCommit({ message: 'train 301', parents: [train300], date: '2026-10-21T17:00:00Z' });
  const dot = github.addCommit({ message: 'fix', parents: [train301], date: '2026-10-28T17:00:00Z' });
  github.setBranch('main', dot);
  github.addTag('v1.300.0', train300, { annotated: true });
  github.addTag('v1.301.0', train301, { annotated: true });
  github.addTag('v1.301.1', dot, { annotated: true });
  github.addTag('v1.302.0-rc1', dot);
  github.setCheckRun(dot, {
    name: 'test_and_deploy_tag',
    status: 'completed',
    conclusion: 'success',
    detailsUrl: 'https://circleci.com/gh/mozilla/fxa/1',
  });
}

/** Open pull requests into main right now. */
export function openPullRequestCount(github: FakeGitHub): number {
  let count = 0;
  for (const pr of github.pullRequests.values()) if (pr.state === 'OPEN' && pr.base === 'main') count += 1;
  return count;
}

/** Adds open PRs into main until there are `total`. */
export function growOpenPullRequests(github: FakeGitHub, total: number): void {
  for (let n = openPullRequestCount(github); n < total; n += 1) {
    const day = 1 + (n % 28);
    github.addPullRequest({
      title: `Change number ${n + 1}`,
      authorLogin: AUTHORS[n % AUTHORS.length] ?? null,
      createdAt: `2026-10-${String(day).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00Z`,
      isDraft: n % 9 === 0,
      reviewDecision: n % 3 === 0 ? 'APPROVED' : 'REVIEW_REQUIRED',
    });
  }
}
