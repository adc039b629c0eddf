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
import { escapeMrkdwn } from '../slack/mrkdwn';
import { applyChanges, findRelease, type AuditDraft, type NoticeDraft, type ReleaseChanges, type TagRelease } from './release-store';
import type { TagState } from './states';
import { dispatchedNotice, imageDispatchedNotice, imageDoneNotice } from './tag-view';
import { nextCheckAt, REQUEST_STALE_MS, webhooksConfigured } from './watch-release';

export type DispatchResult =
  | { outcome: 'dispatched'; release: TagRelease | null }
  | { outcome: 'uncertain'; release: TagRelease | null; reason: string }
  | { outcome: 'refused'; release: TagRelease | null; reason: string };

/** Why GitHub refused a dispatch, for a person (mrkdwn). */
export function describeRefusal(error: GitHubError, workflow: string, repository: string): string {
  const name = `\`${escapeMrkdwn(workflow)}\``;
  if (error instanceof GitHubNotFoundError) {
    return `GitHub cannot find the workflow ${name} in ${escapeMrkdwn(repository)} (or the bot's token cannot see it). Check \`tagWorkflow\` / \`imageWorkflow\` in the settings.`;
  }
  if (error instanceof GitHubPermissionError) {
    if (error.missingScopes.length > 0) {
      const scopes = error.missingScopes.map((scope) => `\`${escapeMrkdwn(scope)}\``).join(' or ');
      const has = error.tokenScopes && error.tokenScopes.length > 0 ? error.tokenScopes.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ') : 'no scopes';
      return `GitHub refused to start ${name}: the bot's token is missing the ${scopes} scope (it has ${has}). An admin must grant it.`;
    }
    return `GitHub refused to start ${name}: ${escapeMrkdwn(error.userMessage)} (a classic token needs the \`repo\` scope; a fine-grained one "Actions: write").`;
  }
  if (error instanceof GitHubRateLimitedError) return `GitHub refused to start ${name} for now: ${escapeMrkdwn(error.userMessage)}`;
  return `GitHub refused to start ${name}: ${escapeMrkdwn(error.userMessage)}`;
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
  notices: NoticeDraft[];
  audit: AuditDraft;
}): Promise<TagRelease | null> {
  const { deps, now } = options;
  for (let tries = 0; tries < 5; tries++) {
    const row = await findRelease(deps.db.prisma, options.releaseId);
    if (!row || row.attempt !== options.attempt) return row;
    const changes = row.state === options.from ? options.changes(row) : null;
    if (!changes) return row;
    const updated = await applyChanges({ prisma: deps.db.prisma, release: row, now, changes, notices: options.notices, audit: options.audit });
    if (updated) return updated;
  }
  return findRelease(deps.db.prisma, options.releaseId);
}

function entering(row: TagRelease, state: TagState, now: Date): TagRelease {
  return { ...row, state, stateSince: now, polls: 0, overdueReportedAt: null };
}

/** Dispatches the tagging workflow for a release in `requested` (taken by the caller) and records what happened. */
export async function dispatchCut(options: { deps: AppDeps; release: TagRelease; now: Date }): Promise<DispatchResult> {
  const { deps, release, now } = options;
  const { settings } = deps.config;
  const webhooks = webhooksConfigured(deps);
  let uncertainReason: string | null = null;
  try {
    await deps.github.dispatchWorkflow({ workflow: settings.tagWorkflow, ref: settings.mainBranch });
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    if (!mayHaveStarted(error)) {
      const reason = describeRefusal(error, settings.tagWorkflow, settings.repository);
      const refused = await record({
        deps,
        releaseId: release.id,
        attempt: release.attempt,
        now,
        from: 'requested',
        changes: () => ({ state: 'refused', nextCheckAt: null, lastError: error.message.slice(0, 500) }),
        notices: [],
        audit: { actor: release.requestedBy, action: 'tag.dispatch-refused', details: { kind: error.kind, status: error.status, message: error.message } },
      });
      return { outcome: 'refused', release: refused, reason };
    }
    uncertainReason = escapeMrkdwn(error.userMessage);
  }
  const uncertain = uncertainReason !== null;
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
      dispatchedNotice({ settings, train: release.train, tag: release.tag, sha: release.sourceSha, actor: release.requestedBy, attempt: release.attempt, uncertain }),
    ],
    audit: { actor: release.requestedBy, action: 'tag.dispatch', details: { workflow: settings.tagWorkflow, ref: settings.mainBranch, attempt: release.attempt, uncertain } },
  });
  return uncertainReason === null ? { outcome: 'dispatched', release: dispatched } : { outcome: 'uncertain', release: dispatched, reason: uncertainReason };
}

/** Takes the image guard (`ci_passed` → `image_requested`) and dispatches the image workflow with `git_tag`. */
export async function dispatchImage(options: { deps: AppDeps; release: TagRelease; now: Date }): Promise<TagRelease | null> {
  const { deps, release, now } = options;
  const { settings } = deps.config;
  const webhooks = webhooksConfigured(deps);
  const taken = await applyChanges({
    prisma: deps.db.prisma,
    release,
    now,
    changes: { state: 'image_requested', nextCheckAt: new Date(now.getTime() + REQUEST_STALE_MS) },
    audit: { actor: 'system', action: 'tag.image-request', details: { workflow: settings.imageWorkflow } },
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
        notices: [imageDoneNotice({ settings, tag: release.tag, attempt: release.attempt, ok: false, url: null, detail: describeRefusal(error, settings.imageWorkflow, settings.repository) })],
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
    changes: (row) => ({ state: 'image_dispatched', imageDispatchedAt: now, nextCheckAt: nextCheckAt({ settings, webhooks, release: entering(row, 'image_dispatched', now), now }) }),
    notices: [imageDispatchedNotice({ settings, tag: release.tag, attempt: release.attempt, uncertain })],
    audit: { actor: 'system', action: 'tag.image-dispatch', details: { workflow: settings.imageWorkflow, uncertain } },
  });
}
