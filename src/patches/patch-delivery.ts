/**
 * Getting patch requests in front of people: the owner's DM, the team
 * channel's post and the requester's copy; keeping those copies up to date;
 * telling the requester the outcome; announcing a planned dot release.
 *
 * Every message goes through the messenger under its own key (at most once,
 * whatever the replicas, retries or crashes), so that a retry (by the
 * reminder job, after Slack failed) posts only what is missing. Where a copy
 * went is kept on the request, to redraw it.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/audit-store';
import { findOwnerOfTrain } from '../rotation/owner';
import { mentionUser } from '../slack/mrkdwn';
import { displayNames } from '../slack/directory';
import type { PostOutcome, Recipient, SlackMessage } from '../slack/messenger';
import {
  loadDotReleasePlan,
  loadPatchRequest,
  markOutcomeSent,
  markRequestDelivered,
  recordPlanAnnouncement,
  recordRequestCopy,
  withAnnouncementLock,
  type PatchRequestRecord,
  type RequestCopy,
} from './patch-store';
import { describeOutcome, renderPlanAnnouncement, renderRequestMessage, type Audience } from './patch-messages';

function rendering(deps: AppDeps) {
  const { settings } = deps.config;
  return { repository: settings.repository, displayTimeZones: settings.displayTimeZones };
}

/** Mentions of the admins, for a message that needs them. */
export function mentionAdmins(deps: AppDeps): string {
  const { admins } = deps.config.settings;
  const who = [...admins.users.map(mentionUser), ...(admins.usergroup ? [`<!subteam^${admins.usergroup}>`] : [])];
  return who.length > 0 ? who.join(' ') : 'admins (none are configured: set `admins` in the settings)';
}

/** Display names of the people a request's copies speak of (requester, owner, askers). */
async function namesFor(deps: AppDeps, request: PatchRequestRecord, ownerUserId: string | null): Promise<Map<string, string>> {
  const ids = [request.requestedBy, ...(ownerUserId ? [ownerUserId] : []), ...request.decisions.map((d) => d.actor)];
  return displayNames(deps, ids);
}

/** The ledger key of a message about patch request `requestId`. */
export function patchMessageKey(requestId: number, what: string): string {
  return `patches:request:${requestId}:${what}`;
}

/**
 * Posts a new request to its train's owner (DM), the team channel and the
 * requester (DM), skipping copies already posted. Safe to call again.
 */
export async function deliverPatchRequest(options: { deps: AppDeps; requestId: number; now: Date }): Promise<void> {
  const { deps, now } = options;
  const { prisma } = deps.db;
  let request = await loadPatchRequest(prisma, options.requestId);
  if (!request || request.deliveredAt) return;
  const ownerUserId = await findOwnerOfTrain(deps, request.train);
  const names = await namesFor(deps, request, ownerUserId);
  const render = (audience: Audience, current: PatchRequestRecord) =>
    renderRequestMessage(current, audience, { ...rendering(deps), ownerUserId, names });
  const deliver = async (copy: RequestCopy, posted: string | null, to: Recipient, message: SlackMessage) => {
    if (posted || !request) return;
    const about = { train: request.train, kind: `patch-${copy}` };
    const outcome = await deps.messenger.postOnce({ key: patchMessageKey(request.id, copy), about, to, message, now });
    const where = whereItWent(outcome);
    if (where) await recordRequestCopy({ prisma, requestId: request.id, copy, ...where });
    else if (outcome.outcome === 'failed') {
      deps.logger.warn({ request: request.id, copy, error: outcome.error }, 'Slack refused a copy of a patch request for good');
    }
  };
  if (ownerUserId) await deliver('owner', request.ownerTs, { user: ownerUserId }, render('decider', request));
  // One notification per person: the owner has her DM (the channel names her); without an owner the admins are asked here.
  const team = render('team', request);
  const teamMessage = {
    text: ownerUserId ? `${team.text} needs a decision.` : `${mentionAdmins(deps)}: ${team.text} needs a decision.`,
    blocks: team.blocks,
  };
  await deliver('team', request.teamTs, { channel: deps.config.settings.announcementChannel }, teamMessage);
  await deliver('requester', request.requesterTs, { user: request.requestedBy }, render('requester', request));
  await markRequestDelivered(prisma, request.id, now);
  request = await loadPatchRequest(prisma, options.requestId);
  // Decided while being delivered: the copies just posted still had buttons.
  if (request && request.status !== 'pending') await refreshRequestMessages({ deps, request });
}

/** Where a message went: posted now, or posted before (by a retry or replica that did not get to record it). */
function whereItWent(outcome: PostOutcome): { channel: string; ts: string | null } | undefined {
  if (outcome.outcome === 'posted') return { channel: outcome.channel, ts: outcome.ts || null };
  if (outcome.outcome !== 'already') return undefined;
  const { record } = outcome;
  return record.status === 'sent' && record.channel ? { channel: record.channel, ts: record.ts } : undefined;
}

