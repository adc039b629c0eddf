// GraphQL face of the fake GitHub: queries are parsed, validated against the
// SDL subset in github-schema.ts and executed for real with graphql-js, so an
// unknown field or argument fails the way it fails on GitHub (HTTP 200,
// `errors` with message and locations). Pagination follows GitHub's rules:
// `first` or `last` is required and at most 100.

import {
  buildSchema,
  execute,
  GraphQLError,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLFormattedError,
} from 'graphql';
import { GITHUB_SCHEMA_SDL } from './github-schema';
import type { FakeCheckRun, FakeCommit, FakeGitHubState, FakePullRequest, FakeTag, FakeUser } from './github-state';

const schema = buildSchema(GITHUB_SCHEMA_SDL);

const WEB = 'https://github.com';

/** A resolver error carrying GitHub's error `type` (NOT_FOUND, EXCESSIVE_PAGINATION, …). */
export class GitHubGraphQLError extends Error {
  readonly type: string;
  constructor(message: string, type: string) {
    super(message);
    this.type = type;
  }
}

export interface GitHubGraphQLErrorBody {
  type?: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
  message: string;
}

export interface GraphQLResponseBody {
  data?: unknown;
  errors?: GitHubGraphQLErrorBody[];
}

/** The operation name a request names, or the first operation's name in its query. */
export function operationNameOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (typeof body.operationName === 'string' && body.operationName.length > 0) return body.operationName;
  if (typeof body.query !== 'string') return undefined;
  try {
    for (const definition of parse(body.query).definitions) {
      if (definition.kind === 'OperationDefinition') return definition.name?.value;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Scopes a classic token needs for some fields, as GitHub enforces them before running the query
 * (`data: null`, one INSUFFICIENT_SCOPES error). `User.email` is the one the bot selects: "The 'email'
 * field requires one of the following scopes: ['user:email', 'read:user']" (the `user` scope includes both).
 */
const FIELD_SCOPES: Record<string, { accepted: string[]; implied: string[] }> = {
  'User.email': { accepted: ['user:email', 'read:user'], implied: ['user:email', 'read:user', 'user'] },
};

export interface GraphQLRunOptions {
  /** The classic token's scopes (`x-oauth-scopes`); empty for a token without scopes to check (fine-grained, app). */
  tokenScopes?: readonly string[];
}

/** The first field the document selects that the token's scopes do not cover, with where it is. */
function fieldBeyondScopes(document: DocumentNode, tokenScopes: readonly string[]): GitHubGraphQLErrorBody | null {
  if (tokenScopes.length === 0) return null;
  const typeInfo = new TypeInfo(schema);
  let refused: GitHubGraphQLErrorBody | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (refused) return;
        const parent = typeInfo.getParentType();
        const rule = parent ? FIELD_SCOPES[`${parent.name}.${node.name.value}`] : undefined;
        if (!rule || rule.implied.some((scope) => tokenScopes.includes(scope))) return;
        const quote = (scopes: readonly string[]): string => `[${scopes.map((scope) => `'${scope}'`).join(', ')}]`;
        refused = {
          type: 'INSUFFICIENT_SCOPES',
          locations: node.loc ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] : [],
          message:
            `Your token has not been granted the required scopes to execute this query. The '${node.name.value}' field requires ` +
            `one of the following scopes: ${quote(rule.accepted)}, but your token has only been granted the: ${quote(tokenScopes)} scopes. ` +
            "Please modify your token's scopes at: https://github.com/settings/tokens.",
        };
      },
    }),
  );
  return refused;
}

export function runGraphQL(state: FakeGitHubState, body: unknown, options: GraphQLRunOptions = {}): GraphQLResponseBody {
  if (!isRecord(body) || typeof body.query !== 'string') {
    return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] };
  }
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (err) {
    if (err instanceof GraphQLError) return { errors: [formatError(err)] };
    throw err;
  }
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) return { errors: validationErrors.map(githubValidationError) };
  const beyondScopes = fieldBeyondScopes(document, options.tokenScopes ?? []);
  if (beyondScopes) return { data: null, errors: [beyondScopes] };

  const variableValues = isRecord(body.variables) ? body.variables : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  const result = execute({ schema, document, rootValue: rootValue(state), variableValues, operationName });
  if (result instanceof Promise) throw new Error('fake GitHub: resolvers must be synchronous');
  const response: GraphQLResponseBody = { data: result.data ?? null };
  if (result.errors && result.errors.length > 0) response.errors = result.errors.map(formatError);
  return response;
}

