// State of the fake GitHub: a tiny repository (commits, branches, tags), pull
// requests, check runs, users and Actions workflows, with methods for a test to
// arrange a scenario. Shas, ids and default dates are deterministic.

import { createHash } from 'node:crypto';

export type CheckStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type CheckConclusion =
  | 'success'
  | 'failure'
  | 'neutral'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'action_required'
  | 'stale'
  | 'startup_failure';
/** Conclusions a check run can have (`stale` and `startup_failure` belong to suites and workflow runs). */
export type CheckRunConclusion = Exclude<CheckConclusion, 'stale' | 'startup_failure'>;
export type CommitState = 'error' | 'failure' | 'pending' | 'success';
export type RollupState = 'SUCCESS' | 'FAILURE' | 'PENDING' | 'ERROR' | 'EXPECTED';
export type MergeableState = 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';
export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED';
export type PullRequestState = 'OPEN' | 'CLOSED' | 'MERGED';
export type WorkflowRunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';

export interface FakeCommit {
  sha: string;
  message: string;
  parents: string[];
  /** ISO date, used as both author and committer date. */
  date: string;
  authorName: string;
  authorEmail: string;
  /** GitHub account of the author, null when the e-mail matches none. */
  authorLogin: string | null;
}

export interface FakeTag {
  name: string;
  /** The commit the tag points at. */
  commitSha: string;
  annotated: boolean;
  /** Sha of the tag object (annotated tags only). */
  tagObjectSha: string | null;
  message: string | null;
  /** Tagger date for annotated tags; what TAG_COMMIT_DATE orders by. */
  date: string;
}

export interface FakePullRequest {
  number: number;
  title: string;
  body: string;
  authorLogin: string | null;
  authorIsBot: boolean;
  base: string;
  headRef: string;
  headSha: string;
  isDraft: boolean;
  labels: string[];
  mergeable: MergeableState;
  reviewDecision: ReviewDecision | null;
  /** statusCheckRollup.state of the head commit; null = derived from its check runs and statuses. */
  checksState: RollupState | null;
  state: PullRequestState;
  /** The commit the merge made on the base branch (MERGED only). */
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  /** When it was merged (state MERGED), else null. */
  mergedAt: string | null;
}

export interface FakeCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckRunConclusion | null;
  detailsUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** The GitHub App that reported it; runs of one app on one commit share a check suite. */
  appSlug: string;
  suiteId: number;
}

export interface FakeCommitStatus {
  id: number;
  sha: string;
  context: string;
  state: CommitState;
  targetUrl: string | null;
  description: string | null;
  createdAt: string;
}

export interface FakeUser {
  login: string;
  id: number;
  name: string | null;
  type: 'User' | 'Bot';
  /** The public e-mail on the profile (REST `email`), null when not public. */
  email: string | null;
}

export interface FakeWorkflow {
  id: number;
  fileName: string;
  name: string;
  /** Declared `workflow_dispatch` inputs; undefined accepts any input. */
  inputs: Record<string, { required?: boolean }> | undefined;
  /** When true, each dispatch creates a queued run, as GitHub does a moment later. */
  createRunOnDispatch: boolean;
}

export interface FakeWorkflowRun {
  id: number;
  workflowId: number;
  workflowFile: string;
  name: string;
  displayTitle: string;
  headBranch: string | null;
  headSha: string;
  event: string;
  status: WorkflowRunStatus;
  conclusion: CheckConclusion | null;
  runNumber: number;
  runAttempt: number;
  actorLogin: string;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string | null;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  authorLogin: string;
  createdAt: string;
}

export interface FakeWorkflowDispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  at: number;
}

export interface AddPullRequestInput {
  number?: number;
  title: string;
  body?: string;
  authorLogin: string | null;
  authorIsBot?: boolean;
  base?: string;
  headRef?: string;
  headSha?: string;
  isDraft?: boolean;
  labels?: string[];
  mergeable?: MergeableState;
  reviewDecision?: ReviewDecision | null;
  checksState?: RollupState | null;
  state?: PullRequestState;
  /** With state MERGED: the merge commit (default: none; see `mergePullRequest`). */
  mergeCommitSha?: string | null;
  createdAt?: string;
  /** For state MERGED; default createdAt. */
  mergedAt?: string;
}

export interface SetCheckRunInput {
  name: string;
  status: CheckStatus;
  conclusion?: CheckRunConclusion | null;
  detailsUrl?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  appSlug?: string;
}

export interface AddWorkflowRunInput {
  id?: number;
  headBranch?: string | null;
  headSha?: string;
  event?: string;
  status?: WorkflowRunStatus;
  conclusion?: CheckConclusion | null;
  displayTitle?: string;
  actorLogin?: string;
  createdAt?: string;
}

