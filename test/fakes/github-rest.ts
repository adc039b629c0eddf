// REST face of the fake GitHub. Payloads keep GitHub's field names (checked
// against @octokit/openapi-types with Pick<>), limited to the fields the bot
// reads plus the identifying ones.

import type { components } from '@octokit/openapi-types';
import type {
  FakeCheckRun,
  FakeCommit,
  FakeGitHubState,
  FakePullRequest,
  FakeTag,
  FakeUser,
  FakeWorkflow,
  FakeWorkflowRun,
} from './github-state';

type S = components['schemas'];

const WEB = 'https://github.com';
export const DOCS = 'https://docs.github.com/rest';

export interface RestRequest {
  method: string;
  /** Raw (still percent-encoded) pathname. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The fake's own URL, for the `url` fields of payloads. */
  apiUrl: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

// --- payload shapes ----------------------------------------------------------

type RestSimpleUser = Pick<S['simple-user'], 'login' | 'id' | 'node_id' | 'avatar_url' | 'url' | 'html_url' | 'type' | 'site_admin'>;
type RestPublicUser = RestSimpleUser & Pick<S['public-user'], 'name' | 'company' | 'email' | 'created_at' | 'updated_at'>;
type RestGitRef = Pick<S['git-ref'], 'ref' | 'node_id' | 'url' | 'object'>;
type RestTag = Pick<S['tag'], 'name' | 'commit' | 'zipball_url' | 'tarball_url' | 'node_id'>;
type RestCommit = Pick<S['commit'], 'sha' | 'node_id' | 'url' | 'html_url' | 'comments_url' | 'parents'> & {
  commit: Pick<S['commit']['commit'], 'url' | 'author' | 'committer' | 'message' | 'comment_count' | 'tree'>;
  author: RestSimpleUser | null;
  committer: RestSimpleUser | null;
};
type RestBranch = Pick<S['branch-with-protection'], 'name' | 'protected' | 'protection_url'> & {
  commit: RestCommit;
  _links: S['branch-with-protection']['_links'];
};
type RestCheckRun = Pick<
  S['check-run'],
  | 'id'
  | 'head_sha'
  | 'node_id'
  | 'external_id'
  | 'url'
  | 'html_url'
  | 'details_url'
  | 'status'
  | 'conclusion'
  | 'started_at'
  | 'completed_at'
  | 'name'
  | 'output'
  | 'check_suite'
> & { app: { id: number; slug: string; name: string; node_id: string } | null; pull_requests: [] };
type RestLabel = Pick<S['label'], 'id' | 'node_id' | 'url' | 'name' | 'color' | 'default' | 'description'>;
type RestPullRequest = Pick<
  S['pull-request'],
  | 'url'
  | 'id'
  | 'node_id'
  | 'html_url'
  | 'number'
  | 'state'
  | 'locked'
  | 'title'
  | 'body'
  | 'created_at'
  | 'updated_at'
  | 'closed_at'
  | 'merged_at'
  | 'merge_commit_sha'
  | 'draft'
  | 'merged'
  | 'mergeable'
  | 'mergeable_state'
> & {
  user: RestSimpleUser | null;
  labels: RestLabel[];
  head: { label: string; ref: string; sha: string };
  base: { label: string; ref: string; sha: string };
};
type RestComparison = Pick<
  S['commit-comparison'],
  'url' | 'html_url' | 'permalink_url' | 'diff_url' | 'patch_url' | 'status' | 'ahead_by' | 'behind_by' | 'total_commits'
> & { base_commit: RestCommit; merge_base_commit: RestCommit | null; commits: RestCommit[] };
type RestWorkflow = Pick<
  S['workflow'],
  'id' | 'node_id' | 'name' | 'path' | 'state' | 'created_at' | 'updated_at' | 'url' | 'html_url' | 'badge_url'
>;
type RestWorkflowRun = Pick<
  S['workflow-run'],
  | 'id'
  | 'name'
  | 'node_id'
  | 'head_branch'
  | 'head_sha'
  | 'path'
  | 'display_title'
  | 'run_number'
  | 'run_attempt'
  | 'event'
  | 'status'
  | 'conclusion'
  | 'workflow_id'
  | 'url'
  | 'html_url'
  | 'created_at'
  | 'updated_at'
  | 'run_started_at'
  | 'workflow_url'
> & { actor: RestSimpleUser; triggering_actor: RestSimpleUser; pull_requests: [] };

type RestCombinedStatus = Pick<S['combined-commit-status'], 'state' | 'sha' | 'total_count' | 'commit_url' | 'url'> & {
  statuses: Array<
    Pick<
      S['simple-commit-status'],
      'id' | 'node_id' | 'url' | 'avatar_url' | 'state' | 'description' | 'target_url' | 'context' | 'created_at' | 'updated_at'
    >
  >;
};
type RestIssue = Pick<
  S['issue'],
  'id' | 'node_id' | 'url' | 'html_url' | 'number' | 'state' | 'title' | 'body' | 'created_at' | 'updated_at'
> & {
  user: RestSimpleUser;
  labels: Array<{ name: string }>;
};

// --- routing -------------------------------------------------------------------

type Handler = (request: RestRequest, params: string[]) => RestResponse;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export function notFound(message = 'Not Found'): RestResponse {
  return { status: 404, body: { message, documentation_url: DOCS, status: '404' } };
}

function unprocessable(message: string): RestResponse {
  return { status: 422, body: { message, documentation_url: DOCS, status: '422' } };
}

const routesByState = new WeakMap<FakeGitHubState, Route[]>();

export function handleRest(state: FakeGitHubState, request: RestRequest): RestResponse {
  let routes = routesByState.get(state);
  if (!routes) {
    routes = buildRoutes(state);
    routesByState.set(state, routes);
  }
  for (const route of routes) {
    const match = route.pattern.exec(request.path);
    if (!match || route.method !== request.method) continue;
    const params = match.slice(1).map((p) => decodeURIComponent(p ?? ''));
    // Routes under /repos/{owner}/{repo} only answer for the fake's repository.
    if (route.pattern.source.startsWith('^\\/repos\\/') && !state.isThisRepository(params[0] ?? '', params[1] ?? '')) return notFound();
    return route.handler(request, params);
  }
  return notFound();
}

function buildRoutes(state: FakeGitHubState): Route[] {
  const repoApi = (apiUrl: string): string => `${apiUrl}/repos/${state.owner}/${state.repo}`;
  const repoWeb = `${WEB}/${state.owner}/${state.repo}`;

  const simpleUser = (apiUrl: string, user: FakeUser): RestSimpleUser => {
    const login = user.type === 'Bot' && !user.login.endsWith('[bot]') ? `${user.login}[bot]` : user.login;
    return {
      login,
      id: user.id,
      node_id: Buffer.from(`U:${user.id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      url: `${apiUrl}/users/${encodeURIComponent(login)}`,
      html_url: user.type === 'Bot' ? `${WEB}/apps/${login.replace(/\[bot\]$/, '')}` : `${WEB}/${login}`,
      type: user.type,
      site_admin: false,
    };
  };

  const userOf = (apiUrl: string, login: string | null): RestSimpleUser | null => {
    const user = login ? state.users.get(login.toLowerCase()) : undefined;
    return user ? simpleUser(apiUrl, user) : null;
  };

  const restCommit = (apiUrl: string, commit: FakeCommit): RestCommit => {
    const api = repoApi(apiUrl);
    const gitUser = { name: commit.authorName, email: commit.authorEmail, date: commit.date };
    return {
      sha: commit.sha,
      node_id: Buffer.from(`C:${commit.sha}`).toString('base64'),
      url: `${api}/commits/${commit.sha}`,
      html_url: `${repoWeb}/commit/${commit.sha}`,
      comments_url: `${api}/commits/${commit.sha}/comments`,
      commit: {
        url: `${api}/git/commits/${commit.sha}`,
        author: gitUser,
        committer: { name: 'GitHub', email: 'noreply@github.com', date: commit.date },
        message: commit.message,
        comment_count: 0,
        tree: { sha: commit.sha.split('').reverse().join(''), url: `${api}/git/trees/${commit.sha.split('').reverse().join('')}` },
      },
      author: userOf(apiUrl, commit.authorLogin),
      committer: null,
      parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${repoWeb}/commit/${sha}` })),
    };
  };

  const gitRef = (apiUrl: string, fullRef: string): RestGitRef | null => {
    const api = repoApi(apiUrl);
    if (fullRef.startsWith('refs/heads/')) {
      const sha = state.branches.get(fullRef.slice('refs/heads/'.length));
      if (!sha) return null;
      return {
        ref: fullRef,
        node_id: Buffer.from(`REF:${fullRef}`).toString('base64'),
        url: `${api}/git/${fullRef}`,
        object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
      };
    }
    const tag = state.tags.get(fullRef.slice('refs/tags/'.length));
    if (!tag) return null;
    const object = tag.tagObjectSha
      ? { type: 'tag', sha: tag.tagObjectSha, url: `${api}/git/tags/${tag.tagObjectSha}` }
      : { type: 'commit', sha: tag.commitSha, url: `${api}/git/commits/${tag.commitSha}` };
    return { ref: fullRef, node_id: Buffer.from(`REF:${fullRef}`).toString('base64'), url: `${api}/git/${fullRef}`, object };
  };

  const allRefs = (): string[] =>
    [...[...state.branches.keys()].map((b) => `refs/heads/${b}`), ...[...state.tags.keys()].map((t) => `refs/tags/${t}`)].sort();

  const checkRun = (apiUrl: string, run: FakeCheckRun): RestCheckRun => ({
    id: run.id,
    head_sha: run.headSha,
    node_id: Buffer.from(`CR:${run.id}`).toString('base64'),
    external_id: '',
    url: `${repoApi(apiUrl)}/check-runs/${run.id}`,
    html_url: `${repoWeb}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${repoApi(apiUrl)}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.suiteId },
    app: { id: 3, slug: run.appSlug, name: run.appSlug, node_id: Buffer.from(`A:${run.appSlug}`).toString('base64') },
    pull_requests: [],
  });

  const pullRequest = (apiUrl: string, pr: FakePullRequest): RestPullRequest => {
    const open = pr.state === 'OPEN';
    const baseSha = state.branches.get(pr.base) ?? '0'.repeat(40);
    return {
      url: `${repoApi(apiUrl)}/pulls/${pr.number}`,
      id: 100_000 + pr.number,
      node_id: Buffer.from(`PR:${pr.number}`).toString('base64'),
      html_url: `${repoWeb}/pull/${pr.number}`,
      number: pr.number,
      state: open ? 'open' : 'closed',
      locked: false,
      title: pr.title,
      user: userOf(apiUrl, pr.authorLogin),
      body: pr.body === '' ? null : pr.body,
      labels: pr.labels.map((name, i) => ({
        id: 5000 + i,
        node_id: Buffer.from(`LA:${name}`).toString('base64'),
        url: `${repoApi(apiUrl)}/labels/${encodeURIComponent(name)}`,
        name,
        color: 'ededed',
        default: false,
        description: null,
      })),
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: open ? null : pr.updatedAt,
      merged_at: pr.state === 'MERGED' ? (pr.mergedAt ?? pr.updatedAt) : null,
      merge_commit_sha: pr.mergeCommitSha,
      draft: pr.isDraft,
      merged: pr.state === 'MERGED',
      mergeable: pr.mergeable === 'MERGEABLE' ? true : pr.mergeable === 'CONFLICTING' ? false : null,
      mergeable_state: pr.isDraft ? 'draft' : pr.mergeable === 'CONFLICTING' ? 'dirty' : pr.mergeable === 'UNKNOWN' ? 'unknown' : 'clean',
      head: { label: `${state.owner}:${pr.headRef}`, ref: pr.headRef, sha: pr.headSha },
      base: { label: `${state.owner}:${pr.base}`, ref: pr.base, sha: baseSha },
    };
  };

  const workflow = (apiUrl: string, w: FakeWorkflow): RestWorkflow => ({
    id: w.id,
    node_id: Buffer.from(`W:${w.id}`).toString('base64'),
    name: w.name,
    path: `.github/workflows/${w.fileName}`,
    state: 'active',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    url: `${repoApi(apiUrl)}/actions/workflows/${w.id}`,
    html_url: `${repoWeb}/blob/main/.github/workflows/${w.fileName}`,
    badge_url: `${repoWeb}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
  });

  const workflowRun = (apiUrl: string, run: FakeWorkflowRun): RestWorkflowRun => {
    const actor = simpleUser(apiUrl, state.ensureUser(run.actorLogin));
    const result: RestWorkflowRun = {
      id: run.id,
      name: run.name,
      node_id: Buffer.from(`WR:${run.id}`).toString('base64'),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: `.github/workflows/${run.workflowFile}`,
      display_title: run.displayTitle,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      url: `${repoApi(apiUrl)}/actions/runs/${run.id}`,
      html_url: `${repoWeb}/actions/runs/${run.id}`,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      workflow_url: `${repoApi(apiUrl)}/actions/workflows/${run.workflowId}`,
      actor,
      triggering_actor: actor,
      pull_requests: [],
    };
    if (run.runStartedAt !== null) result.run_started_at = run.runStartedAt;
    return result;
  };

  const R = (method: string, pattern: string, handler: Handler): Route => ({ method, pattern: new RegExp(pattern), handler });
  const repo = '^\\/repos\\/([^/]+)\\/([^/]+)';

  return [
    ...rerunRoutes(state, R, repo),
    R('GET', `${repo}$`, (req) => ({
      status: 200,
      body: {
        id: 1,
        node_id: 'R_1',
        name: state.repo,
        full_name: `${state.owner}/${state.repo}`,
        private: false,
        owner: { login: state.owner, id: 2, type: 'Organization' },
        html_url: repoWeb,
        url: repoApi(req.apiUrl),
        default_branch: 'main',
      },
    })),

    // Not paged: GitHub's OpenAPI description lists no per_page/page here, and GitHub ignores them and
    // answers every matching ref at once (github/docs#3863, google/go-github#1567).
    R('GET', `${repo}\\/git\\/matching-refs\\/(.*)$`, (req, [, , ref = '']) => {
      const prefix = `refs/${ref}`;
      const refs = allRefs()
        .filter((r) => r.startsWith(prefix))
        .map((r) => gitRef(req.apiUrl, r))
        .filter((r): r is RestGitRef => r !== null);
      return { status: 200, body: refs };
    }),

    R('GET', `${repo}\\/git\\/ref\\/(.+)$`, (req, [, , ref = '']) => {
      const found = gitRef(req.apiUrl, `refs/${ref}`);
      return found ? { status: 200, body: found } : notFound();
    }),

    R('GET', `${repo}\\/tags$`, (req) => {
      const tags = [...state.tags.values()].sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }));
      const api = repoApi(req.apiUrl);
      return paginate(
        req,
        tags,
        (tag: FakeTag): RestTag => ({
          name: tag.name,
          commit: { sha: tag.commitSha, url: `${api}/commits/${tag.commitSha}` },
          zipball_url: `${api}/zipball/refs/tags/${tag.name}`,
          tarball_url: `${api}/tarball/refs/tags/${tag.name}`,
          node_id: Buffer.from(`REF:refs/tags/${tag.name}`).toString('base64'),
        }),
      );
    }),

    R('GET', `${repo}\\/branches\\/(.+)$`, (req, [, , branch = '']) => {
      const sha = state.branches.get(branch);
      if (!sha) return notFound('Branch not found');
      const api = repoApi(req.apiUrl);
      const body: RestBranch = {
        name: branch,
        commit: restCommit(req.apiUrl, state.requireCommit(sha)),
        _links: { self: `${api}/branches/${branch}`, html: `${repoWeb}/tree/${branch}` },
        protected: false,
        protection_url: `${api}/branches/${branch}/protection`,
      };
      return { status: 200, body };
    }),

    R('GET', `${repo}\\/commits\\/(.+)\\/check-runs$`, (req, [, , ref = '']) => {
      const sha = state.resolveCommitish(ref);
      if (!sha) return unprocessable(`No commit found for SHA: ${ref}`);
      let runs = state.checkRunsFor(sha);
      const checkName = req.query.get('check_name');
      const status = req.query.get('status');
      const appId = req.query.get('app_id');
      if (checkName) runs = runs.filter((r) => r.name === checkName);
      if (status) runs = runs.filter((r) => r.status === status);
      if (appId) runs = runs.filter(() => appId === '3');
      const page = pageOf(req, runs);
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: page.items.map((r) => checkRun(req.apiUrl, r)) },
        headers: page.headers,
      };
    }),

    R('GET', `${repo}\\/commits\\/(.+)\\/status$`, (req, [, , ref = '']) => {
      const sha = state.resolveCommitish(ref);
      if (!sha) return unprocessable(`No commit found for SHA: ${ref}`);
      // The latest status per context (setCommitStatus keeps one), paged like any list (`per_page` ≤ 100, default 30).
      const statuses = state.commitStatuses.filter((s) => s.sha === sha);
      const page = pageOf(req, statuses);
      const combined: RestCombinedStatus['state'] = statuses.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : statuses.length === 0 || statuses.some((s) => s.state === 'pending')
          ? 'pending'
          : 'success';
      const body: RestCombinedStatus = {
        state: combined,
        sha,
        total_count: statuses.length,
        statuses: page.items.map((s) => ({
          id: s.id,
          node_id: Buffer.from(`SC:${s.id}`).toString('base64'),
          url: `${repoApi(req.apiUrl)}/statuses/${sha}`,
          avatar_url: null,
          state: s.state,
          description: s.description,
          target_url: s.targetUrl,
          context: s.context,
          created_at: s.createdAt,
          updated_at: s.createdAt,
        })),
        commit_url: `${repoApi(req.apiUrl)}/commits/${sha}`,
        url: `${repoApi(req.apiUrl)}/commits/${sha}/status`,
      };
      return { status: 200, body, headers: page.headers };
    }),

    R('GET', `${repo}\\/commits\\/(.+)$`, (req, [, , ref = '']) => {
      const sha = state.resolveCommitish(ref);
      if (!sha) return unprocessable(`No commit found for SHA: ${ref}`);
      return { status: 200, body: restCommit(req.apiUrl, state.requireCommit(sha)) };
    }),

    R('GET', `${repo}\\/pulls\\/(\\d+)$`, (req, [, , number = '']) => {
      const pr = state.pullRequests.get(Number(number));
      return pr ? { status: 200, body: pullRequest(req.apiUrl, pr) } : notFound();
    }),

    R('GET', `${repo}\\/compare\\/(.+)$`, (req, [, , basehead = '']) => {
      const separator = basehead.includes('...') ? '...' : '..';
      const [baseRef = '', headRef = ''] = basehead.split(separator);
      const base = state.resolveCommitish(baseRef);
      const head = state.resolveCommitish(headRef);
      if (!base || !head) return notFound();
      const ahead = state.commitsBetween(base, head);
      const behind = state.commitsBetween(head, base);
      const status: RestComparison['status'] =
        base === head ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
      const mergeBase = state.mergeBase(base, head);
      const api = repoApi(req.apiUrl);
      // GitHub ("Compare two commits", "Working with large comparisons"): without `per_page` or `page` the list
      // holds at most 250 commits, the last one the most recent of the comparison; with either, it is paged
      // oldest first like any list (per_page ≤ 100, default 30) with a Link header.
      const paged = req.query.has('per_page') || req.query.has('page');
      const listed = paged ? pageOf(req, ahead) : { items: ahead.slice(-COMPARE_UNPAGED_MAX), headers: {} };
      const body: RestComparison = {
        url: `${api}/compare/${baseRef}...${headRef}`,
        html_url: `${repoWeb}/compare/${baseRef}...${headRef}`,
        permalink_url: `${repoWeb}/compare/${state.owner}:${base.slice(0, 7)}...${state.owner}:${head.slice(0, 7)}`,
        diff_url: `${repoWeb}/compare/${baseRef}...${headRef}.diff`,
        patch_url: `${repoWeb}/compare/${baseRef}...${headRef}.patch`,
        base_commit: restCommit(req.apiUrl, state.requireCommit(base)),
        merge_base_commit: mergeBase ? restCommit(req.apiUrl, state.requireCommit(mergeBase)) : null,
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: listed.items.map((c) => restCommit(req.apiUrl, c)),
      };
      return { status: 200, body, headers: listed.headers };
    }),

    R('GET', `${repo}\\/actions\\/workflows\\/([^/]+)$`, (req, [, , id = '']) => {
      const w = state.findWorkflow(id);
      return w ? { status: 200, body: workflow(req.apiUrl, w) } : notFound();
    }),

    R('POST', `${repo}\\/actions\\/workflows\\/([^/]+)\\/dispatches$`, (req, [, , id = '']) => {
      const w = state.findWorkflow(id);
      if (!w) return notFound();
      const body = isRecord(req.body) ? req.body : {};
      const ref = typeof body.ref === 'string' ? body.ref : null;
      if (!ref) return unprocessable('Invalid request.\n\n"ref" wasn\'t supplied.');
      const inputs = isRecord(body.inputs) ? body.inputs : {};
      const headSha = state.resolveCommitish(ref);
      if (!headSha) return unprocessable(`No ref found for: ${ref}`);
      if (w.inputs) {
        const declared = w.inputs;
        const unexpected = Object.keys(inputs).filter((k) => !(k in declared));
        if (unexpected.length > 0) return unprocessable(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
        const missing = Object.entries(declared).find(([k, spec]) => spec.required && !(k in inputs));
        if (missing) return unprocessable(`Required input '${missing[0]}' not provided`);
      }
      state.workflowDispatches.push({ workflow: w.fileName, ref, inputs, at: Date.now() });
      if (w.createRunOnDispatch) {
        const branch = ref.replace(/^refs\/heads\//, '');
        state.addWorkflowRun(w.fileName, { headBranch: state.branches.has(branch) ? branch : null, headSha, event: 'workflow_dispatch' });
      }
      return { status: 204 };
    }),

    R('GET', `${repo}\\/actions\\/workflows\\/([^/]+)\\/runs$`, (req, [, , id = '']) => {
      const w = state.findWorkflow(id);
      if (!w) return notFound();
      let runs = [...state.workflowRuns.values()].filter((r) => r.workflowId === w.id);
      const q = req.query;
      const branch = q.get('branch');
      const event = q.get('event');
      const status = q.get('status');
      const headSha = q.get('head_sha');
      const created = q.get('created');
      if (branch) runs = runs.filter((r) => r.headBranch === branch);
      if (event) runs = runs.filter((r) => r.event === event);
      if (status) runs = runs.filter((r) => r.status === status || r.conclusion === status);
      if (headSha) runs = runs.filter((r) => r.headSha === headSha);
      if (created) runs = runs.filter((r) => matchesDateFilter(r.createdAt, created));
      runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      const page = pageOf(req, runs);
      return {
        status: 200,
        body: { total_count: runs.length, workflow_runs: page.items.map((r) => workflowRun(req.apiUrl, r)) },
        headers: page.headers,
      };
    }),

    R('GET', `${repo}\\/actions\\/runs\\/(\\d+)$`, (req, [, , id = '']) => {
      const run = state.workflowRuns.get(Number(id));
      return run ? { status: 200, body: workflowRun(req.apiUrl, run) } : notFound();
    }),

    R('POST', `${repo}\\/pulls$`, (req, [owner = '', name = '']) => {
      const body = isRecord(req.body) ? req.body : {};
      const field = (key: string) => (typeof body[key] === 'string' ? String(body[key]) : '');
      if (!field('title') || !field('head') || !field('base')) return unprocessable('Validation Failed: title, head and base are required');
      if (!state.branches.has(field('base'))) return unprocessable(`Validation Failed: base ${field('base')} does not exist`);
      const pr = state.addPullRequest({
        title: field('title'),
        body: field('body'),
        base: field('base'),
        headRef: field('head'),
        authorLogin: state.viewerLogin,
      });
      state.openedPullRequests.push({
        repository: `${owner}/${name}`,
        number: pr.number,
        head: field('head'),
        base: field('base'),
        title: field('title'),
        body: field('body'),
      });
      return {
        status: 201,
        body: { number: pr.number, html_url: `${WEB}/${owner}/${name}/pull/${pr.number}`, state: 'open', title: pr.title },
      };
    }),

    R('POST', `${repo}\\/issues$`, (req) => {
      const body = isRecord(req.body) ? req.body : {};
      const title = typeof body.title === 'string' ? body.title.trim() : '';
      if (!title) return unprocessable('Validation Failed: title is missing');
      const labels = Array.isArray(body.labels) ? body.labels.filter((l): l is string => typeof l === 'string') : [];
      const number = Math.max(0, ...state.pullRequests.keys(), ...state.issues.map((i) => i.number)) + 1;
      const createdAt = (state.now ? state.now() : new Date(Date.UTC(2024, 0, 1))).toISOString();
      const issue = {
        number,
        title,
        body: typeof body.body === 'string' ? body.body : '',
        labels,
        authorLogin: state.viewerLogin,
        createdAt,
      };
      state.issues.push(issue);
      const payload: RestIssue = {
        id: 200_000 + number,
        node_id: Buffer.from(`I:${number}`).toString('base64'),
        url: `${repoApi(req.apiUrl)}/issues/${number}`,
        html_url: `${repoWeb}/issues/${number}`,
        number,
        state: 'open',
        title,
        body: issue.body === '' ? null : issue.body,
        user: simpleUser(req.apiUrl, state.ensureUser(state.viewerLogin)),
        labels: labels.map((name) => ({ name })),
        created_at: createdAt,
        updated_at: createdAt,
      };
      return { status: 201, body: payload };
    }),

    R('GET', '^\\/users\\/([^/]+)$', (req, [login = '']) => {
      const user = state.users.get(login.toLowerCase()) ?? state.users.get(login.replace(/\[bot\]$/, '').toLowerCase());
      if (!user) return notFound();
      const body: RestPublicUser = {
        ...simpleUser(req.apiUrl, user),
        name: user.name,
        company: null,
        email: user.email,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2024-01-01T00:00:00Z',
      };
      return { status: 200, body };
    }),

    R('GET', '^\\/user$', (req) => ({ status: 200, body: simpleUser(req.apiUrl, state.ensureUser(state.viewerLogin)) })),

    R('GET', '^\\/rate_limit$', () => {
      const reset = Math.ceil(Date.now() / 1000) + 3600;
      const core = { limit: 5000, used: 1, remaining: 4999, reset };
      return { status: 200, body: { resources: { core, graphql: core }, rate: core } };
    }),
  ];
}

