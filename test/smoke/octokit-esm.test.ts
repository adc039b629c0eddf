import { Octokit } from '@octokit/rest';

test('jest loads the ES-module-only Octokit', () => {
  expect(typeof new Octokit().rest.repos.get).toBe('function');
});