function formatError(error: GraphQLError): GitHubGraphQLErrorBody {
  const formatted: GraphQLFormattedError = error.toJSON();
  const out: GitHubGraphQLErrorBody = { message: formatted.message };
  if (error.originalError instanceof GitHubGraphQLError) out.type = error.originalError.type;
  if (formatted.path) out.path = formatted.path;
  if (formatted.locations) out.locations = formatted.locations;
  return out;
}

/** graphql-js wording → GitHub's wording for the validation errors we are most likely to make. */
function githubValidationError(error: GraphQLError): GitHubGraphQLErrorBody {
  const base = formatError(error);
  const undefinedField = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(error.message);
  if (undefinedField) {
    const [, fieldName = '', typeName = ''] = undefinedField;
    return {
      ...base,
      message: `Field '${fieldName}' doesn't exist on type '${typeName}'`,
      extensions: { code: 'undefinedField', typeName, fieldName },
    };
  }
  const unknownArgument = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./.exec(error.message);
  if (unknownArgument) {
    const [, argumentName = '', , fieldName = ''] = unknownArgument;
    return {
      ...base,
      message: `Field '${fieldName}' doesn't accept argument '${argumentName}'`,
      extensions: { code: 'argumentNotAccepted', name: fieldName, typeName: 'Field', argumentName },
    };
  }
  return base;
}

// ---------------------------------------------------------------------------
// Resolvers: plain objects whose function-valued fields graphql-js calls with the field's arguments.

type Obj = Record<string, unknown>;

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match?.[1]) throw new GitHubGraphQLError(`\`${cursor}\` does not appear to be a valid cursor.`, 'INVALID_CURSOR_ARGUMENTS');
  return Number(match[1]);
}

function connection<T>(name: string, items: T[], args: PageArgs, toNode: (item: T) => Obj): Obj {
  const { first, last, after, before } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GitHubGraphQLError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    );
  }
  for (const [argName, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (value > 100) {
      throw new GitHubGraphQLError(
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${argName}\` limit of 100 records.`,
        'EXCESSIVE_PAGINATION',
      );
    }
    if (value < 0)
      throw new GitHubGraphQLError(`\`${argName}\` on the \`${name}\` connection cannot be less than zero.`, 'INVALID_PAGINATION');
  }
  let start = after ? decodeCursor(after) + 1 : 0;
  let end = before ? Math.min(decodeCursor(before), items.length) : items.length;
  if (first !== undefined && first !== null) end = Math.min(end, start + first);
  if (last !== undefined && last !== null) start = Math.max(start, end - last);
  const slice = items.slice(start, Math.max(start, end));
  return {
    totalCount: items.length,
    pageInfo: {
      startCursor: slice.length > 0 ? encodeCursor(start) : null,
      endCursor: slice.length > 0 ? encodeCursor(start + slice.length - 1) : null,
      hasNextPage: start + slice.length < items.length,
      hasPreviousPage: start > 0,
    },
    nodes: () => slice.map(toNode),
    edges: () => slice.map((item, i) => ({ cursor: encodeCursor(start + i), node: toNode(item) })),
  };
}

function nodeId(kind: string, key: string | number): string {
  return `${kind}_${Buffer.from(`${kind}:${key}`).toString('base64url')}`;
}

