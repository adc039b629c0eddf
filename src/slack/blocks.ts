/** Block Kit builders shared by every view: short, typed, and within Slack's limits. */
import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;

/** Slack refuses section texts longer than 3000 characters. */
const SECTION_LIMIT = 3000;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, 150), emoji: true } };
}

export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, SECTION_LIMIT) } };
}

export function fields(items: string[]): Block {
  return { type: 'section', fields: items.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: clip(text, 2000) })) };
}

export function context(...mrkdwn: string[]): Block {
  return { type: 'context', elements: mrkdwn.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: clip(text, SECTION_LIMIT) })) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function button(options: { actionId: string; text: string; value?: string; style?: 'primary' | 'danger' }): types.Button {
  return {
    type: 'button',
    action_id: options.actionId,
    text: { type: 'plain_text', text: clip(options.text, 75), emoji: true },
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.style ? { style: options.style } : {}),
  };
}

export function actions(blockId: string, elements: types.Button[]): Block {
  return { type: 'actions', block_id: blockId, elements };
}
