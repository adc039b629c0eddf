/**
 * The "Request a patch" modal: while the trains are being looked up, the form
 * itself, and what it becomes once sent. Where each train is (cut, on stage,
 * in production) is shown, with a warning when the chosen train is in
 * production.
 */
import type { types } from '@slack/bolt';
import {
  parseJsonObject,
  positiveIdOf,
  readStateSelected,
  readStateSelectedMany,
  readStateText,
  type StateRead,
} from '../commands/parse-values';
import { context, section, type Block } from '../slack/blocks';
import { fitBlocks } from '../slack/budget';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { FIELD, type FieldErrors, PATCH_REASONS, type PatchReason, type PatchRequestForm } from './request-input';
import type { LandscapeTrain, TrainLandscape } from './train-landscape';

export const PATCH_REQUEST_CALLBACK = 'patch_request';
/** The train picker dispatches this action, so the modal can say where the chosen train is. */
export const PATCH_REQUEST_TRAIN_ACTION = 'patch_request_train';
/** Every other input's action id. */
const VALUE = 'value';

type ModalView = types.ModalView;
type Option = {
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
  description?: { type: 'plain_text'; text: string };
};

/** What the form keeps in `private_metadata` to redraw itself when another train is picked. */
export interface RequestModalState {
  landscape: TrainLandscape;
  /** The cutoff of the train main is building, as shown to people. */
  buildingCutoff: string;
  repository: string;
  mainBranch: string;
  justificationMinLength: number;
  presetReason: PatchReason | null;
}

function plain(text: string, limit = 150): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: text.length <= limit ? text : `${text.slice(0, limit - 1)}…`, emoji: true };
}

function modal(title: string, blocks: Block[], extra: Partial<ModalView> = {}): ModalView {
  return {
    type: 'modal',
    callback_id: PATCH_REQUEST_CALLBACK,
    title: plain(title, 24),
    close: plain('Close', 24),
    blocks: fitBlocks(blocks, { surface: 'view' }),
    ...extra,
  };
}

/** Opened at once (Slack's trigger lasts 3 seconds); replaced when the trains are known. */
export function renderLoadingModal(): ModalView {
  return modal('Request a patch', [section(':hourglass_flowing_sand: Looking up where the trains are…')]);
}

/** The trains could not be looked up: nothing to fill in. */
export function renderUnavailableModal(reason: string): ModalView {
  return modal('Request a patch', [
    section(`:warning: ${escapeMrkdwn(reason)}`),
    context('Nothing was sent. Close this and try `/release request-patch` again in a moment.'),
  ]);
}

/** After a successful submission. */
export function renderSentModal(options: { requestId: number; train: number; ownerUserId: string | null; duplicate: boolean }): ModalView {
  const who = options.ownerUserId
    ? `${mentionUser(options.ownerUserId)}, the owner of train ${options.train}`
    : `the admins (train ${options.train} has no owner assigned)`;
  const first = options.duplicate
    ? `:information_source: This form was already sent as patch request #${options.requestId}; nothing was sent twice.`
    : `:white_check_mark: Patch request #${options.requestId} for train ${options.train} is on its way to ${who}.`;
  return modal('Patch request sent', [
    section(first),
    context('You will get a direct message with the decision. You can withdraw the request from that message until it is decided.'),
  ]);
}

export function describeWhere(where: string): string {
  return where === 'cut' ? 'cut, not deployed yet' : where;
}

function trainOption(train: LandscapeTrain): Option {
  const planned = train.plannedPatch !== null ? `, dot release ${train.train}.${train.plannedPatch} planned` : '';
  return { text: plain(`Train ${train.train} (${describeWhere(train.where)}${planned})`, 75), value: String(train.train) };
}

function reasonOption(reason: (typeof PATCH_REASONS)[number]): Option {
  return { text: plain(reason.label, 75), value: reason.value, description: { type: 'plain_text', text: reason.hint.slice(0, 75) } };
}

/** What the modal says about the chosen train, and the others. */
export function describeTrains(state: RequestModalState, selected: number | null): Block[] {
  const { landscape } = state;
  const lines = landscape.trains.map(
    (t) =>
      `• *Train ${t.train}*: ${describeWhere(t.where)}${t.plannedPatch !== null ? `; dot release *${t.train}.${t.plannedPatch}* is planned (ride-alongs welcome)` : ''}`,
  );
  lines.push(
    `• Train ${landscape.building} is building on \`${escapeMrkdwn(state.mainBranch)}\`: anything merged before its cutoff (${state.buildingCutoff}) rides it without a patch.`,
  );
  const blocks: Block[] = [section(`*Where the trains are*\n${lines.join('\n')}`)];
  const chosen = landscape.trains.find((t) => t.train === selected);
  if (chosen?.where === 'in production') {
    blocks.push(
      section(
        `:warning: *Train ${chosen.train} is in production.* A dot release of it reaches production soon after it is tagged. ` +
          'If you only need the fix on stage, pick the train on stage instead.',
      ),
    );
  }
  const newer = landscape.trains.filter((t) => selected !== null && t.train > selected).map((t) => t.train);
  if (chosen && newer.length > 0) {
    blocks.push(
      context(
        `Train ${newer.join(' and ')} ${newer.length === 1 ? 'is' : 'are'} newer: a fix picked onto ${chosen.train} must reach ` +
          `${newer.join(' and ')} too, or the next deploy brings the bug back. Request it for ${newer.length === 1 ? 'that train' : 'those trains'} as well.`,
      ),
    );
  }
  for (const note of landscape.notes) blocks.push(context(`:grey_question: ${escapeMrkdwn(note)}`));
  return blocks;
}

