/**
 * The request modal's use cases: opening it (at once, within Slack's 3-second
 * trigger window, then filled in when the trains are known), redrawing it when
 * another train is picked, and its submission (checked, stored once, then
 * delivered).
 */
import type { types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import { findOwnerOfTrain } from '../rotation/owner';
import { AFTER_INTERNAL_FAILURE, InvalidInputError } from '../errors';
import { GitHubError } from '../github/errors';
import { openModal } from '../slack/open-modal';
import { formatInZones } from '../train/time-format';
import { deliverPatchRequest } from './patch-delivery';
import { createPatchRequest, findPatchRequestByView, PatchConflictError } from './patch-store';
import { checkPatchRequestForm, combineFieldErrors, FIELD, type FieldErrors, MAX_PATCH_ITEMS, type PatchReason } from './request-input';
import {
  decodeState,
  readPatchRequestForm,
  renderLoadingModal,
  renderRequestModal,
  renderSentModal,
  renderUnavailableModal,
  type RequestModalState,
} from './request-view';
import { defaultTrain, readTrainLandscape } from './train-landscape';
import { verifyPatchRequest } from './verify-request';

/** Opens the modal, then fills it in. `preset` comes from `/release request-patch N` or a ride-along button. */
export async function openPatchRequestModal(options: {
  deps: AppDeps;
  client: WebClient;
  triggerId: string;
  now: Date;
  preset?: { train?: number; reason?: PatchReason };
}): Promise<void> {
  const { deps, client, now } = options;
  const { settings } = deps.config;
  const opened = await openModal({ client, triggerId: options.triggerId, view: renderLoadingModal() });
  let view: types.ModalView;
  let failure: unknown;
  try {
    const landscape = await readTrainLandscape({ deps, now });
    const presetTrain = options.preset?.train;
    let selected = defaultTrain(landscape);
    if (presetTrain !== undefined) {
      if (landscape.trains.some((t) => t.train === presetTrain)) selected = presetTrain;
      else
        landscape.notes.unshift(
          `Train ${presetTrain} does not take patches: only cut trains among the latest ${settings.patchRequests.supportedTrains} do.`,
        );
    }
    const state: RequestModalState = {
      landscape,
      buildingCutoff: formatInZones(deps.calendar.getTrain(landscape.building).cutoff, settings.displayTimeZones),
      repository: settings.repository,
      mainBranch: settings.mainBranch,
      justificationMinLength: settings.patchRequests.justificationMinLength,
      presetReason: options.preset?.reason ?? null,
    };
    view = renderRequestModal(state, selected);
  } catch (error) {
    failure = error;
    view = renderUnavailableModal(
      error instanceof GitHubError
        ? `I cannot look up the trains right now: ${error.userMessage}`
        : `Something went wrong on my side while looking up the trains. ${AFTER_INTERNAL_FAILURE}`,
    );
  }
  // The hash makes Slack refuse the update if the view changed meanwhile (it cannot: the loading view has no inputs).
  await client.views.update({ view_id: opened.id, ...(opened.hash ? { hash: opened.hash } : {}), view });
  if (failure !== undefined && !(failure instanceof GitHubError)) throw failure;
}

/** Another train was picked: say where it is (and warn when it is in production). Keeps what was typed. */
export async function redrawPatchRequestModal(options: {
  client: WebClient;
  view: { id: string; hash?: string; private_metadata?: string };
  selectedTrain: string | undefined;
}): Promise<void> {
  const state = decodeState(options.view.private_metadata);
  if (!state) throw new InvalidInputError(ALTERED_FORM);
  const selected = positiveIdOf(options.selectedTrain);
  await options.client.views.update({
    view_id: options.view.id,
    ...(options.view.hash ? { hash: options.view.hash } : {}),
    view: renderRequestModal(state, selected),
  });
}

/** A request form whose metadata is not what the bot wrote. */
const ALTERED_FORM = 'This form is from an old or altered message; close it and open `/release request-patch` again.';

/** What the submission answers Slack with, and what to do once it has. */
export interface SubmitOutcome {
  ack: { response_action: 'errors'; errors: FieldErrors } | { response_action: 'update'; view: types.ModalView };
  after?: () => Promise<void>;
}

/** Checks, stores (once per modal) and, after the answer, delivers a patch request. */
export async function submitPatchRequest(options: {
  deps: AppDeps;
  view: { id: string; private_metadata?: string; state?: { values?: unknown } };
  userId: string;
  now: Date;
}): Promise<SubmitOutcome> {
  const { deps, view, userId, now } = options;
  const { prisma } = deps.db;
  const { settings } = deps.config;
  const sent = (requestId: number, train: number, ownerUserId: string | null, duplicate: boolean): SubmitOutcome['ack'] => ({
    response_action: 'update',
    view: renderSentModal({ requestId, train, ownerUserId, duplicate }),
  });

  // Pressed twice, or delivered twice: the form was sent already.
  const already = await findPatchRequestByView({ prisma, viewId: view.id });
  if (already) return { ack: sent(already.id, already.train, already.ownerAtRequest, true) };

  const state = decodeState(view.private_metadata);
  if (!state) {
    // Not the metadata this form was drawn with: which trains it offered is unknown, so nothing is stored.
    return { ack: { response_action: 'errors', errors: { [FIELD.train]: ALTERED_FORM } } };
  }
  const { form, unreadable } = readPatchRequestForm(view.state?.values);
  const local = checkPatchRequestForm(form, {
    repository: settings.repository,
    justificationMinLength: settings.patchRequests.justificationMinLength,
  });
  // One pass says every problem: GitHub and the database check whatever could be read, whatever else is wrong
  // (more commits than a request takes are not looked up: the form says to split them).
  const verification = await verifyPatchRequest({
    deps,
    train: form.train,
    reason: form.reason,
    items: local.items.length > MAX_PATCH_ITEMS ? [] : local.items,
  });
  const errors = combineFieldErrors(local.errors, verification.errors, unreadable);
  const verified = verification.request;
  if (Object.keys(errors).length > 0 || !verified) return { ack: { response_action: 'errors', errors } };

  const trainWhere = state.landscape.trains.find((t) => t.train === verified.train)?.where ?? 'cut';
  const ownerUserId = await findOwnerOfTrain(deps, verified.train);
  let stored;
  try {
    stored = await createPatchRequest({
      prisma,
      verified,
      form,
      viewId: view.id,
      requestedBy: userId,
      trainWhere,
      ownerAtRequest: ownerUserId,
      now,
    });
  } catch (error) {
    if (!(error instanceof PatchConflictError)) throw error;
    // Someone asked for the same commits, or the planned dot release went away, while this was being checked.
    return { ack: { response_action: 'errors', errors: { [error.field === 'reason' ? FIELD.reason : FIELD.items]: error.userMessage } } };
  }
  const { request, created } = stored;
  return {
    ack: sent(request.id, request.train, ownerUserId, !created),
    ...(created ? { after: () => deliverPatchRequest({ deps, requestId: request.id, now }) } : {}),
  };
}
