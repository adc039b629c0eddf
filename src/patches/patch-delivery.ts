/**
 * Getting patch requests in front of people: the owner's DM, the team
 * channel's post and the requester's copy; keeping those copies up to date;
 * telling the requester the outcome; announcing a planned dot release.
 *
 * Each message is recorded as soon as it is posted, so that a retry (by the
 * reminder job, after Slack failed) posts only what is missing; outcomes are
 * claimed before they are sent, so that each is sent once.
 */
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit/record-audit';
import { findOwnerOfTrain } from '../rotation/owner';
import { openDm } from '../slack/dm';
import { mentionUser } from '../slack/mrkdwn';
import { loadDotReleasePlan, loadPatchRequest, withAnnouncementLock, type PatchRequestRecord } from './patch-store';
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
  const render = (audience: Audience, current: PatchRequestRecord) => renderRequestMessage(current, audience, { ...rendering(deps), ownerUserId });
  if (!request.ownerTs && ownerUserId) {
    const channel = await openDm(deps, ownerUserId);
    const posted = await deps.slack.chat.postMessage({ channel, ...render('decider', request), unfurl_links: false });
    await prisma.patchRequest.update({ where: { id: request.id }, data: { ownerChannel: posted.channel ?? channel, ownerTs: posted.ts ?? null } });
  }
  if (!request.teamTs) {
    const who = ownerUserId ? mentionUser(ownerUserId) : mentionAdmins(deps);
    const message = render('team', request);
    const posted = await deps.slack.chat.postMessage({
      channel: deps.config.settings.announcementChannel,
      text: `${who}: ${message.text} needs a decision.`,
      blocks: message.blocks,
      unfurl_links: false,
    });
    await prisma.patchRequest.update({ where: { id: request.id }, data: { teamChannel: posted.channel ?? null, teamTs: posted.ts ?? null } });
  }
  if (!request.requesterTs) {
    const channel = await openDm(deps, request.requestedBy);
    const posted = await deps.slack.chat.postMessage({ channel, ...render('requester', request), unfurl_links: false });
    await prisma.patchRequest.update({ where: { id: request.id }, data: { requesterChannel: posted.channel ?? channel, requesterTs: posted.ts ?? null } });
  }
  await prisma.patchRequest.updateMany({ where: { id: request.id, deliveredAt: null }, data: { deliveredAt: now } });
  request = await loadPatchRequest(prisma, options.requestId);
  // Decided while being delivered: the copies just posted still had buttons.
  if (request && request.status !== 'pending') await refreshRequestMessages({ deps, request });
}

/** Redraws every posted copy of a request (after a decision or a question). A copy that cannot be updated is logged. */
export async function refreshRequestMessages(options: { deps: AppDeps; request: PatchRequestRecord }): Promise<void> {
  const { deps, request } = options;
  const ownerUserId = await findOwnerOfTrain(deps, request.train);
  const copies: Array<[string | null, string | null, Audience]> = [
    [request.ownerChannel, request.ownerTs, 'decider'],
    [request.teamChannel, request.teamTs, 'team'],
    [request.requesterChannel, request.requesterTs, 'requester'],
  ];
  for (const [channel, ts, audience] of copies) {
    if (!channel || !ts) continue;
    try {
      await deps.slack.chat.update({ channel, ts, ...renderRequestMessage(request, audience, { ...rendering(deps), ownerUserId }) });
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
  const claimed = await prisma.patchRequest.updateMany({
    where: { id: options.requestId, status: { in: ['approved', 'declined', 'withdrawn'] }, outcomeSentAt: null },
    data: { outcomeSentAt: now },
  });
  if (claimed.count !== 1) return;
  try {
    const request = await loadPatchRequest(prisma, options.requestId);
    if (!request) return;
    await refreshRequestMessages({ deps, request });
    // Withdrawing was the requester's own doing: nothing to tell them.
    if (request.status === 'withdrawn') return;
    const channel = await openDm(deps, request.requestedBy);
    await deps.slack.chat.postMessage({
      channel,
      text: `Your patch request #${request.id} for train ${request.train}: ${describeOutcome(request, rendering(deps))}`,
      unfurl_links: false,
    });
  } catch (error) {
    // Not sent: give the reminder job another go.
    await prisma.patchRequest.updateMany({ where: { id: options.requestId, outcomeSentAt: now }, data: { outcomeSentAt: null } });
    throw error;
  }
}

/**
 * Posts the announcement of plan `planId` in the team channel, or updates it
 * to its current contents. Holding the plan's lock: posted once, and a later
 * approval's update never overtaken by an earlier one's.
 */
export async function announceDotRelease(options: { deps: AppDeps; planId: number; now: Date }): Promise<void> {
  const { deps, now } = options;
  await withAnnouncementLock(deps.db.prisma, options.planId, async (tx) => {
    const plan = await loadDotReleasePlan(tx, options.planId);
    if (!plan || plan.status !== 'planned') return;
    const ownerUserId = await findOwnerOfTrain(deps, plan.train);
    const message = renderPlanAnnouncement(plan, { ...rendering(deps), ownerUserId });
    if (plan.announcementChannel && plan.announcementTs) {
      await deps.slack.chat.update({ channel: plan.announcementChannel, ts: plan.announcementTs, ...message });
      await tx.dotRelease.update({ where: { id: plan.id }, data: { announcedVersion: plan.version } });
      return;
    }
    const posted = await deps.slack.chat.postMessage({ channel: deps.config.settings.announcementChannel, ...message, unfurl_links: false });
    await tx.dotRelease.update({
      where: { id: plan.id },
      data: { announcementChannel: posted.channel ?? deps.config.settings.announcementChannel, announcementTs: posted.ts ?? null, announcedVersion: plan.version },
    });
    await recordAudit(tx, { actor: 'system', action: 'patch.announce', subject: `train:${plan.train}`, details: { tag: plan.tag, ts: posted.ts ?? null }, at: now });
  });
}
