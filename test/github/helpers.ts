// Shared set-up for the GitHub adapter tests: a client pointed at the fake,
// with fast retries and a logger whose output the test can read.
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../src/github/client';
import type { FakeGitHub } from '../fakes/github-server';
import { captureLogs as captureLogOutput, type CapturedLogs } from '../support/logs';

export type { CapturedLogs } from '../support/logs';

/** A bare pino logger at trace: the tests see what the adapter itself logs, before any scrubbing. */
export function captureLogs(): CapturedLogs {
  return captureLogOutput({ level: 'trace', plain: true });
}

/** What a test may change; a GitHub App client is made with {@link appClientFor}. */
type ClientOverrides = Partial<Pick<GitHubClientOptions, 'baseUrl' | 'owner' | 'repo' | 'requestTimeoutMs' | 'retry'>> & { token?: string };

export function clientFor(fake: FakeGitHub, overrides: ClientOverrides = {}): { client: GitHubClient; logs: CapturedLogs } {
  const logs = captureLogs();
  const client = createGitHubClient({
    token: fake.token,
    baseUrl: fake.url,
    owner: fake.owner,
    repo: fake.repo,
    logger: logs.logger,
    requestTimeoutMs: 2000,
    retry: { retries: 2, minRetryAfterMs: 10 },
    ...overrides,
  });
  return { client, logs };
}

/** Arranges `count` open pull requests into main, created one minute apart. */
export function addPullRequests(fake: FakeGitHub, count: number, start = Date.UTC(2025, 0, 1)): void {
  for (let i = 0; i < count; i++) {
    fake.addPullRequest({
      title: `Change ${i + 1}`,
      authorLogin: `dev${i % 7}`,
      createdAt: new Date(start + i * 60_000).toISOString(),
    });
  }
}
