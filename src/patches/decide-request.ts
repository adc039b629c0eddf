/**
 * Deciding a patch request: Approve, Decline (with a reason, by modal), Ask
 * for more information (a question, by modal, sent to the requester), and
 * the requester's Withdraw. Only the train's owner or an admin decides; the
 * requester alone withdraws; everyone else is told why not. A request is
 * decided once: later clicks are told what happened.
 */
import type { types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps';
import { findOwnerOfTrain } from '../rotation/owner';
import { parseJsonObject, positiveIdOf, readStateText } from '../commands/parse-values';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { section } from '../slack/blocks';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { openModal } from '../slack/open-modal';
import { nextPatchNumber } from '../train/versions';
import { announceDotRelease, patchMessageKey, refreshRequestMessages, sendPatchOutcome } from './patch-delivery';
import {
  approvePatchRequest,
  describeSettled,
  loadPatchRequest,
  recordPatchQuestion,
  settlePatchRequest,
  type PatchRequestRecord,
} from './patch-store';
import { readTrainTags } from './train-landscape';
import { hasPlannedDotRelease } from './patch-store';

export const PATCH_DECLINE_CALLBACK = 'patch_decline';
export const PATCH_QUESTION_CALLBACK = 'patch_question';
/** Block id of the decline reason and of the question. */
export const DECISION_TEXT_BLOCK = 'text';

/** A decline's reason, or a question, has at least this many characters. */
const MIN_DECISION_TEXT = 5;

export function parseRequestId(value: string | undefined): number {
  const id = positiveIdOf(value);
  if (id === null) throw new InvalidInputError('That button does not name a patch request; use `/release patches` to find it.');
  return id;
}

async function requireRequest(deps: AppDeps, requestId: number): Promise<PatchRequestRecord> {
  const request = await loadPatchRequest(deps.db.prisma, requestId);
  if (!request) throw new InvalidInputError(`There is no patch request #${requestId}.`);
  return request;
}

/** The train's owner or an admin; anyone else gets the reason. */
async function requireDecider(deps: AppDeps, train: number, userId: string, now: Date): Promise<void> {
  const owner = await findOwnerOfTrain(deps, train);
  if (owner === userId) return;
  if (await deps.admins.isAdmin(userId, now)) return;
  throw new PermissionDeniedError(
    owner
      ? `Only ${mentionUser(owner)}, the owner of train ${train}, or an admin can decide patch requests for train ${train}.`
      : `Train ${train} has no owner assigned, so only an admin can decide its patch requests.`,
  );
}

/** After a decision is stored: the copies are redrawn and the requester told. Slack failing here is left to the reminder job. */
async function afterDecision(deps: AppDeps, requestId: number, now: Date): Promise<void> {
  try {
    await sendPatchOutcome({ deps, requestId, now });
  } catch (error) {
    deps.logger.warn(
      { err: error, request: requestId },
      'patch decision stored, but the requester could not be told yet; the reminder job will retry',
    );
  }
}

/** Approve: the request joins its train's dot release, planned by the first approval. Returns the reply for the decider. */
export async function approveRequest(options: { deps: AppDeps; requestId: number; userId: string; now: Date }): Promise<string> {
  const { deps, userId, now } = options;
  const request = await requireRequest(deps, options.requestId);
  await requireDecider(deps, request.train, userId, now);
  if (request.status !== 'pending') return describeSettled(request);
  const { settings } = deps.config;
  let nextFromTags = 1;
  if (!(await hasPlannedDotRelease(deps.db.prisma, request.train))) {
    // The first approval plans the dot release: its number comes from the train's tags.
    const tags = await readTrainTags(deps, request.train);
    nextFromTags =
      nextPatchNumber(
        tags.map((tag) => tag.name),
        request.train,
        settings.tagFormat,
      ) ?? 1;
  }
  const approved = await approvePatchRequest({
    prisma: deps.db.prisma,
    requestId: request.id,
    train: request.train,
    actor: userId,
    now,
    nextFromTags,
    settings: { tagFormat: settings.tagFormat, branchFormat: settings.branchFormat },
  });
  if (!approved) return describeSettled((await loadPatchRequest(deps.db.prisma, request.id)) ?? request);
  await afterDecision(deps, request.id, now);
  try {
    await announceDotRelease({ deps, planId: approved.planId, now });
  } catch (error) {
    deps.logger.warn(
      { err: error, plan: approved.planId },
      'dot release planned, but its announcement failed; the reminder job will retry',
    );
  }
  const plan = approved.request.dotRelease;
  const tag = plan ? ` \`${escapeMrkdwn(plan.tag)}\`` : '';
  return approved.planCreated
    ? `:white_check_mark: Approved patch request #${request.id}. Dot release *${request.train}.${plan?.patch ?? '?'}*${tag} is now planned and announced in the team channel.`
    : `:white_check_mark: Approved patch request #${request.id}: it joins dot release *${request.train}.${plan?.patch ?? '?'}*${tag}.`;
}

function decisionModal(options: {
  callbackId: string;
  title: string;
  submit: string;
  requestId: number;
  intro: string;
  label: string;
  hint: string;
}): types.ModalView {
  return {
    type: 'modal',
    callback_id: options.callbackId,
    private_metadata: JSON.stringify({ requestId: options.requestId }),
    title: { type: 'plain_text', text: options.title },
    submit: { type: 'plain_text', text: options.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(options.intro),
      {
        type: 'input',
        block_id: DECISION_TEXT_BLOCK,
        label: { type: 'plain_text', text: options.label },
        hint: { type: 'plain_text', text: options.hint },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, min_length: MIN_DECISION_TEXT, max_length: 2000 },
      },
    ],
  };
}

