/**
 * The patch-request sweep, every `patchRequests.checkEveryMinutes`: requests
 * not decided in time are brought back to the train's owner, later to the
 * admins (each reminder recorded, so it is sent once); and whatever Slack
 * failed to take earlier (a request's copies, an outcome, a plan's
 * announcement) is sent again.
 *
 * A request's deadline is not a fixed instant the scheduler could list (it
 * depends on rows in the database), so the sweep fires at fixed multiples of
 * its period and looks at the rows each time.
 */
import type { AppDeps } from '../deps';
import { findOwnerOfTrain } from '../rotation/owner';
import { recordAudit } from '../audit/audit-store';
import type { Settings } from '../config';
import { pruneFires, type ScheduledJob } from '../scheduler';
import { section } from '../slack/blocks';
import type { PostOutcome } from '../slack/messenger';
import { mentionUser } from '../slack/mrkdwn';
import { announceDotRelease, deliverPatchRequest, mentionAdmins, patchMessageKey, sendPatchOutcome } from './patch-delivery';
import { renderRequestMessage } from './patch-messages';
import {
  listOutcomesNotSent,
  listPlansToAnnounce,
  listRequestsToRemind,
  listUndeliveredRequests,
  loadPatchRequest,
  markRequestReminded,
  type PatchRequestRecord,
} from './patch-store';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Work the person-facing path may still be doing is left alone this long. */
const SETTLE_MS = MINUTE;

export const PATCH_SWEEP_JOB = 'patch-request-sweep';

/** Multiples of `stepMs` since the epoch in (from, to]. */
const DAY = 24 * 60 * MINUTE;

export function multiplesBetween(from: Date, to: Date, stepMs: number): Date[] {
  const fires: Date[] = [];
  for (let t = Math.floor(from.getTime() / stepMs) * stepMs + stepMs; t <= to.getTime(); t += stepMs) fires.push(new Date(t));
  return fires;
}

export function createPatchJobs(options: { settings: Settings }): Array<ScheduledJob<AppDeps>> {
  const stepMs = options.settings.patchRequests.checkEveryMinutes * MINUTE;
  return [
    {
      name: PATCH_SWEEP_JOB,
      graceMs: stepMs,
      lookbackMs: stepMs,
      firesBetween: (from, to) => multiplesBetween(from, to, stepMs),
      async run(deps, { now, scheduledAt }) {
        await sweepPatchRequests({ deps, now });
        // Its ledger would grow by a row every few minutes: once a day, forget fires older than a week.
        if (scheduledAt.getTime() % DAY === 0) {
          await pruneFires({ sql: deps.db.sql, job: PATCH_SWEEP_JOB, before: new Date(now.getTime() - 7 * DAY) });
        }
      },
    },
  ];
}

function waited(request: PatchRequestRecord, now: Date): string {
  const hours = (now.getTime() - request.createdAt.getTime()) / HOUR;
  return hours < 1.5 ? `${Math.max(1, Math.round(hours * 60))} minutes` : `${Math.round(hours)} hours`;
}

async function remind(options: { deps: AppDeps; request: PatchRequestRecord; now: Date; kind: 'owner' | 'admins' }): Promise<void> {
  const { deps, request, now, kind } = options;
  const { prisma } = deps.db;
  if (request.status !== 'pending') return;
  const ownerUserId = await findOwnerOfTrain(deps, request.train);
  const { settings } = deps.config;
  const message = renderRequestMessage(request, 'decider', {
    repository: settings.repository,
    displayTimeZones: settings.displayTimeZones,
    ownerUserId,
  });
  const recipients = kind === 'owner' && ownerUserId ? [ownerUserId] : await deps.admins.listAdmins(now);
  const lead =
    kind === 'owner' && ownerUserId
      ? `:alarm_clock: Reminder: patch request #${request.id} for train ${request.train} has waited ${waited(request, now)} for your decision.`
      : `:rotating_light: Patch request #${request.id} for train ${request.train} has waited ${waited(request, now)} without a decision` +
        `${ownerUserId ? ` from ${mentionUser(ownerUserId)}, the train's owner` : ' (the train has no owner assigned)'}. As an admin you can decide it.`;
  // Each reminder once per person (the messenger's ledger); Slack failing for a passing reason throws, and the next sweep sends the rest.
  const about = { train: request.train, kind: `patch-remind-${kind}` };
  const refused = (outcome: PostOutcome, to: string) => {
    if (outcome.outcome === 'failed')
      deps.logger.warn({ request: request.id, to, error: outcome.error }, 'Slack refused a patch reminder for good');
  };
  for (const userId of recipients) {
    const outcome = await deps.messenger.postOnce({
      key: patchMessageKey(request.id, `remind-${kind}:${userId}`),
      about,
      to: { user: userId },
      message: { text: lead, blocks: [section(lead), ...message.blocks] },
      now,
    });
    refused(outcome, userId);
  }
  if (kind === 'admins' && request.teamChannel && request.teamTs) {
    const outcome = await deps.messenger.postOnce({
      key: patchMessageKey(request.id, 'remind-admins:team-thread'),
      about,
      to: { channel: request.teamChannel },
      threadTs: request.teamTs,
      message: { text: `${mentionAdmins(deps)}: this request has waited ${waited(request, now)} without a decision.` },
      now,
    });
    refused(outcome, request.teamChannel);
  }
  if (await markRequestReminded({ prisma, requestId: request.id, kind, now })) {
    await recordAudit(prisma, {
      actor: 'system',
      action: kind === 'owner' ? 'patch.remind-owner' : 'patch.escalate',
      subject: `train:${request.train}`,
      details: { request: request.id, to: recipients },
      at: now,
    });
  }
}

/** One sweep. Every item is tried; failures are reported together at the end. */
export async function sweepPatchRequests(options: { deps: AppDeps; now: Date }): Promise<void> {
  const { deps, now } = options;
  const { prisma } = deps.db;
  const { patchRequests } = deps.config.settings;
  const settled = new Date(now.getTime() - SETTLE_MS);
  const failures: unknown[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      deps.logger.warn({ err: error, what }, `patch sweep: ${what} failed`);
      failures.push(error);
    }
  };

  for (const id of await listUndeliveredRequests(prisma, settled)) {
    await attempt(`delivering patch request #${id}`, () => deliverPatchRequest({ deps, requestId: id, now }));
  }
  for (const id of await listOutcomesNotSent(prisma, settled)) {
    await attempt(`telling the outcome of patch request #${id}`, () => sendPatchOutcome({ deps, requestId: id, now }));
  }
  for (const plan of await listPlansToAnnounce(prisma, settled)) {
    await attempt(`announcing ${plan.tag}`, () => announceDotRelease({ deps, planId: plan.id, now }));
  }
  for (const [kind, hours] of [
    ['owner', patchRequests.remindOwnerAfterHours],
    ['admins', patchRequests.escalateAfterHours],
  ] as const) {
    for (const id of await listRequestsToRemind({ prisma, kind, createdBefore: new Date(now.getTime() - hours * HOUR) })) {
      await attempt(`reminding the ${kind} of patch request #${id}`, async () => {
        const request = await loadPatchRequest(prisma, id);
        if (request) await remind({ deps, request, now, kind });
      });
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `patch sweep: ${failures.length} item(s) failed; the next sweep retries them`);
}