const EPOCH = Date.UTC(2024, 0, 1);

export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

export class FakeGitHubState {
  readonly owner: string;
  readonly repo: string;
  /** The login the token belongs to (`viewer`, `GET /user`). */
  readonly viewerLogin = 'release-conductor-bot';

  readonly commits = new Map<string, FakeCommit>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, FakeTag>();
  readonly pullRequests = new Map<number, FakePullRequest>();
  readonly checkRuns: FakeCheckRun[] = [];
  readonly commitStatuses: FakeCommitStatus[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly workflows = new Map<string, FakeWorkflow>();
  readonly workflowRuns = new Map<number, FakeWorkflowRun>();
  /** Every accepted `workflow_dispatch`, oldest first. */
  readonly workflowDispatches: FakeWorkflowDispatch[] = [];
  /** Re-runs of failed jobs asked for (`rerun-failed-jobs`), in order. */
  readonly reruns: Array<{ runId: number; attempt: number }> = [];
  /** Issues filed through `POST /repos/{owner}/{repo}/issues`. */
  readonly issues: FakeIssue[] = [];
  /**
   * GitHub's clock, for the dates of what the fake creates by itself (runs
   * started by a dispatch, issues). Unset: deterministic dates from 2024.
   */
  now: (() => Date) | undefined;

  private commitCounter = 0;
  private prCounter = 0;
  private idCounter = 1000;
  private readonly suiteIds = new Map<string, number>();

  constructor(owner: string, repo: string) {
    this.owner = owner;
    this.repo = repo;
    this.addUser(this.viewerLogin, { name: 'Release Conductor' });
  }

  nextId(): number {
    return ++this.idCounter;
  }

  // --- arranging a scenario --------------------------------------------------

  /** Adds a commit and returns its sha (deterministic: the n-th commit of a fake always gets the same sha). */
  addCommit(input: { sha?: string; message?: string; parents?: string[]; date?: string; authorLogin?: string | null } = {}): string {
    const n = ++this.commitCounter;
    const sha = input.sha ?? fakeSha(`${this.owner}/${this.repo}:commit:${n}`);
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`fake GitHub: sha must be 40 hex digits, got ${sha}`);
    for (const parent of input.parents ?? []) this.requireCommit(parent);
    const authorLogin = input.authorLogin === undefined ? null : input.authorLogin;
    if (authorLogin) this.ensureUser(authorLogin);
    this.commits.set(sha, {
      sha,
      message: input.message ?? `Commit ${n}`,
      parents: input.parents ?? [],
      date: input.date ?? new Date(EPOCH + n * 60_000).toISOString(),
      authorName: authorLogin ?? 'Fake Author',
      authorEmail: `${authorLogin ?? 'author'}@example.com`,
      authorLogin,
    });
    return sha;
  }

  /** Adds `count` commits on top of `parent` (or of nothing) and returns their shas, oldest first. */
  addCommits(count: number, parent?: string): string[] {
    const shas: string[] = [];
    let previous = parent;
    for (let i = 0; i < count; i++) {
      previous = this.addCommit({ parents: previous ? [previous] : [] });
      shas.push(previous);
    }
    return shas;
  }

  setBranch(name: string, sha: string): void {
    this.requireCommit(sha);
    this.branches.set(name, sha);
  }

  /** Adds a tag; annotated tags get a tag object (a different sha) whose target is the commit. */
  addTag(name: string, sha: string, options: { annotated?: boolean; date?: string; message?: string } = {}): FakeTag {
    const commit = this.requireCommit(sha);
    if (this.tags.has(name)) throw new Error(`fake GitHub: tag ${name} already exists`);
    const annotated = options.annotated ?? false;
    const tag: FakeTag = {
      name,
      commitSha: sha,
      annotated,
      tagObjectSha: annotated ? fakeSha(`${this.owner}/${this.repo}:tag:${name}`) : null,
      message: annotated ? (options.message ?? name) : null,
      date: options.date ?? commit.date,
    };
    this.tags.set(name, tag);
    return tag;
  }

