import type { GitRepositories, GitRepositoriesOptions } from './types';

export function createGitRepositoriesImpl(_options: GitRepositoriesOptions): GitRepositories {
  throw new Error('not yet');
}
