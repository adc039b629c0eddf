// The GraphQL query behind "what made it into the train": pull requests merged
// into the base branch, most recently updated first, read page by page until
// the pages reach pull requests last updated before `since` (a pull request is
// always updated when it is merged, so none merged later can follow).

import { type GraphQLActor, restLogin } from './actors';
import type { MergedPullRequest } from './types';

export const MERGED_PULL_REQUESTS_QUERY = /* GraphQL */ `
query MergedPullRequests($owner: String!, $name: String!, $base: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: MERGED, baseRefName: $base, first: 100, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        title
        url
        author { __typename login }
        labels(first: 20) { nodes { name } }
        mergedAt
        updatedAt
        headRefOid
      }
    }
  }
}`;

interface MergedPullRequestNode {
  number: number;
  title: string;
  url: string;
  author: GraphQLActor | null;
  labels: { nodes: Array<{ name: string } | null> | null } | null;
  mergedAt: string | null;
  updatedAt: string;
  headRefOid: string;
}

export interface MergedPullRequestPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<MergedPullRequestNode | null> | null;
}

export interface MergedPullRequestsResponse {
  repository: { pullRequests: MergedPullRequestPage } | null;
}

/** The pull requests of one page merged at or after `since`, and whether older pages may still hold some. */
export function readMergedPage(page: MergedPullRequestPage, since: Date): { merged: MergedPullRequest[]; reachedOlder: boolean } {
  const merged: MergedPullRequest[] = [];
  let reachedOlder = false;
  for (const node of page.nodes ?? []) {
    if (!node) continue;
    if (Date.parse(node.updatedAt) < since.getTime()) {
      reachedOlder = true;
      continue;
    }
    if (node.mergedAt === null || Date.parse(node.mergedAt) < since.getTime()) continue;
    merged.push({
      number: node.number,
      title: node.title,
      url: node.url,
      authorLogin: restLogin(node.author),
      mergedAt: node.mergedAt,
      headSha: node.headRefOid,
      labels: (node.labels?.nodes ?? []).flatMap((label) => (label ? [label.name] : [])),
    });
  }
  return { merged, reachedOlder };
}