/** The form. `selected` is the train shown as chosen. */
export function renderRequestModal(state: RequestModalState, selected: number | null): ModalView {
  const { landscape } = state;
  if (landscape.trains.length === 0) {
    return renderUnavailableModal(
      `No train has been cut from ${state.repository} yet, so there is nothing to patch: what is merged to ${state.mainBranch} rides train ${landscape.building}.`,
    );
  }
  const options = landscape.trains.map(trainOption);
  const initialTrain = options.find((option) => option.value === String(selected));
  const reasons = PATCH_REASONS.map(reasonOption);
  const initialReason = reasons.find((option) => option.value === state.presetReason);
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: FIELD.train,
      label: plain('Train to patch'),
      dispatch_action: true,
      element: {
        type: 'static_select',
        action_id: PATCH_REQUEST_TRAIN_ACTION,
        placeholder: plain('Pick a train'),
        options,
        ...(initialTrain ? { initial_option: initialTrain } : {}),
      },
    },
    ...describeTrains(state, selected),
    {
      type: 'input',
      block_id: FIELD.items,
      label: plain('Commits to include'),
      hint: plain(`Commit SHAs or pull request links of ${state.repository}, one per line. They must already be on ${state.mainBranch}.`),
      element: {
        type: 'plain_text_input',
        action_id: VALUE,
        multiline: true,
        placeholder: plain(`https://github.com/${state.repository}/pull/1234`),
      },
    },
    {
      type: 'input',
      block_id: FIELD.reason,
      label: plain('Why a dot release?'),
      element: {
        type: 'static_select',
        action_id: VALUE,
        placeholder: plain('Pick a reason'),
        options: reasons,
        ...(initialReason ? { initial_option: initialReason } : {}),
      },
    },
    {
      type: 'input',
      block_id: FIELD.justification,
      label: plain('Justification'),
      hint: plain('What breaks, for whom, and why it cannot wait for the next train. Be selective: every patch adds risk.'),
      element: { type: 'plain_text_input', action_id: VALUE, multiline: true, min_length: state.justificationMinLength, max_length: 3000 },
    },
    {
      type: 'input',
      block_id: FIELD.bugUrl,
      optional: true,
      label: plain('Link to the bug or the failing test'),
      hint: plain('Required for an S1 bug or a test failure.'),
      element: { type: 'url_text_input', action_id: VALUE },
    },
    {
      type: 'input',
      block_id: FIELD.impact,
      optional: true,
      label: plain('Impact if it waits for the next train'),
      element: { type: 'plain_text_input', action_id: VALUE, multiline: true, max_length: 2000 },
    },
    {
      type: 'input',
      block_id: FIELD.verified,
      optional: true,
      label: plain('Verified'),
      element: {
        type: 'checkboxes',
        action_id: VALUE,
        options: [{ text: plain(`I have verified the fix on ${state.mainBranch}`), value: 'yes' }],
      },
    },
  ];
  return modal('Request a patch', blocks, {
    submit: plain('Send request', 24),
    close: plain('Cancel', 24),
    private_metadata: encodeState(state),
  });
}

/** Metadata is at most 3000 characters: keep it compact. */
export function encodeState(state: RequestModalState): string {
  return JSON.stringify(state);
}

export function decodeState(metadata: string | undefined): RequestModalState | null {
  const parsed = parseJsonObject(metadata);
  const landscape = parsed?.landscape;
  if (!parsed || typeof landscape !== 'object' || landscape === null) return null;
  const { trains, notes, building } = landscape as Record<string, unknown>;
  const trainsOk =
    Array.isArray(trains) &&
    trains.every((t: unknown) => typeof t === 'object' && t !== null && positiveIdOf((t as Record<string, unknown>).train) !== null);
  const texts = [parsed.buildingCutoff, parsed.repository, parsed.mainBranch].every((v) => typeof v === 'string');
  if (!trainsOk || !Array.isArray(notes) || typeof building !== 'number' || !texts || typeof parsed.justificationMinLength !== 'number') {
    return null;
  }
  return parsed as unknown as RequestModalState;
}

/**
 * Reads the submitted form without trusting its shape: a missing block reads as empty, a value of the
 * wrong type (a number where text was, an option that is not one) is a problem on its field.
 */
export function readPatchRequestForm(values: unknown): { form: PatchRequestForm; unreadable: FieldErrors } {
  const unreadable: FieldErrors = {};
  function read<T>(field: (typeof FIELD)[keyof typeof FIELD], result: StateRead<T>, empty: T): T {
    if (result.ok) return result.value;
    unreadable[field] = result.problem;
    return empty;
  }
  const trainText = read(FIELD.train, readStateSelected(values, FIELD.train, PATCH_REQUEST_TRAIN_ACTION), null);
  const form: PatchRequestForm = {
    train: positiveIdOf(trainText),
    itemsText: read(FIELD.items, readStateText(values, FIELD.items, VALUE), ''),
    reason: read(FIELD.reason, readStateSelected(values, FIELD.reason, VALUE), null),
    justification: read(FIELD.justification, readStateText(values, FIELD.justification, VALUE), ''),
    bugUrl: read(FIELD.bugUrl, readStateText(values, FIELD.bugUrl, VALUE), ''),
    impact: read(FIELD.impact, readStateText(values, FIELD.impact, VALUE), ''),
    verifiedOnMain: read(FIELD.verified, readStateSelectedMany(values, FIELD.verified, VALUE), []).includes('yes'),
  };
  return { form, unreadable };
}
