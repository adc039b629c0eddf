// getUser: whether a GitHub account exists, and its canonical spelling.
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

test("a known login comes back in GitHub's spelling; an unknown one is null", async () => {
  fake.addUser('Alice-Dev');
  const { client } = clientFor(fake);

  await expect(client.getUser('alice-dev')).resolves.toEqual({ login: 'Alice-Dev' });
  await expect(client.getUser('nobody-by-that-name')).resolves.toBeNull();
});

test('GitHub failing is an error, not "no such user"', async () => {
  fake.injectFault({ status: 502 }, { times: Infinity });
  const { client } = clientFor(fake, { retry: { retries: 0 } });

  await expect(client.getUser('alice')).rejects.toBeInstanceOf(GitHubUnavailableError);
});
