// A faithful SUBSET of GitHub's public GraphQL schema (schema.docs.graphql):
// same type, field, argument and enum names and the same nullability, so a
// query that validates here validates on GitHub, and a typo fails here as it
// would there. Fields are only left out, never invented; add from GitHub's
// schema when a query needs more.

export const GITHUB_SCHEMA_SDL = /* GraphQL */ `
"An ISO-8601 encoded UTC date string."
scalar DateTime
"An RFC 3986, RFC 3987, and RFC 6570 (level 4) compliant URI string."
scalar URI
"A Git object ID."
scalar GitObjectID
"An ISO-8601 encoded date string. Unlike the DateTime type, GitTimestamp is not converted in UTC."
scalar GitTimestamp

type Query {
  node(id: ID!): Node
  rateLimit(dryRun: Boolean = false): RateLimit
  repository(followRenames: Boolean = true, name: String!, owner: String!): Repository
  user(login: String!): User
  viewer: User!
}

interface Node {
  id: ID!
}

interface UniformResourceLocatable {
  resourcePath: URI!
  url: URI!
}

type RateLimit {
  cost: Int!
  limit: Int!
  nodeCount: Int!
  remaining: Int!
  resetAt: DateTime!
  used: Int!
}

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

enum OrderDirection {
  ASC
  DESC
}

interface RepositoryOwner {
  avatarUrl(size: Int): URI!
  id: ID!
  login: String!
  repository(followRenames: Boolean, name: String!): Repository
  resourcePath: URI!
  url: URI!
}

interface Actor {
  avatarUrl(size: Int): URI!
  login: String!
  resourcePath: URI!
  url: URI!
}

type User implements Actor & Node & RepositoryOwner & UniformResourceLocatable {
  avatarUrl(size: Int): URI!
  databaseId: Int
  email: String!
  id: ID!
  login: String!
  name: String
  repository(followRenames: Boolean, name: String!): Repository
  resourcePath: URI!
  url: URI!
}

type Bot implements Actor & Node & UniformResourceLocatable {
  avatarUrl(size: Int): URI!
  databaseId: Int
  id: ID!
  login: String!
  resourcePath: URI!
  url: URI!
}

type Organization implements Actor & Node & RepositoryOwner & UniformResourceLocatable {
  avatarUrl(size: Int): URI!
  databaseId: Int
  id: ID!
  login: String!
  name: String
  repository(followRenames: Boolean, name: String!): Repository
  resourcePath: URI!
  url: URI!
}

type Repository implements Node & UniformResourceLocatable {
  databaseId: Int
  defaultBranchRef: Ref
  id: ID!
  isPrivate: Boolean!
  name: String!
  nameWithOwner: String!
  object(expression: String, oid: GitObjectID): GitObject
  owner: RepositoryOwner!
  pullRequest(number: Int!): PullRequest
  pullRequests(
    after: String
    baseRefName: String
    before: String
    first: Int
    headRefName: String
    labels: [String!]
    last: Int
    orderBy: IssueOrder
    states: [PullRequestState!]
  ): PullRequestConnection!
  ref(qualifiedName: String!): Ref
  refs(
    after: String
    before: String
    direction: OrderDirection
    first: Int
    last: Int
    orderBy: RefOrder
    query: String
    refPrefix: String!
  ): RefConnection
  resourcePath: URI!
  url: URI!
}

type Ref implements Node {
  id: ID!
  name: String!
  prefix: String!
  repository: Repository!
  target: GitObject
}

type RefConnection {
  edges: [RefEdge]
  nodes: [Ref]
  pageInfo: PageInfo!
  totalCount: Int!
}

type RefEdge {
  cursor: String!
  node: Ref
}

input RefOrder {
  direction: OrderDirection!
  field: RefOrderField!
}

enum RefOrderField {
  ALPHABETICAL
  TAG_COMMIT_DATE
}

interface GitObject {
  abbreviatedOid: String!
  commitResourcePath: URI!
  commitUrl: URI!
  id: ID!
  oid: GitObjectID!
  repository: Repository!
}

type GitActor {
  avatarUrl(size: Int): URI!
  date: GitTimestamp
  email: String
  name: String
  user: User
}

type Commit implements GitObject & Node & UniformResourceLocatable {
  abbreviatedOid: String!
  authoredDate: DateTime!
  author: GitActor
  checkSuites(after: String, before: String, filterBy: CheckSuiteFilter, first: Int, last: Int): CheckSuiteConnection
  commitResourcePath: URI!
  commitUrl: URI!
  committedDate: DateTime!
  committer: GitActor
  id: ID!
  message: String!
  messageBody: String!
  messageHeadline: String!
  oid: GitObjectID!
  parents(after: String, before: String, first: Int, last: Int): CommitConnection!
  repository: Repository!
  resourcePath: URI!
  status: Status
  statusCheckRollup: StatusCheckRollup
  url: URI!
}

type CommitConnection {
  edges: [CommitEdge]
  nodes: [Commit]
  pageInfo: PageInfo!
  totalCount: Int!
}

type CommitEdge {
  cursor: String!
  node: Commit
}

type Tag implements GitObject & Node {
  abbreviatedOid: String!
  commitResourcePath: URI!
  commitUrl: URI!
  id: ID!
  message: String
  name: String!
  oid: GitObjectID!
  repository: Repository!
  tagger: GitActor
  target: GitObject!
}

type Tree implements GitObject & Node {
  abbreviatedOid: String!
  commitResourcePath: URI!
  commitUrl: URI!
  id: ID!
  oid: GitObjectID!
  repository: Repository!
}

type Blob implements GitObject & Node {
  abbreviatedOid: String!
  byteSize: Int!
  commitResourcePath: URI!
  commitUrl: URI!
  id: ID!
  isBinary: Boolean
  oid: GitObjectID!
  repository: Repository!
  text: String
}

type App implements Node {
  databaseId: Int
  id: ID!
  name: String!
  slug: String!
  url: URI!
}

input CheckSuiteFilter {
  appId: Int
  checkName: String
}

input CheckRunFilter {
  appId: Int
  checkName: String
  checkType: CheckRunType
  conclusions: [CheckConclusionState!]
  status: CheckStatusState
  statuses: [CheckStatusState!]
}

enum CheckRunType {
  ALL
  LATEST
}

enum CheckStatusState {
  COMPLETED
  IN_PROGRESS
  PENDING
  QUEUED
  REQUESTED
  WAITING
}

enum CheckConclusionState {
  ACTION_REQUIRED
  CANCELLED
  FAILURE
  NEUTRAL
  SKIPPED
  STALE
  STARTUP_FAILURE
  SUCCESS
  TIMED_OUT
}

type CheckSuite implements Node {
  app: App
  branch: Ref
  checkRuns(after: String, before: String, filterBy: CheckRunFilter, first: Int, last: Int): CheckRunConnection
  commit: Commit!
  conclusion: CheckConclusionState
  createdAt: DateTime!
  databaseId: Int
  id: ID!
  repository: Repository!
  resourcePath: URI!
  status: CheckStatusState!
  updatedAt: DateTime!
  url: URI!
}

type CheckSuiteConnection {
  edges: [CheckSuiteEdge]
  nodes: [CheckSuite]
  pageInfo: PageInfo!
  totalCount: Int!
}

type CheckSuiteEdge {
  cursor: String!
  node: CheckSuite
}

type CheckRun implements Node & UniformResourceLocatable {
  checkSuite: CheckSuite!
  completedAt: DateTime
  conclusion: CheckConclusionState
  databaseId: Int
  detailsUrl: URI
  externalId: String
  id: ID!
  name: String!
  permalink: URI!
  repository: Repository!
  resourcePath: URI!
  startedAt: DateTime
  status: CheckStatusState!
  summary: String
  text: String
  title: String
  url: URI!
}

type CheckRunConnection {
  edges: [CheckRunEdge]
  nodes: [CheckRun]
  pageInfo: PageInfo!
  totalCount: Int!
}

type CheckRunEdge {
  cursor: String!
  node: CheckRun
}

enum StatusState {
  ERROR
  EXPECTED
  FAILURE
  PENDING
  SUCCESS
}

type Status implements Node {
  commit: Commit
  context(name: String!): StatusContext
  contexts: [StatusContext!]!
  id: ID!
  state: StatusState!
}

type StatusContext implements Node {
  commit: Commit
  context: String!
  createdAt: DateTime!
  description: String
  id: ID!
  state: StatusState!
  targetUrl: URI
}

type StatusCheckRollup implements Node {
  commit: Commit
  id: ID!
  state: StatusState!
}

enum PullRequestState {
  CLOSED
  MERGED
  OPEN
}

enum MergeableState {
  CONFLICTING
  MERGEABLE
  UNKNOWN
}

enum PullRequestReviewDecision {
  APPROVED
  CHANGES_REQUESTED
  REVIEW_REQUIRED
}

input IssueOrder {
  direction: OrderDirection!
  field: IssueOrderField!
}

enum IssueOrderField {
  COMMENTS
  CREATED_AT
  UPDATED_AT
}

type PullRequest implements Node & UniformResourceLocatable {
  author: Actor
  baseRefName: String!
  baseRefOid: GitObjectID!
  body: String!
  closed: Boolean!
  commits(after: String, before: String, first: Int, last: Int): PullRequestCommitConnection!
  createdAt: DateTime!
  headRefName: String!
  headRefOid: GitObjectID!
  id: ID!
  isDraft: Boolean!
  labels(after: String, before: String, first: Int, last: Int, orderBy: LabelOrder = {field: CREATED_AT, direction: ASC}): LabelConnection
  mergeable: MergeableState!
  merged: Boolean!
  mergedAt: DateTime
  number: Int!
  permalink: URI!
  repository: Repository!
  resourcePath: URI!
  reviewDecision: PullRequestReviewDecision
  state: PullRequestState!
  title: String!
  updatedAt: DateTime!
  url: URI!
}

type PullRequestConnection {
  edges: [PullRequestEdge]
  nodes: [PullRequest]
  pageInfo: PageInfo!
  totalCount: Int!
}

type PullRequestEdge {
  cursor: String!
  node: PullRequest
}

type PullRequestCommit implements Node & UniformResourceLocatable {
  commit: Commit!
  id: ID!
  pullRequest: PullRequest!
  resourcePath: URI!
  url: URI!
}

type PullRequestCommitConnection {
  edges: [PullRequestCommitEdge]
  nodes: [PullRequestCommit]
  pageInfo: PageInfo!
  totalCount: Int!
}

type PullRequestCommitEdge {
  cursor: String!
  node: PullRequestCommit
}

type Label implements Node {
  color: String!
  createdAt: DateTime
  description: String
  id: ID!
  isDefault: Boolean!
  name: String!
  resourcePath: URI!
  url: URI!
}

type LabelConnection {
  edges: [LabelEdge]
  nodes: [Label]
  pageInfo: PageInfo!
  totalCount: Int!
}

type LabelEdge {
  cursor: String!
  node: Label
}

input LabelOrder {
  direction: OrderDirection!
  field: LabelOrderField!
}

enum LabelOrderField {
  CREATED_AT
  NAME
}
`;