/**
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs` (@octokit/openapi
 * "actions/re-run-workflow-failed-jobs"): 201 with an empty object; the run is queued again with its
 * attempt counted. GitHub refuses a run still going, and one with no failed job (403), and an unknown run (404).
 */
function rerunRoutes(state: FakeGitHubState, R: (method: string, pattern: string, handler: Handler) => Route, repo: string): Route[] {
  const forbidden = (message: string): RestResponse => ({ status: 403, body: { message, documentation_url: DOCS, status: '403' } });
  return [
    R('POST', `${repo}\\/actions\\/runs\\/(\\d+)\\/rerun-failed-jobs$`, (_req, [, , id = '']) => {
      const run = state.workflowRuns.get(Number(id));
      if (!run) return notFound();
      if (run.status !== 'completed') return forbidden('This workflow is already running');
      if (run.conclusion === 'success' || run.conclusion === 'skipped' || run.conclusion === 'neutral')
        return forbidden('This workflow run cannot be retried');
      state.reruns.push({ runId: run.id, attempt: run.runAttempt + 1 });
      run.runAttempt += 1;
      run.status = 'queued';
      run.conclusion = null;
      run.updatedAt = new Date(Date.parse(run.updatedAt) + 1000).toISOString();
      const empty: components['schemas']['empty-object'] = {};
      return { status: 201, body: empty };
    }),
  ];
}

