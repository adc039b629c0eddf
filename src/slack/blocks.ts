/** Block Kit builders shared by every view: short, typed, and within Slack's limits. */
import type { types } from '@slack/bolt';
import { clipMrkdwn } from './mrkdwn';

export type Block = types.KnownBlock;

/**
 * Slack's limits on what a message or a view may hold. Slack refuses a breach
 * (`invalid_blocks`, `msg_blocks_too_long`): the message is not posted at all.
 *
 * Sources: Block Kit reference, https://docs.slack.dev/reference/block-kit/blocks
 * (section: text 3,000, fields 10 × 2,000; header: text 150; context: 10
 * elements; actions: 25 elements) and https://docs.slack.dev/reference/block-kit/block-elements/button-element
 * (button text 75, value 2,000); "blocks: up to 50 in a message, 100 in a modal
 * or Home tab" (https://docs.slack.dev/reference/methods/chat.postMessage,
 * https://docs.slack.dev/reference/views). The total: `chat.postMessage` and
 * `chat.update` answer `msg_blocks_too_long` once the text inside the blocks
 * passes about 12,000 characters, well below the documented 40,000 for `text`
 * (measured in slackapi/bolt-js issues 2509 and 2867).
 */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  /** Characters of text in all the blocks of one message, together. */
  messageBlockText: 12_000,
} as const;

const SECTION_LIMIT = SLACK_LIMITS.sectionText;
const clip = clipMrkdwn;

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.headerText), emoji: true } };
}

export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, SECTION_LIMIT) } };
}

export function fields(items: string[]): Block {
  return {
    type: 'section',
    fields: items.slice(0, SLACK_LIMITS.sectionFields).map((text) => ({ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.fieldText) })),
  };
}

export function context(...mrkdwn: string[]): Block {
  return {
    type: 'context',
    elements: mrkdwn.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.contextText) })),
  };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function button(options: { actionId: string; text: string; value?: string; style?: 'primary' | 'danger' }): types.Button {
  return {
    type: 'button',
    action_id: options.actionId,
    text: { type: 'plain_text', text: clip(options.text, SLACK_LIMITS.buttonText), emoji: true },
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.style ? { style: options.style } : {}),
  };
}

export function actions(blockId: string, elements: types.Button[]): Block {
  return { type: 'actions', block_id: blockId, elements };
}
