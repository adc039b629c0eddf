/**
 * The patch requests' Slack listeners: the buttons on a request (Approve,
 * Decline, Ask, Withdraw), the buttons that open the request modal, the
 * modal's train picker, and the submissions of the request, decline and
 * question modals.
 */
import type { WebClient } from '@slack/web-api';
import { positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import type { ButtonListener, SelectListener, ViewListener } from '../feature';
import { afterAck, answerModal } from '../slack/after-ack';
import {
  approveRequest,
  DECISION_TEXT_BLOCK,
  openDecisionModal,
  parseRequestId,
  readDecisionModal,
  submitDecline,
  submitQuestion,
  withdrawRequest,
} from './decide-request';
import { FIELD } from './request-input';
import { openPatchRequestModal, redrawPatchRequestModal, submitPatchRequest } from './request-modal';

const loggerOf = (deps: AppDeps) => deps.logger.child({ module: 'patches' });

type DecisionHandler = (options: {
  deps: AppDeps;
  requestId: number;
  userId: string;
  now: Date;
  triggerId: string;
  client: WebClient;
}) => Promise<string | undefined>;

function patchDecision(deps: AppDeps, handle: DecisionHandler): ButtonListener {
  const logger = loggerOf(deps);
  return async ({ ack, body, action, respond, client }) => {
    await ack();
    const now = deps.now();
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, async () => {
      const requestId = parseRequestId(action.value);
      const reply = await handle({ deps, requestId, userId: body.user.id, now, triggerId: body.trigger_id, client });
      if (reply) await respond({ response_type: 'ephemeral', replace_original: false, text: reply });
    });
  };
}

export const patchApprove = (deps: AppDeps) => patchDecision(deps, (o) => approveRequest(o));
export const patchDecline = (deps: AppDeps) => patchDecision(deps, (o) => openDecisionModal({ ...o, kind: 'decline' }));
export const patchAsk = (deps: AppDeps) => patchDecision(deps, (o) => openDecisionModal({ ...o, kind: 'question' }));
export const patchWithdraw = (deps: AppDeps) => patchDecision(deps, (o) => withdrawRequest(o));

/** "Request a patch" (dashboard) and "Request a ride-along" (a dot-release announcement): open the request modal. */
function openRequestModal(deps: AppDeps, rideAlong: boolean): ButtonListener {
  const logger = loggerOf(deps);
  return async ({ ack, body, action, respond, client }) => {
    await ack();
    const now = deps.now();
    const train = rideAlong ? (positiveIdOf(action.value) ?? undefined) : undefined;
    // From the Home tab there is no response_url: a failure can only be logged.
    const reply = body.response_url ? respond : undefined;
    afterAck({ inFlight: deps.inFlight, logger, reply, unanswered: 'could not open the patch request modal' }, () =>
      openPatchRequestModal({
        deps,
        client,
        triggerId: body.trigger_id,
        now,
        ...(rideAlong ? { preset: { reason: 'ride-along' as const, ...(train !== undefined ? { train } : {}) } } : {}),
      }),
    );
  };
}

export const patchRequestOpen = (deps: AppDeps) => openRequestModal(deps, false);
export const patchRideAlong = (deps: AppDeps) => openRequestModal(deps, true);

/** The request modal's train picker: redraw the modal to say where the chosen train is. */
export function patchRequestTrain(deps: AppDeps): SelectListener {
  const logger = loggerOf(deps);
  return async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    // A modal has no response_url: a failure to redraw leaves the form as it was, and is logged.
    afterAck({ inFlight: deps.inFlight, logger, unanswered: 'could not redraw the patch request modal' }, () =>
      redrawPatchRequestModal({ client, view, selectedTrain: action.selected_option?.value }),
    );
  };
}

/**
 * The patch request modal's submission. Checked before the answer (errors go
 * back on the fields, the modal stays open with what was typed), stored once,
 * answered; then delivered to the owner and the channel.
 */
export function patchRequestSubmit(deps: AppDeps): ViewListener {
  const logger = loggerOf(deps);
  return async ({ ack, body, view }) => {
    const now = deps.now();
    await answerModal(
      {
        inFlight: deps.inFlight,
        logger,
        ack,
        errorBlock: FIELD.items,
        unchanged: 'nothing was sent and what you typed is kept',
        afterFailed: 'patch request stored, but not delivered yet; the patch sweep will retry',
      },
      () => submitPatchRequest({ deps, view, userId: body.user.id, now }),
    );
  };
}

/** The decline and question modals' submissions: the reason or question is required; the decision is stored once. */
function decisionSubmit(deps: AppDeps, kind: 'decline' | 'question'): ViewListener {
  const logger = loggerOf(deps);
  const submit: typeof submitDecline =
    kind === 'decline'
      ? submitDecline
      : (options) =>
          submitQuestion({
            deps: options.deps,
            requestId: options.requestId,
            question: options.reason,
            userId: options.userId,
            now: options.now,
          });
  return async ({ ack, body, view }) => {
    const now = deps.now();
    // Refusals (not the owner any more, no such request) and failures are shown on the field; the modal stays open.
    await answerModal(
      {
        inFlight: deps.inFlight,
        logger,
        ack,
        errorBlock: DECISION_TEXT_BLOCK,
        afterFailed: 'patch decision stored; telling people failed, the patch sweep will retry',
      },
      async () => {
        const { requestId, text } = readDecisionModal(view);
        return submit({ deps, requestId, reason: text, userId: body.user.id, now });
      },
    );
  };
}

export const patchDeclineSubmit = (deps: AppDeps) => decisionSubmit(deps, 'decline');
export const patchQuestionSubmit = (deps: AppDeps) => decisionSubmit(deps, 'question');