/** GitHub's `created` filter: `>=date`, `>date`, `<=date`, `<date`, `a..b` or an exact day. */
function matchesDateFilter(value: string, filter: string): boolean {
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range?.[1] && range[2]) return value >= range[1] && value <= range[2];
  const op = /^(>=|<=|>|<)(.+)$/.exec(filter);
  if (op?.[1] && op[2]) {
    const bound = new Date(op[2]).toISOString();
    if (op[1] === '>=') return value >= bound;
    if (op[1] === '>') return value > bound;
    if (op[1] === '<=') return value <= bound;
    return value < bound;
  }
  return value.startsWith(filter);
}

/**
 * GitHub's REST paging ("Using pagination in the REST API"): `per_page` defaults to 30 and anything above
 * 100 is served as 100 (no error); `page` counts from 1. The Link header names the next and last pages
 * (and first and prev after page 1), each with the query of the request and the per_page actually served.
 */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 30;
/** Compare without paging parameters lists at most this many commits. */
export const COMPARE_UNPAGED_MAX = 250;

function pageOf<T>(req: RestRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(req.query.get('per_page') ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const links: string[] = [];
  const link = (p: number, rel: string): string => {
    const query = new URLSearchParams(req.query);
    query.set('per_page', String(perPage));
    query.set('page', String(p));
    return `<${req.apiUrl}${req.path}?${query.toString()}>; rel="${rel}"`;
  };
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

function paginate<T, U>(req: RestRequest, items: T[], map: (item: T) => U): RestResponse {
  const page = pageOf(req, items);
  return { status: 200, body: page.items.map(map), headers: page.headers };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
