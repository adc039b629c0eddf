/**
 * Dispatching the workflows: the tagging workflow (a cut) and the image
 * workflow (after CI passed). The caller has taken the guard (the release row
 * in `requested` / `image_requested`); a dispatch is sent once and never
 * retried: when GitHub's answer is lost, the release is recorded as
 * dispatched with an uncertain outcome and the watcher looks for the run.
 * A refusal (workflow not found, token without the scope) records nothing as
 * dispatched and says why.
 */
import type { AppDeps } from '../deps';
import { GitHubError, GitHubNotFoundError, GitHubPermissionError, GitHubRateLimitedError, GitHubUnavailableError } from '../github/errors';
import { nameOf } from '../slack/directory';
import { commitWrite } from './commit';
import type { DispatchRefusal, DispatchResult, TagNotice } from './outcomes';
import { findRelease, type AuditDraft, type ReleaseChanges, type TagRelease } from './release-store';
import type { TagState } from './states';
import { entering, nextCheckAt, REQUEST_STALE_MS } from './watch-policy';

/** Why GitHub refused a dispatch of `workflow`, as data (tag-view.ts says it). */
export function refusalOf(error: GitHubError, workflow: string, repository: string): DispatchRefusal {
  if (error instanceof GitHubNotFoundError) return { kind: 'workflow-not-found', workflow, repository };
  if (error instanceof GitHubPermissionError) {
    if (error.missingScopes.length > 0)
      return { kind: 'missing-scopes', workflow, missingScopes: error.missingScopes, tokenScopes: error.tokenScopes };
    return { kind: 'forbidden', workflow, message: error.userMessage };
  }
  if (error instanceof GitHubRateLimitedError) return { kind: 'rate-limited', workflow, message: error.userMessage };
  return { kind: 'refused', workflow, message: error.userMessage };
}

/** Whether a failed dispatch may have started a run anyway (the answer was lost, not a refusal). */
function mayHaveStarted(error: GitHubError): boolean {
  return error instanceof GitHubUnavailableError || error.kind === 'unexpected';
}

/**
 * Records the outcome of a dispatch on the release (attempt `attempt`, still in
 * `from`), re-reading it if a webhook or the watcher changed it meanwhile.
 */
async function record(options: {
  deps: AppDeps;
  releaseId: number;
  attempt: number;
  now: Date;
  from: TagState;
  changes: (row: TagRelease) => ReleaseChanges | null;
  notices: TagNotice[];
  audit: AuditDraft;
}): Promise<TagRelease | null> {
  const { deps, now } = options;
  for (let tries = 0; tries < 5; tries++) {
    const row = await findRelease(deps.db.prisma, options.releaseId);
    if (!row || row.attempt !== options.attempt) return row;
    const changes = row.state === options.from ? options.changes(row) : null;
    if (!changes) return row;
    const updated = await commitWrite({ deps, release: row, now, write: { changes, notices: options.notices, audit: options.audit } });
    if (updated) return updated;
  }
  return findRelease(deps.db.prisma, options.releaseId);
}

/** Dispatches the tagging workflow for a release in `requested` (taken by the caller) and records what happened. */
export async function dispatchCut(options: { deps: AppDeps; release: TagRelease; now: Date }): Promise<DispatchResult> {
  const { deps, release, now } = options;
  const { settings } = deps.config;
  const webhooks = deps.githubWebhooks;
  let uncertainMessage: string | null = null;
  try {
    await deps.github.dispatchWorkflow({ workflow: settings.tagWorkflow, ref: settings.mainBranch });
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    if (!mayHaveStarted(error)) {
      const refused = await record({
        deps,
        releaseId: release.id,
        attempt: release.attempt,
        now,
        from: 'requested',
        changes: () => ({ state: 'refused', nextCheckAt: null, lastError: error.message.slice(0, 500) }),
        notices: [],
        audit: {
          actor: release.requestedBy,
          action: 'tag.dispatch-refused',
          details: { kind: error.kind, status: error.status, message: error.message },
        },
      });
      return { outcome: 'refused', release: refused, refusal: refusalOf(error, settings.tagWorkflow, settings.repository) };
    }
    uncertainMessage = error.userMessage;
  }
  const uncertain = uncertainMessage !== null;
  const dispatched = await record({
    deps,
    releaseId: release.id,
    attempt: release.attempt,
    now,
    from: 'requested',
    changes: (row) => ({
      state: 'dispatched',
      dispatchedAt: now,
      dispatchUncertain: uncertain,
      nextCheckAt: nextCheckAt({ settings, webhooks, release: entering(row, 'dispatched', now), now }),
    }),
    notices: [
      {
        kind: 'dispatched',
        train: release.train,
        tag: release.tag,
        sha: release.sourceSha,
        actor: release.requestedBy,
        actorName: await nameOf(deps, release.requestedBy),
        attempt: release.attempt,
        uncertain,
      },
    ],
    audit: {
      actor: release.requestedBy,
      action: 'tag.dispatch',
      details: { workflow: settings.tagWorkflow, ref: settings.mainBranch, attempt: release.attempt, uncertain },
    },
  });
  return uncertainMessage === null
    ? { outcome: 'dispatched', release: dispatched }
    : { outcome: 'uncertain', release: dispatched, message: uncertainMessage };
}

/** Takes the image guard (`ci_passed` → `image_requested`) and dispatches the image workflow with `git_tag`. */
export async function dispatchImage(options: { deps: AppDeps; release: TagRelease; now: Date }): Promise<TagRelease | null> {
  const { deps, release, now } = options;
  const { settings } = deps.config;
  const webhooks = deps.githubWebhooks;
  const taken = await commitWrite({
    deps,
    release,
    now,
    write: {
      changes: { state: 'image_requested', nextCheckAt: new Date(now.getTime() + REQUEST_STALE_MS) },
      audit: { actor: 'system', action: 'tag.image-request', details: { workflow: settings.imageWorkflow } },
    },
  });
  if (!taken) return null;
  let uncertain = false;
  try {
    await deps.github.dispatchWorkflow({ workflow: settings.imageWorkflow, ref: settings.mainBranch, inputs: { git_tag: release.tag } });
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    if (!mayHaveStarted(error)) {
      return record({
        deps,
        releaseId: taken.id,
        attempt: taken.attempt,
        now,
        from: 'image_requested',
        changes: () => ({ state: 'image_failed', nextCheckAt: null, lastError: error.message.slice(0, 500) }),
        notices: [
          {
            kind: 'image-failed',
            tag: release.tag,
            attempt: release.attempt,
            url: null,
            failure: { kind: 'refused', refusal: refusalOf(error, settings.imageWorkflow, settings.repository) },
          },
        ],
        audit: { actor: 'system', action: 'tag.image-dispatch-refused', details: { kind: error.kind, status: error.status } },
      });
    }
    uncertain = true;
  }
  return record({
    deps,
    releaseId: taken.id,
    attempt: taken.attempt,
    now,
    from: 'image_requested',
    changes: (row) => ({
      state: 'image_dispatched',
      imageDispatchedAt: now,
      nextCheckAt: nextCheckAt({ settings, webhooks, release: entering(row, 'image_dispatched', now), now }),
    }),
    notices: [{ kind: 'image-dispatched', tag: release.tag, attempt: release.attempt, uncertain }],
    audit: { actor: 'system', action: 'tag.image-dispatch', details: { workflow: settings.imageWorkflow, uncertain } },
  });
}