function summary(request: PatchRequestRecord): string {
  return `Patch request #${request.id} for train ${request.train} from ${mentionUser(request.requestedBy)}: ${request.commits.length} commit${request.commits.length === 1 ? '' : 's'}.`;
}

/** Decline and Ask: checked first, then a modal for the reason or the question. Returns a reply only when no modal opened. */
export async function openDecisionModal(options: {
  deps: AppDeps;
  kind: 'decline' | 'question';
  requestId: number;
  userId: string;
  triggerId: string;
  client: WebClient;
  now: Date;
}): Promise<string | undefined> {
  const { deps, now } = options;
  const request = await requireRequest(deps, options.requestId);
  await requireDecider(deps, request.train, options.userId, now);
  if (request.status !== 'pending') return describeSettled(request);
  const view =
    options.kind === 'decline'
      ? decisionModal({
          callbackId: PATCH_DECLINE_CALLBACK,
          title: `Decline request #${request.id}`,
          submit: 'Decline',
          requestId: request.id,
          intro: summary(request),
          label: 'Why is it declined?',
          hint: `The requester sees this. Say what would change your mind, if anything.`,
        })
      : decisionModal({
          callbackId: PATCH_QUESTION_CALLBACK,
          title: `Ask about #${request.id}`,
          submit: 'Send question',
          requestId: request.id,
          intro: `${summary(request)} The request stays open while they answer.`,
          label: 'What do you need to know?',
          hint: 'Sent to the requester by direct message.',
        });
  await openModal({ client: options.client, triggerId: options.triggerId, view });
  return undefined;
}

/** Reads a decision modal's submission, trusting neither its metadata nor the shape of its values. */
export function readDecisionModal(view: { private_metadata?: string; state?: { values?: unknown } }): {
  requestId: number;
  text: string;
} {
  const requestId = positiveIdOf(parseJsonObject(view.private_metadata)?.requestId);
  if (requestId === null) {
    throw new InvalidInputError(
      'This form is from an old or altered message, so I cannot tell which patch request it answers; close it and use `/release patches` to find the request.',
    );
  }
  const text = readStateText(view.state?.values, DECISION_TEXT_BLOCK, 'value');
  if (!text.ok) throw new InvalidInputError(text.problem);
  return { requestId, text: text.value.trim() };
}

/** What a decision modal's submission answers: errors on the field, or the modal replaced by the outcome. */
export type DecisionAck =
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: types.ModalView };

function doneModal(title: string, text: string): { response_action: 'update'; view: types.ModalView } {
  return {
    response_action: 'update',
    view: {
      type: 'modal',
      title: { type: 'plain_text', text: title },
      close: { type: 'plain_text', text: 'Close' },
      blocks: [section(text)],
    },
  };
}