/** Redraws every posted copy of a request (after a decision or a question). A copy that cannot be updated is logged. */
export async function refreshRequestMessages(options: { deps: AppDeps; request: PatchRequestRecord }): Promise<void> {
  const { deps, request } = options;
  const ownerUserId = await findOwnerOfTrain(deps, request.train);
  const names = await namesFor(deps, request, ownerUserId);
  const copies: Array<[string | null, string | null, Audience]> = [
    [request.ownerChannel, request.ownerTs, 'decider'],
    [request.teamChannel, request.teamTs, 'team'],
    [request.requesterChannel, request.requesterTs, 'requester'],
  ];
  for (const [channel, ts, audience] of copies) {
    if (!channel || !ts) continue;
    try {
      await deps.messenger.update({
        channel,
        ts,
        message: renderRequestMessage(request, audience, { ...rendering(deps), ownerUserId, names }),
      });
    } catch (error) {
      deps.logger.warn({ err: error, request: request.id, channel, ts }, 'could not update a copy of a patch request');
    }
  }
}

/**
 * Tells the requester how their request ended (approved, declined) and
 * redraws its copies; once per request, however many replicas or retries.
 */
export async function sendPatchOutcome(options: { deps: AppDeps; requestId: number; now: Date }): Promise<void> {
  const { deps, now } = options;
  const { prisma } = deps.db;
  const request = await loadPatchRequest(prisma, options.requestId);
  if (!request || request.outcomeSentAt || !['approved', 'declined', 'withdrawn'].includes(request.status)) return;
  await refreshRequestMessages({ deps, request });
  // Withdrawing was the requester's own doing: nothing to tell them.
  if (request.status !== 'withdrawn') {
    // Slack failing for a passing reason throws, leaving it for the reminder job; the ledger posts it once.
    const outcome = await deps.messenger.postOnce({
      key: patchMessageKey(request.id, 'outcome'),
      about: { train: request.train, kind: 'patch-outcome' },
      to: { user: request.requestedBy },
      message: { text: `Your patch request #${request.id} for train ${request.train}: ${describeOutcome(request, rendering(deps))}` },
      now,
    });
    if (outcome.outcome === 'failed')
      deps.logger.warn({ request: request.id, error: outcome.error }, 'Slack refused the outcome of a patch request for good');
  }
  await markOutcomeSent(prisma, request.id, now);
}

/**
 * Posts the announcement of plan `planId` in the team channel, or updates it
 * to its current contents. Holding the plan's lock: posted once, and a later
 * approval's update never overtaken by an earlier one's.
 */
export async function announceDotRelease(options: {
  deps: AppDeps;
  planId: number;
  now: Date;
  /** Once the run started: where it is, shown under the commits (the announcement is then only redrawn, never posted). */
  runSummary?: string;
}): Promise<void> {
  const { deps, now } = options;
  await withAnnouncementLock(deps.db.prisma, options.planId, async (tx) => {
    const plan = await loadDotReleasePlan(tx, options.planId);
    if (!plan || (plan.status !== 'planned' && options.runSummary === undefined)) return;
    const ownerUserId = await findOwnerOfTrain(deps, plan.train);
    const requesters = plan.commits.flatMap((commit) => (commit.requestedBy === null ? [] : [commit.requestedBy]));
    const names = await displayNames(deps, requesters);
    const message = renderPlanAnnouncement(plan, { ...rendering(deps), names, ownerUserId, runSummary: options.runSummary });
    if (plan.announcementChannel && plan.announcementTs) {
      await deps.messenger.update({ channel: plan.announcementChannel, ts: plan.announcementTs, message });
      await recordPlanAnnouncement(tx, { planId: plan.id, version: plan.version });
      return;
    }
    if (plan.status !== 'planned') return;
    const outcome = await deps.messenger.postOnce({
      key: `patches:dot-release:${plan.id}:announcement`,
      about: { train: plan.train, kind: 'dot-release' },
      to: { channel: deps.config.settings.announcementChannel },
      message,
      now,
    });
    if (outcome.outcome === 'failed') throw new Error(`the announcement of ${plan.tag} could not be posted: ${outcome.error}`);
    const where = whereItWent(outcome);
    // Posted by an attempt that died before Slack answered: nothing to update, and nothing to post again.
    await recordPlanAnnouncement(tx, { planId: plan.id, version: plan.version, ...(where ?? {}) });
    if (outcome.outcome === 'posted') {
      const details = { tag: plan.tag, ts: outcome.ts || null };
      await recordAudit(tx, { actor: 'system', action: 'patch.announce', subject: `train:${plan.train}`, details, at: now });
    }
  });
}