  addUser(login: string, options: { name?: string | null; type?: 'User' | 'Bot'; email?: string | null } = {}): FakeUser {
    const user: FakeUser = {
      login,
      id: this.nextId(),
      name: options.name ?? null,
      // GitHub logins are letters, digits and hyphens: only a GitHub App's bot is spelled `name[bot]` (as REST spells it).
      type: options.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
      email: options.email ?? null,
    };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  /** Adds a pull request; its head commit is created on top of the base branch unless `headSha` is given. */
  addPullRequest(input: AddPullRequestInput): FakePullRequest {
    const seq = ++this.prCounter;
    const number = input.number ?? Math.max(0, ...this.pullRequests.keys()) + 1;
    if (this.pullRequests.has(number)) throw new Error(`fake GitHub: pull request #${number} already exists`);
    if (input.authorLogin) this.ensureUser(input.authorLogin, input.authorIsBot ? 'Bot' : undefined);
    const base = input.base ?? 'main';
    const baseHead = this.branches.get(base);
    const headSha =
      input.headSha !== undefined
        ? this.requireCommit(input.headSha).sha
        : this.addCommit({ message: input.title, parents: baseHead ? [baseHead] : [], authorLogin: input.authorLogin });
    const createdAt = input.createdAt ?? new Date(EPOCH + seq * 60_000).toISOString();
    const pr: FakePullRequest = {
      number,
      title: input.title,
      body: input.body ?? '',
      authorLogin: input.authorLogin,
      authorIsBot: input.authorIsBot ?? input.authorLogin?.endsWith('[bot]') ?? false,
      base,
      headRef: input.headRef ?? `pr-${number}`,
      headSha,
      isDraft: input.isDraft ?? false,
      labels: input.labels ?? [],
      mergeable: input.mergeable ?? 'MERGEABLE',
      reviewDecision: input.reviewDecision ?? null,
      checksState: input.checksState ?? null,
      state: input.state ?? 'OPEN',
      mergeCommitSha: input.mergeCommitSha ?? null,
      createdAt,
      updatedAt: createdAt,
      mergedAt: input.state === 'MERGED' ? (input.mergedAt ?? createdAt) : null,
    };
    this.pullRequests.set(number, pr);
    return pr;
  }

  /**
   * Merges an open pull request as GitHub's "squash and merge" does: one new
   * commit on top of the base branch, which moves; the PR becomes MERGED with
   * that commit as its merge commit, merged at `at` (default: the commit's
   * date). Returns the merge commit's sha.
   */
  mergePullRequest(number: number, at?: string): string {
    const pr = this.pullRequests.get(number);
    if (!pr) throw new Error(`fake GitHub: no pull request #${number}`);
    if (pr.state !== 'OPEN') throw new Error(`fake GitHub: pull request #${number} is ${pr.state}, not open`);
    const baseHead = this.branches.get(pr.base);
    const sha = this.addCommit({
      message: `${pr.title} (#${number})`,
      parents: baseHead ? [baseHead] : [],
      authorLogin: pr.authorLogin,
      ...(at ? { date: at } : {}),
    });
    this.branches.set(pr.base, sha);
    const mergedAt = at ?? this.requireCommit(sha).date;
    Object.assign(pr, { state: 'MERGED' as const, mergeCommitSha: sha, mergedAt, updatedAt: mergedAt });
    return sha;
  }

  /** Closes an open pull request without merging it. */
  closePullRequest(number: number, at: string): FakePullRequest {
    const pr = this.pullRequests.get(number);
    if (!pr) throw new Error(`fake GitHub: no pull request #${number}`);
    if (pr.state !== 'OPEN') throw new Error(`fake GitHub: pull request #${number} is ${pr.state}, not open`);
    return Object.assign(pr, { state: 'CLOSED' as const, updatedAt: at });
  }

  updatePullRequest(number: number, changes: Partial<Omit<FakePullRequest, 'number'>>): FakePullRequest {
    const pr = this.pullRequests.get(number);
    if (!pr) throw new Error(`fake GitHub: no pull request #${number}`);
    Object.assign(pr, changes);
    return pr;
  }

  /** Creates or replaces the check run `name` on a commit; returns its id. */
  setCheckRun(sha: string, input: SetCheckRunInput): number {
    this.requireCommit(sha);
    const appSlug = input.appSlug ?? 'circleci-checks';
    const suiteKey = `${sha}:${appSlug}`;
    let suiteId = this.suiteIds.get(suiteKey);
    if (suiteId === undefined) {
      suiteId = this.nextId();
      this.suiteIds.set(suiteKey, suiteId);
    }
    const commitDate = this.requireCommit(sha).date;
    const completed = input.status === 'completed';
    if (completed && !input.conclusion) throw new Error('fake GitHub: a completed check run needs a conclusion');
    const existing = this.checkRuns.find((r) => r.headSha === sha && r.name === input.name);
    const run: FakeCheckRun = {
      id: existing?.id ?? this.nextId(),
      headSha: sha,
      name: input.name,
      status: input.status,
      conclusion: completed ? (input.conclusion ?? null) : null,
      detailsUrl:
        input.detailsUrl === undefined ? `https://app.circleci.com/pipelines/github/${this.owner}/${this.repo}/1` : input.detailsUrl,
      startedAt: input.startedAt === undefined ? (input.status === 'queued' ? null : commitDate) : input.startedAt,
      completedAt: input.completedAt === undefined ? (completed ? commitDate : null) : input.completedAt,
      appSlug,
      suiteId,
    };
    if (existing) this.checkRuns.splice(this.checkRuns.indexOf(existing), 1, run);
    else this.checkRuns.push(run);
    return run.id;
  }

  /** A commit status (the older API, e.g. `ci/circleci: build`). */
  setCommitStatus(
    sha: string,
    input: { context: string; state: CommitState; targetUrl?: string | null; description?: string | null },
  ): void {
    this.requireCommit(sha);
    const existing = this.commitStatuses.findIndex((s) => s.sha === sha && s.context === input.context);
    const status: FakeCommitStatus = {
      id: this.nextId(),
      sha,
      context: input.context,
      state: input.state,
      targetUrl: input.targetUrl ?? null,
      description: input.description ?? null,
      createdAt: this.requireCommit(sha).date,
    };
    if (existing >= 0) this.commitStatuses.splice(existing, 1, status);
    else this.commitStatuses.push(status);
  }

  addWorkflow(
    fileName: string,
    options: { name?: string; inputs?: Record<string, { required?: boolean }>; createRunOnDispatch?: boolean } = {},
  ): FakeWorkflow {
    const workflow: FakeWorkflow = {
      id: this.nextId(),
      fileName,
      name: options.name ?? fileName.replace(/\.ya?ml$/, ''),
      inputs: options.inputs,
      createRunOnDispatch: options.createRunOnDispatch ?? false,
    };
    this.workflows.set(fileName, workflow);
    return workflow;
  }

  addWorkflowRun(workflowFile: string, input: AddWorkflowRunInput = {}): FakeWorkflowRun {
    const workflow = this.findWorkflow(workflowFile);
    if (!workflow) throw new Error(`fake GitHub: no workflow ${workflowFile}`);
    const headBranch = input.headBranch === undefined ? 'main' : input.headBranch;
    const headSha = input.headSha ?? (headBranch ? this.branches.get(headBranch) : undefined) ?? this.addCommit();
    const createdAt = input.createdAt ?? (this.now ? this.now() : new Date(EPOCH + this.nextId() * 1000)).toISOString();
    const status = input.status ?? 'queued';
    const runNumber = [...this.workflowRuns.values()].filter((r) => r.workflowId === workflow.id).length + 1;
    const run: FakeWorkflowRun = {
      id: input.id ?? this.nextId(),
      workflowId: workflow.id,
      workflowFile: workflow.fileName,
      name: workflow.name,
      displayTitle: input.displayTitle ?? workflow.name,
      headBranch,
      headSha,
      event: input.event ?? 'workflow_dispatch',
      status,
      conclusion: status === 'completed' ? (input.conclusion ?? 'success') : null,
      runNumber,
      runAttempt: 1,
      actorLogin: input.actorLogin ?? this.viewerLogin,
      createdAt,
      updatedAt: createdAt,
      runStartedAt: status === 'queued' ? null : createdAt,
    };
    this.workflowRuns.set(run.id, run);
    return run;
  }

  updateWorkflowRun(
    id: number,
    changes: { status?: WorkflowRunStatus; conclusion?: CheckConclusion | null; updatedAt?: string; headSha?: string },
  ): FakeWorkflowRun {
    const run = this.workflowRuns.get(id);
    if (!run) throw new Error(`fake GitHub: no workflow run ${id}`);
    if (changes.status !== undefined) run.status = changes.status;
    if (changes.conclusion !== undefined) run.conclusion = changes.conclusion;
    if (changes.headSha !== undefined) run.headSha = changes.headSha;
    if (run.status === 'completed' && run.conclusion === null) throw new Error('fake GitHub: a completed run needs a conclusion');
    if (run.status !== 'queued' && run.runStartedAt === null) run.runStartedAt = changes.updatedAt ?? run.createdAt;
    run.updatedAt = changes.updatedAt ?? new Date(Date.parse(run.updatedAt) + 1000).toISOString();
    return run;
  }

  // --- lookups shared by the GraphQL and REST faces ---------------------------

  requireCommit(sha: string): FakeCommit {
    const commit = this.commits.get(sha);
    if (!commit) throw new Error(`fake GitHub: no commit ${sha}`);
    return commit;
  }

  ensureUser(login: string, type?: 'User' | 'Bot'): FakeUser {
    return this.users.get(login.toLowerCase()) ?? this.addUser(login, type ? { type } : {});
  }

  /**
   * Other repositories ("owner/name", lower case) this fake also answers for, with the same state (e.g. the private
   * repository of security releases). Tests tell them apart by `FakeGitHub.requests`' paths.
   */
  readonly alsoServes = new Set<string>();

  /** Pull requests opened through `POST /repos/{owner}/{repo}/pulls`, with the repository they were opened in. */
  readonly openedPullRequests: Array<{ repository: string; number: number; head: string; base: string; title: string; body: string }> = [];

  isThisRepository(owner: string, repo: string): boolean {
    if (this.alsoServes.has(`${owner}/${repo}`.toLowerCase())) return true;
    return owner.toLowerCase() === this.owner.toLowerCase() && repo.toLowerCase() === this.repo.toLowerCase();
  }

  findWorkflow(idOrFileName: string): FakeWorkflow | undefined {
    const byFile = this.workflows.get(idOrFileName);
    if (byFile) return byFile;
    return [...this.workflows.values()].find((w) => String(w.id) === idOrFileName);
  }

  /** Resolves a ref as GitHub does for `{ref}` parameters: sha (or prefix ≥ 7), branch, tag, heads/x, tags/x, refs/… */
  resolveCommitish(ref: string): string | null {
    if (/^[0-9a-f]{40}$/.test(ref)) return this.commits.has(ref) ? ref : null;
    const name = ref.replace(/^refs\//, '');
    if (name.startsWith('heads/')) return this.branches.get(name.slice('heads/'.length)) ?? null;
    if (name.startsWith('tags/')) return this.tags.get(name.slice('tags/'.length))?.commitSha ?? null;
    const branch = this.branches.get(ref);
    if (branch) return branch;
    const tag = this.tags.get(ref);
    if (tag) return tag.commitSha;
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      const matches = [...this.commits.keys()].filter((sha) => sha.startsWith(ref));
      if (matches.length === 1) return matches[0] ?? null;
    }
    return null;
  }

  /** Every commit reachable from `sha` (itself included). */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const current = stack.pop();
      if (current === undefined || seen.has(current)) continue;
      seen.add(current);
      stack.push(...(this.commits.get(current)?.parents ?? []));
    }
    return seen;
  }

  /** Commits reachable from `head` but not from `base`, parents before children. */
  commitsBetween(base: string | null, head: string): FakeCommit[] {
    const exclude = base ? this.ancestors(base) : new Set<string>();
    const ordered: FakeCommit[] = [];
    const visited = new Set<string>();
    const visit = (sha: string): void => {
      if (visited.has(sha) || exclude.has(sha)) return;
      visited.add(sha);
      const commit = this.commits.get(sha);
      if (!commit) return;
      for (const parent of commit.parents) visit(parent);
      ordered.push(commit);
    };
    visit(head);
    return ordered;
  }

  /** The nearest common ancestor of two commits (breadth-first from `head`). */
  mergeBase(base: string, head: string): string | null {
    const baseAncestors = this.ancestors(base);
    const queue = [head];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const sha = queue.shift();
      if (sha === undefined || seen.has(sha)) continue;
      seen.add(sha);
      if (baseAncestors.has(sha)) return sha;
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return null;
  }

  checkRunsFor(sha: string): FakeCheckRun[] {
    return this.checkRuns.filter((r) => r.headSha === sha);
  }

  /** statusCheckRollup.state of a commit: the PR's arranged value, else derived from its check runs and statuses. */
  rollupState(sha: string): RollupState | null {
    const arranged = [...this.pullRequests.values()].find((pr) => pr.headSha === sha && pr.checksState !== null);
    if (arranged?.checksState) return arranged.checksState;
    const runs = this.checkRunsFor(sha);
    const statuses = this.commitStatuses.filter((s) => s.sha === sha);
    if (runs.length === 0 && statuses.length === 0) return null;
    const failed = new Set<CheckRunConclusion | null>(['failure', 'timed_out', 'cancelled', 'action_required']);
    if (runs.some((r) => failed.has(r.conclusion)) || statuses.some((s) => s.state === 'failure')) return 'FAILURE';
    if (statuses.some((s) => s.state === 'error')) return 'ERROR';
    if (runs.some((r) => r.status !== 'completed') || statuses.some((s) => s.state === 'pending')) return 'PENDING';
    return 'SUCCESS';
  }

  /** The date TAG_COMMIT_DATE orders by. */
  tagSortDate(tag: FakeTag): string {
    return tag.date;
  }
}