/** The decline modal's submission. Returns the ack and the work to do after it. */
export async function submitDecline(options: {
  deps: AppDeps;
  requestId: number;
  reason: string;
  userId: string;
  now: Date;
}): Promise<{ ack: DecisionAck; after?: () => Promise<void> }> {
  const { deps, userId, now } = options;
  if (options.reason.length < MIN_DECISION_TEXT) {
    return {
      ack: { response_action: 'errors', errors: { [DECISION_TEXT_BLOCK]: 'A reason is required: the requester needs to know why.' } },
    };
  }
  const request = await requireRequest(deps, options.requestId);
  await requireDecider(deps, request.train, userId, now);
  const declined = await settlePatchRequest({
    prisma: deps.db.prisma,
    requestId: request.id,
    train: request.train,
    kind: 'decline',
    actor: userId,
    reason: options.reason,
    now,
  });
  if (!declined)
    return { ack: doneModal('Nothing changed', describeSettled((await loadPatchRequest(deps.db.prisma, request.id)) ?? request)) };
  return {
    ack: doneModal('Declined', `:no_entry_sign: Declined patch request #${request.id}. ${mentionUser(request.requestedBy)} is told why.`),
    after: () => afterDecision(deps, request.id, now),
  };
}

/** The question modal's submission: recorded, and sent to the requester. */
export async function submitQuestion(options: {
  deps: AppDeps;
  requestId: number;
  question: string;
  userId: string;
  now: Date;
}): Promise<{ ack: DecisionAck; after?: () => Promise<void> }> {
  const { deps, userId, now } = options;
  if (options.question.length < MIN_DECISION_TEXT) {
    return { ack: { response_action: 'errors', errors: { [DECISION_TEXT_BLOCK]: 'Write the question to send.' } } };
  }
  const request = await requireRequest(deps, options.requestId);
  await requireDecider(deps, request.train, userId, now);
  const asked = await recordPatchQuestion({
    prisma: deps.db.prisma,
    requestId: request.id,
    train: request.train,
    actor: userId,
    question: options.question,
    now,
  });
  if (!asked)
    return { ack: doneModal('Nothing changed', describeSettled((await loadPatchRequest(deps.db.prisma, request.id)) ?? request)) };
  return {
    ack: doneModal('Question sent', `:speech_balloon: Sent your question to ${mentionUser(request.requestedBy)}. The request stays open.`),
    after: async () => {
      const question = asked.decisions.filter((decision) => decision.kind === 'question' && decision.actor === userId).at(-1);
      const sent = await deps.messenger.postOnce({
        key: patchMessageKey(request.id, `question:${question?.id ?? now.getTime()}`),
        about: { train: request.train, kind: 'patch-question' },
        to: { user: request.requestedBy },
        message: {
          text:
            `${mentionUser(userId)} needs more information about your patch request #${request.id} for train ${request.train}:\n` +
            `> ${escapeMrkdwn(options.question).split('\n').join('\n> ')}\n` +
            `Answer ${mentionUser(userId)} directly; the request stays open until it is decided.`,
        },
        now,
      });
      if (sent.outcome === 'failed') throw new Error(`the question about patch request #${request.id} could not be sent: ${sent.error}`);
      await refreshRequestMessages({ deps, request: asked });
    },
  };
}

/** Withdraw: the requester takes their request back while it is pending. */
export async function withdrawRequest(options: { deps: AppDeps; requestId: number; userId: string; now: Date }): Promise<string> {
  const { deps, userId, now } = options;
  const request = await requireRequest(deps, options.requestId);
  if (request.requestedBy !== userId) {
    throw new PermissionDeniedError(
      `Only ${mentionUser(request.requestedBy)}, who asked for patch request #${request.id}, can withdraw it.`,
    );
  }
  if (request.status === 'approved') {
    return (
      `Patch request #${request.id} was already approved and is planned for train ${request.train}'s dot release; I cannot take it out. ` +
      `If it must not ship, tell the owner of train ${request.train} before they cut the dot release.`
    );
  }
  if (request.status !== 'pending') return describeSettled(request);
  const withdrawn = await settlePatchRequest({
    prisma: deps.db.prisma,
    requestId: request.id,
    train: request.train,
    kind: 'withdraw',
    actor: userId,
    reason: null,
    now,
  });
  if (!withdrawn) return describeSettled((await loadPatchRequest(deps.db.prisma, request.id)) ?? request);
  await afterDecision(deps, request.id, now);
  return `:leftwards_arrow_with_hook: You withdrew patch request #${request.id}.`;
}
