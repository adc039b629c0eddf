/**
 * GitHub's webhook deliveries, for tests: payloads built from the fake
 * GitHub's state (only the fields GitHub sends that the bot reads, plus the
 * identifying ones) and signed as GitHub signs them.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeCheckRun, FakeGitHub, FakeWorkflowRun } from './github-server';
import type { FakeCommitStatus } from './github-state';

export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function repository(github: FakeGitHub) {
  return { id: 1, name: github.repo, full_name: `${github.owner}/${github.repo}`, private: false };
}

export function workflowRunPayload(github: FakeGitHub, run: FakeWorkflowRun, action: 'requested' | 'in_progress' | 'completed') {
  return {
    action,
    workflow_run: {
      id: run.id,
      name: run.name,
      path: `.github/workflows/${run.workflowFile}`,
      workflow_id: run.workflowId,
      head_branch: run.headBranch,
      head_sha: run.headSha,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      run_number: run.runNumber,
      html_url: `https://github.com/${github.owner}/${github.repo}/actions/runs/${run.id}`,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
    },
    repository: repository(github),
    sender: { login: github.viewerLogin, type: 'User' },
  };
}

export function checkRunPayload(github: FakeGitHub, run: FakeCheckRun, action: 'created' | 'completed' | 'rerequested') {
  return {
    action,
    check_run: {
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      details_url: run.detailsUrl,
      html_url: `https://github.com/${github.owner}/${github.repo}/runs/${run.id}`,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      check_suite: { id: run.suiteId },
      app: { slug: run.appSlug },
    },
    repository: repository(github),
    sender: { login: 'circleci-checks[bot]', type: 'Bot' },
  };
}

/** A `check_suite` delivery: the suite of one app's checks on a commit, requested again (a re-run) or completed. */
export function checkSuitePayload(
  github: FakeGitHub,
  suite: { id: number; headSha: string; status: string; conclusion: string | null; appSlug?: string },
  action: 'requested' | 'rerequested' | 'completed',
) {
  return {
    action,
    check_suite: {
      id: suite.id,
      head_sha: suite.headSha,
      head_branch: null,
      status: suite.status,
      conclusion: suite.conclusion,
      app: { slug: suite.appSlug ?? 'circleci-checks' },
    },
    repository: repository(github),
    sender: { login: 'circleci-checks[bot]', type: 'Bot' },
  };
}

/**
 * A `status` delivery (a commit status set on a commit, e.g. by CircleCI), as GitHub documents it: no action;
 * `sha`, `name` (the repository), `context`, `state`, `target_url`, `description`, the commit and its branches.
 */
export function statusPayload(github: FakeGitHub, status: FakeCommitStatus) {
  return {
    id: status.id,
    sha: status.sha,
    name: `${github.owner}/${github.repo}`,
    target_url: status.targetUrl,
    avatar_url: 'https://avatars.githubusercontent.com/oa/4808',
    context: status.context,
    description: status.description,
    state: status.state,
    commit: { sha: status.sha, html_url: `https://github.com/${github.owner}/${github.repo}/commit/${status.sha}` },
    branches: [],
    created_at: status.createdAt,
    updated_at: status.createdAt,
    repository: repository(github),
    sender: { login: 'circleci-app[bot]', type: 'Bot' },
  };
}

/** Posts a delivery to the bot's `/github/webhooks`; returns the HTTP status. */
export async function sendWebhook(options: {
  url: string;
  secret: string;
  event: string;
  payload: unknown;
  deliveryId?: string;
  /** A literal signature header (null: none). Default: the right one. */
  signature?: string | null;
}): Promise<number> {
  const body = JSON.stringify(options.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': options.event,
    'x-github-delivery': options.deliveryId ?? randomUUID(),
    'user-agent': 'GitHub-Hookshot/fake',
  };
  const signature = options.signature === undefined ? signWebhook(options.secret, body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const response = await fetch(options.url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return response.status;
}
