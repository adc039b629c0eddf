// The one GraphQL query behind the status dashboard: recent tags with their CI
// check run, and the open pull requests into the base branch. The first page
// of pull requests rides along with the tags; further pages use a smaller
// query that does not fetch the tags again (500 open PRs = 5 requests).

import { type GraphQLActor, restLogin } from './actors';
import type { MergeableState, PullRequestSummary, ReviewDecision, TagCheck, TagSummary } from './types';

/** GitHub's maximum page size for a connection. */
export const PAGE_SIZE = 100;

const PULL_REQUEST_PAGE_FRAGMENT = /* GraphQL */ `
fragment OpenPullRequestPage on PullRequestConnection {
  pageInfo { hasNextPage endCursor }
  nodes {
    number
    title
    url
    isDraft
    createdAt
    author { __typename login }
    labels(first: 20) { nodes { name } }
    mergeable
    reviewDecision
    headRefOid
    commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }
  }
}`;

const PULL_REQUESTS_FIELD = /* GraphQL */ `
    pullRequests(states: OPEN, baseRefName: $base, first: ${PAGE_SIZE}, after: $cursor, orderBy: {field: CREATED_AT, direction: ASC}) {
      ...OpenPullRequestPage
    }`;

export const STATUS_SNAPSHOT_QUERY = /* GraphQL */ `
query StatusSnapshot($owner: String!, $name: String!, $base: String!, $checkName: String!, $tagCount: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", first: $tagCount, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
      nodes {
        name
        target {
          __typename
          oid
          ... on Commit { ...TagCommitCheck }
          ... on Tag {
            target {
              __typename
              oid
              ... on Commit { ...TagCommitCheck }
            }
          }
        }
      }
    }${PULL_REQUESTS_FIELD}
  }
}

fragment TagCommitCheck on Commit {
  checkSuites(first: 10) {
    nodes {
      checkRuns(first: 1, filterBy: {checkName: $checkName}) {
        nodes { name status conclusion detailsUrl startedAt completedAt }
      }
    }
  }
}
${PULL_REQUEST_PAGE_FRAGMENT}`;

export const OPEN_PULL_REQUESTS_QUERY = /* GraphQL */ `
query OpenPullRequests($owner: String!, $name: String!, $base: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {${PULL_REQUESTS_FIELD}
  }
}
${PULL_REQUEST_PAGE_FRAGMENT}`;

// --- response shapes (only what the queries select) ---

interface CheckRunNode {
  name: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

interface CommitWithChecks {
  __typename: 'Commit';
  oid: string;
  checkSuites: { nodes: Array<{ checkRuns: { nodes: Array<CheckRunNode | null> | null } | null } | null> | null } | null;
}

interface OtherGitObject {
  __typename: 'Tree' | 'Blob' | 'Tag';
  oid: string;
}

interface AnnotatedTag {
  __typename: 'Tag';
  oid: string;
  target: CommitWithChecks | OtherGitObject | null;
}

interface RefNode {
  name: string;
  target: CommitWithChecks | AnnotatedTag | OtherGitObject | null;
}

interface PullRequestNode {
  number: number;
  title: string;
  url: string;
  isDraft: boolean;
  createdAt: string;
  author: GraphQLActor | null;
  labels: { nodes: Array<{ name: string } | null> | null } | null;
  mergeable: string;
  reviewDecision: string | null;
  headRefOid: string;
  commits: { nodes: Array<{ commit: { statusCheckRollup: { state: string } | null } } | null> | null };
}

export interface PullRequestPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<PullRequestNode | null> | null;
}

type RefConnection = { nodes: Array<RefNode | null> | null } | null;

export interface StatusSnapshotResponse {
  repository: {
    refs: RefConnection;
    pullRequests: PullRequestPage;
  } | null;
}

export interface OpenPullRequestsResponse {
  repository: { pullRequests: PullRequestPage } | null;
}

// --- mapping ---

export function toTagSummaries(refs: RefConnection): TagSummary[] {
  const tags: TagSummary[] = [];
  for (const ref of refs?.nodes ?? []) {
    if (!ref) continue;
    const commit = peelToCommit(ref.target);
    // A tag of a tree or blob, or a tag of a tag of a tag: nothing a release train uses.
    if (!commit) continue;
    tags.push({ name: ref.name, commitSha: commit.oid, check: latestCheck(commit) });
  }
  return tags;
}

function peelToCommit(target: RefNode['target']): CommitWithChecks | null {
  if (!target) return null;
  if (isCommit(target)) return target;
  if (target.__typename === 'Tag' && 'target' in target && target.target && isCommit(target.target)) return target.target;
  return null;
}

function isCommit(object: CommitWithChecks | AnnotatedTag | OtherGitObject): object is CommitWithChecks {
  return object.__typename === 'Commit';
}

function latestCheck(commit: CommitWithChecks): TagCheck | null {
  let best: CheckRunNode | null = null;
  for (const suite of commit.checkSuites?.nodes ?? []) {
    for (const run of suite?.checkRuns?.nodes ?? []) {
      if (!run) continue;
      // A re-run lands in a newer suite; keep the most recently started run.
      if (best === null || (run.startedAt ?? '') >= (best.startedAt ?? '')) best = run;
    }
  }
  if (!best) return null;
  return {
    status: best.status,
    conclusion: best.conclusion,
    url: best.detailsUrl,
    startedAt: best.startedAt,
    completedAt: best.completedAt,
  };
}

export function toPullRequestSummaries(page: PullRequestPage): PullRequestSummary[] {
  const out: PullRequestSummary[] = [];
  for (const pr of page.nodes ?? []) {
    if (!pr) continue;
    const lastCommit = pr.commits.nodes?.[0] ?? null;
    out.push({
      number: pr.number,
      title: pr.title,
      url: pr.url,
      authorLogin: restLogin(pr.author),
      createdAt: pr.createdAt,
      isDraft: pr.isDraft,
      labels: (pr.labels?.nodes ?? []).flatMap((l) => (l ? [l.name] : [])),
      mergeable: toMergeable(pr.mergeable),
      reviewDecision: toReviewDecision(pr.reviewDecision),
      checksState: lastCommit?.commit.statusCheckRollup?.state ?? null,
      headSha: pr.headRefOid,
    });
  }
  return out;
}

function toMergeable(value: string): MergeableState {
  return value === 'MERGEABLE' || value === 'CONFLICTING' ? value : 'UNKNOWN';
}

function toReviewDecision(value: string | null): ReviewDecision | null {
  return value === 'APPROVED' || value === 'CHANGES_REQUESTED' || value === 'REVIEW_REQUIRED' ? value : null;
}