function rootValue(state: FakeGitHubState): Obj {
  const repoPath = `/${state.owner}/${state.repo}`;

  const repository = (): Obj => ({
    __typename: 'Repository',
    id: nodeId('R', `${state.owner}/${state.repo}`),
    databaseId: 1,
    name: state.repo,
    nameWithOwner: `${state.owner}/${state.repo}`,
    isPrivate: false,
    url: `${WEB}${repoPath}`,
    resourcePath: repoPath,
    owner: () => ({
      __typename: 'Organization',
      id: nodeId('O', state.owner),
      databaseId: 2,
      login: state.owner,
      name: state.owner,
      avatarUrl: `https://avatars.githubusercontent.com/u/2?v=4`,
      url: `${WEB}/${state.owner}`,
      resourcePath: `/${state.owner}`,
      repository: ({ name }: { name: string }) => (name.toLowerCase() === state.repo.toLowerCase() ? repository() : null),
    }),
    defaultBranchRef: () => (state.branches.has('main') ? branchRef('main', 'refs/heads/') : null),
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      for (const [prefix, map] of [
        ['refs/heads/', state.branches],
        ['refs/tags/', state.tags],
      ] as const) {
        if (qualifiedName.startsWith(prefix) && map.has(qualifiedName.slice(prefix.length)))
          return anyRef(qualifiedName.slice(prefix.length), prefix);
      }
      if (state.branches.has(qualifiedName)) return branchRef(qualifiedName, 'refs/heads/');
      if (state.tags.has(qualifiedName)) return anyRef(qualifiedName, 'refs/tags/');
      return null;
    },
    refs: (
      args: PageArgs & {
        refPrefix: string;
        orderBy?: { field: string; direction: string } | null;
        direction?: string | null;
        query?: string | null;
      },
    ) => {
      const all: Array<{ full: string; date: string }> = [
        ...[...state.branches.entries()].map(([name, sha]) => ({ full: `refs/heads/${name}`, date: state.requireCommit(sha).date })),
        ...[...state.tags.values()].map((tag) => ({ full: `refs/tags/${tag.name}`, date: state.tagSortDate(tag) })),
      ];
      let refs = all.filter((r) => r.full.startsWith(args.refPrefix));
      if (args.query) refs = refs.filter((r) => r.full.slice(args.refPrefix.length).includes(args.query ?? ''));
      const field = args.orderBy?.field ?? 'ALPHABETICAL';
      const direction = args.orderBy?.direction ?? args.direction ?? 'ASC';
      refs.sort((a, b) =>
        field === 'TAG_COMMIT_DATE' ? a.date.localeCompare(b.date) || a.full.localeCompare(b.full) : a.full.localeCompare(b.full),
      );
      if (direction === 'DESC') refs.reverse();
      return connection('refs', refs, args, (r) => refByFullName(r.full, args.refPrefix));
    },
    object: ({ expression, oid }: { expression?: string | null; oid?: string | null }) => {
      const key = oid ?? expression;
      if (!key) return null;
      const tag = [...state.tags.values()].find((t) => t.tagObjectSha === key || (t.annotated && t.name === key));
      if (tag) return tagObject(tag);
      const sha = state.resolveCommitish(key);
      return sha ? commitObject(state.requireCommit(sha)) : null;
    },
    pullRequest: ({ number }: { number: number }) => {
      const pr = state.pullRequests.get(number);
      if (!pr) throw new GitHubGraphQLError(`Could not resolve to a PullRequest with the number of ${number}.`, 'NOT_FOUND');
      return pullRequest(pr);
    },
    pullRequests: (
      args: PageArgs & {
        states?: string[] | null;
        baseRefName?: string | null;
        headRefName?: string | null;
        labels?: string[] | null;
        orderBy?: { field: string; direction: string } | null;
      },
    ) => {
      let prs = [...state.pullRequests.values()];
      if (args.states) prs = prs.filter((pr) => args.states?.includes(pr.state));
      if (args.baseRefName) prs = prs.filter((pr) => pr.base === args.baseRefName);
      if (args.headRefName) prs = prs.filter((pr) => pr.headRef === args.headRefName);
      if (args.labels) prs = prs.filter((pr) => pr.labels.some((l) => args.labels?.includes(l)));
      const field = args.orderBy?.field ?? 'CREATED_AT';
      const key = (pr: FakePullRequest): string => (field === 'UPDATED_AT' ? pr.updatedAt : field === 'COMMENTS' ? '' : pr.createdAt);
      prs.sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
      if (args.orderBy?.direction === 'DESC') prs.reverse();
      return connection('pullRequests', prs, args, pullRequest);
    },
  });

  function refByFullName(full: string, prefix: string): Obj {
    const name = full.slice(prefix.length);
    if (full.startsWith('refs/heads/')) return branchRef(full.slice('refs/heads/'.length), prefix, name);
    return anyRef(full.slice('refs/tags/'.length), prefix, name);
  }

  function branchRef(branch: string, prefix: string, name = branch): Obj {
    const sha = state.branches.get(branch) ?? '';
    return {
      __typename: 'Ref',
      id: nodeId('REF', `refs/heads/${branch}`),
      name,
      prefix,
      repository,
      target: () => commitObject(state.requireCommit(sha)),
    };
  }

  function anyRef(tagName: string, prefix: string, name = tagName): Obj {
    const tag = state.tags.get(tagName);
    return {
      __typename: 'Ref',
      id: nodeId('REF', `refs/tags/${tagName}`),
      name,
      prefix,
      repository,
      target: () => (tag ? (tag.annotated ? tagObject(tag) : commitObject(state.requireCommit(tag.commitSha))) : null),
    };
  }

  function gitActor(name: string, email: string, date: string, login: string | null): Obj {
    return {
      name,
      email,
      date,
      avatarUrl: 'https://avatars.githubusercontent.com/u/0?v=4',
      user: () => {
        const user = login ? state.users.get(login.toLowerCase()) : undefined;
        return user && user.type === 'User' ? actor(user) : null;
      },
    };
  }

  function tagObject(tag: FakeTag): Obj {
    const oid = tag.tagObjectSha ?? '';
    return {
      __typename: 'Tag',
      id: nodeId('TAG', oid),
      oid,
      abbreviatedOid: oid.slice(0, 7),
      name: tag.name,
      message: tag.message,
      commitUrl: `${WEB}${repoPath}/commit/${tag.commitSha}`,
      commitResourcePath: `${repoPath}/commit/${tag.commitSha}`,
      repository,
      tagger: () => gitActor('Release Conductor', 'release@example.com', tag.date, null),
      target: () => commitObject(state.requireCommit(tag.commitSha)),
    };
  }

  function commitObject(commit: FakeCommit): Obj {
    const [headline = '', ...rest] = commit.message.split('\n');
    return {
      __typename: 'Commit',
      id: nodeId('C', commit.sha),
      oid: commit.sha,
      abbreviatedOid: commit.sha.slice(0, 7),
      message: commit.message,
      messageHeadline: headline,
      messageBody: rest.join('\n').trim(),
      committedDate: commit.date,
      authoredDate: commit.date,
      url: `${WEB}${repoPath}/commit/${commit.sha}`,
      commitUrl: `${WEB}${repoPath}/commit/${commit.sha}`,
      resourcePath: `${repoPath}/commit/${commit.sha}`,
      commitResourcePath: `${repoPath}/commit/${commit.sha}`,
      repository,
      author: () => gitActor(commit.authorName, commit.authorEmail, commit.date, commit.authorLogin),
      committer: () => gitActor('GitHub', 'noreply@github.com', commit.date, null),
      parents: (args: PageArgs) =>
        connection(
          'parents',
          commit.parents.map((sha) => state.requireCommit(sha)),
          args,
          commitObject,
        ),
      checkSuites: (args: PageArgs & { filterBy?: { appId?: number | null; checkName?: string | null } | null }) => {
        const bySuite = new Map<number, FakeCheckRun[]>();
        for (const run of state.checkRunsFor(commit.sha)) bySuite.set(run.suiteId, [...(bySuite.get(run.suiteId) ?? []), run]);
        let suites = [...bySuite.entries()];
        const checkName = args.filterBy?.checkName;
        if (checkName) suites = suites.filter(([, runs]) => runs.some((r) => r.name === checkName));
        return connection('checkSuites', suites, args, ([suiteId, runs]) => checkSuite(commit, suiteId, runs));
      },
      statusCheckRollup: () => {
        const rollup = state.rollupState(commit.sha);
        return rollup
          ? { __typename: 'StatusCheckRollup', id: nodeId('SCR', commit.sha), state: rollup, commit: () => commitObject(commit) }
          : null;
      },
      status: () => {
        const statuses = state.commitStatuses.filter((s) => s.sha === commit.sha);
        if (statuses.length === 0) return null;
        const contexts = statuses.map((s) => ({
          __typename: 'StatusContext',
          id: nodeId('SC', s.id),
          context: s.context,
          state: s.state.toUpperCase(),
          targetUrl: s.targetUrl,
          description: s.description,
          createdAt: s.createdAt,
          commit: () => commitObject(commit),
        }));
        const states = new Set(statuses.map((s) => s.state));
        const state_ = states.has('error') ? 'ERROR' : states.has('failure') ? 'FAILURE' : states.has('pending') ? 'PENDING' : 'SUCCESS';
        return {
          __typename: 'Status',
          id: nodeId('S', commit.sha),
          state: state_,
          contexts,
          context: ({ name }: { name: string }) => contexts.find((c) => c.context === name) ?? null,
          commit: () => commitObject(commit),
        };
      },
    };
  }

  function checkSuite(commit: FakeCommit, suiteId: number, runs: FakeCheckRun[]): Obj {
    const allDone = runs.every((r) => r.status === 'completed');
    const failed = runs.find(
      (r) => r.conclusion !== null && r.conclusion !== 'success' && r.conclusion !== 'skipped' && r.conclusion !== 'neutral',
    );
    const suite: Obj = {
      __typename: 'CheckSuite',
      id: nodeId('CS', suiteId),
      databaseId: suiteId,
      status: allDone ? 'COMPLETED' : runs.some((r) => r.status === 'in_progress') ? 'IN_PROGRESS' : 'QUEUED',
      conclusion: allDone ? (failed?.conclusion ?? 'success').toUpperCase() : null,
      createdAt: commit.date,
      updatedAt: commit.date,
      url: `${WEB}${repoPath}/commit/${commit.sha}/checks?check_suite_id=${suiteId}`,
      resourcePath: `${repoPath}/commit/${commit.sha}/checks?check_suite_id=${suiteId}`,
      repository,
      commit: () => commitObject(commit),
      branch: () => null,
      app: () => {
        const slug = runs[0]?.appSlug ?? 'unknown';
        return { __typename: 'App', id: nodeId('A', slug), databaseId: 3, name: slug, slug, url: `${WEB}/apps/${slug}` };
      },
      checkRuns: (
        args: PageArgs & {
          filterBy?: {
            checkName?: string | null;
            status?: string | null;
            statuses?: string[] | null;
            conclusions?: string[] | null;
            appId?: number | null;
          } | null;
        },
      ) => {
        const filter = args.filterBy;
        let selected = runs;
        if (filter?.checkName) selected = selected.filter((r) => r.name === filter.checkName);
        if (filter?.status) selected = selected.filter((r) => r.status.toUpperCase() === filter.status);
        if (filter?.statuses) selected = selected.filter((r) => filter.statuses?.includes(r.status.toUpperCase()));
        if (filter?.conclusions)
          selected = selected.filter((r) => r.conclusion !== null && filter.conclusions?.includes(r.conclusion.toUpperCase()));
        return connection('checkRuns', selected, args, (run) => checkRun(run, suite));
      },
    };
    return suite;
  }

  function checkRun(run: FakeCheckRun, suite: Obj): Obj {
    return {
      __typename: 'CheckRun',
      id: nodeId('CR', run.id),
      databaseId: run.id,
      name: run.name,
      status: run.status.toUpperCase(),
      conclusion: run.conclusion ? run.conclusion.toUpperCase() : null,
      detailsUrl: run.detailsUrl,
      startedAt: run.startedAt,
      completedAt: run.completedAt,
      externalId: null,
      title: null,
      summary: null,
      text: null,
      url: `${WEB}${repoPath}/runs/${run.id}`,
      permalink: `${WEB}${repoPath}/runs/${run.id}`,
      resourcePath: `${repoPath}/runs/${run.id}`,
      repository,
      checkSuite: suite,
    };
  }

  function actor(user: FakeUser): Obj {
    const login = user.type === 'Bot' ? user.login.replace(/\[bot\]$/, '') : user.login;
    const path = user.type === 'Bot' ? `/apps/${login}` : `/${login}`;
    return {
      __typename: user.type,
      id: nodeId(user.type === 'Bot' ? 'BOT' : 'U', user.id),
      databaseId: user.id,
      login,
      name: user.name,
      // GitHub's `User.email` (String!): the public profile e-mail, '' when there is none.
      email: user.email ?? '',
      avatarUrl: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      url: `${WEB}${path}`,
      resourcePath: path,
      repository: () => null,
    };
  }

  function pullRequest(pr: FakePullRequest): Obj {
    const path = `${repoPath}/pull/${pr.number}`;
    return {
      __typename: 'PullRequest',
      id: nodeId('PR', pr.number),
      number: pr.number,
      title: pr.title,
      body: pr.body,
      url: `${WEB}${path}`,
      permalink: `${WEB}${path}`,
      resourcePath: path,
      isDraft: pr.isDraft,
      createdAt: pr.createdAt,
      updatedAt: pr.updatedAt,
      state: pr.state,
      closed: pr.state !== 'OPEN',
      merged: pr.state === 'MERGED',
      mergedAt: pr.mergedAt,
      mergeable: pr.mergeable,
      reviewDecision: pr.reviewDecision,
      baseRefName: pr.base,
      baseRefOid: state.branches.get(pr.base) ?? '0'.repeat(40),
      headRefName: pr.headRef,
      headRefOid: pr.headSha,
      repository,
      author: () => {
        if (!pr.authorLogin) return null;
        const user = state.users.get(pr.authorLogin.toLowerCase());
        return user ? actor(user) : null;
      },
      labels: (args: PageArgs & { orderBy?: { field: string; direction: string } | null }) => {
        const labels = [...pr.labels];
        if (args.orderBy?.field === 'NAME') labels.sort((a, b) => a.localeCompare(b));
        if (args.orderBy?.direction === 'DESC') labels.reverse();
        return connection('labels', labels, args, (name) => ({
          __typename: 'Label',
          id: nodeId('LA', name),
          name,
          color: 'ededed',
          description: null,
          isDefault: false,
          createdAt: null,
          url: `${WEB}${repoPath}/labels/${encodeURIComponent(name)}`,
          resourcePath: `${repoPath}/labels/${encodeURIComponent(name)}`,
        }));
      },
      commits: (args: PageArgs) => {
        const baseHead = state.branches.get(pr.base) ?? null;
        let commits = state.commitsBetween(baseHead, pr.headSha);
        if (commits.length === 0) commits = [state.requireCommit(pr.headSha)];
        return connection('commits', commits, args, (commit) => ({
          __typename: 'PullRequestCommit',
          id: nodeId('PURC', `${pr.number}:${commit.sha}`),
          url: `${WEB}${path}/commits/${commit.sha}`,
          resourcePath: `${path}/commits/${commit.sha}`,
          commit: () => commitObject(commit),
          pullRequest: () => pullRequest(pr),
        }));
      },
    };
  }

  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      if (!state.isThisRepository(owner, name)) {
        throw new GitHubGraphQLError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, 'NOT_FOUND');
      }
      return repository();
    },
    viewer: () => actor(state.ensureUser(state.viewerLogin)),
    user: ({ login }: { login: string }) => {
      const user = state.users.get(login.toLowerCase());
      if (user?.type !== 'User') throw new GitHubGraphQLError(`Could not resolve to a User with the login of '${login}'.`, 'NOT_FOUND');
      return actor(user);
    },
    rateLimit: () => ({
      cost: 1,
      limit: 5000,
      nodeCount: 0,
      remaining: 4999,
      used: 1,
      resetAt: new Date(Date.now() + 3_600_000).toISOString(),
    }),
    node: () => null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
