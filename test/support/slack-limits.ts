/**
 * Measures a message the way Slack does, for tests: the text of every text
 * object in its blocks (Slack answers `msg_blocks_too_long` past about 12,000
 * characters in all: slackapi/bolt-js issues 2509 and 2867), and each block
 * against its documented Block Kit limit (50 blocks a message, 100 a view;
 * section text 3,000; fields 10 × 2,000; header 150; context 10 elements;
 * actions 25 elements; button text 75). Written apart from src/slack/budget.ts
 * on purpose: it checks the budgeter, it does not reuse it.
 *
 * Also reads mrkdwn as Slack does (`slackTokens`): what `<…>` becomes.
 */

export type Surface = 'message' | 'view';

export interface Measure {
  blocks: number;
  /** Characters of text in all the blocks. */
  textChars: number;
  /** Every limit broken, in words ("block 3 (section): text 3012 > 3000"). */
  breaches: string[];
}

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;

function textOf(value: unknown): string | null {
  const record = asRecord(value);
  return record && typeof record.text === 'string' ? record.text : null;
}

/** All text-object texts under `value`, depth first. */
function texts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) texts(item, out);
    return out;
  }
  const record = asRecord(value);
  if (!record) return out;
  if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string') out.push(record.text);
  for (const inner of Object.values(record)) if (typeof inner === 'object') texts(inner, out);
  return out;
}

export function measureMessage(message: { blocks?: unknown[] }, surface: Surface = 'message'): Measure {
  const blocks = message.blocks ?? [];
  const breaches: string[] = [];
  const maxBlocks = surface === 'view' ? 100 : 50;
  if (blocks.length > maxBlocks) breaches.push(`${blocks.length} blocks > ${maxBlocks}`);
  const check = (where: string, text: string | null, limit: number) => {
    if (text !== null && text.length > limit) breaches.push(`${where}: ${text.length} > ${limit}`);
  };
  for (const [i, raw] of blocks.entries()) {
    const block = asRecord(raw) ?? {};
    const where = `block ${i} (${String(block.type)})`;
    if (block.type === 'section') {
      check(`${where} text`, textOf(block.text), 3000);
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (fields.length > 10) breaches.push(`${where}: ${fields.length} fields > 10`);
      for (const field of fields) check(`${where} field`, textOf(field), 2000);
      if (!block.text && fields.length === 0) breaches.push(`${where}: neither text nor fields`);
    } else if (block.type === 'header') {
      check(`${where} text`, textOf(block.text), 150);
    } else if (block.type === 'context') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length > 10) breaches.push(`${where}: ${elements.length} elements > 10`);
      for (const element of elements) check(`${where} element`, textOf(element), 3000);
    } else if (block.type === 'actions') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length > 25) breaches.push(`${where}: ${elements.length} elements > 25`);
      for (const element of elements) check(`${where} button`, textOf(asRecord(element)?.text), 75);
    }
    for (const text of texts(block)) if (text.length === 0) breaches.push(`${where}: an empty text`);
  }
  const textChars = texts(blocks).reduce((sum, text) => sum + text.length, 0);
  if (surface === 'message' && textChars > 12_000) breaches.push(`${textChars} characters of block text > 12000`);
  return { blocks: blocks.length, textChars, breaches };
}

/** Every mrkdwn text of a message (its blocks' texts and its `text`). */
export function mrkdwnTexts(message: { text?: string; blocks?: unknown[] }): string[] {
  return [...(message.text ? [message.text] : []), ...texts(message.blocks ?? [])];
}

/** What Slack makes of `<…>` in mrkdwn: mentions, broadcasts, links, channels, dates. */
export interface SlackTokens {
  users: string[];
  broadcasts: string[];
  links: string[];
  channels: string[];
  /** `<` or `>` or `&` that Slack would not read as a token or an entity: a sign of text that was not escaped. */
  stray: string[];
}

export function slackTokens(mrkdwn: string): SlackTokens {
  const found: SlackTokens = { users: [], broadcasts: [], links: [], channels: [], stray: [] };
  let rest = mrkdwn;
  for (const match of mrkdwn.matchAll(/<([^<>]*)>/g)) {
    const inner = match[1] ?? '';
    const target = inner.split('|')[0] ?? '';
    if (target.startsWith('@')) found.users.push(target.slice(1));
    else if (target.startsWith('#')) found.channels.push(target.slice(1));
    else if (target.startsWith('!date^')) {
      // a date: not a mention, not a link
    } else if (target.startsWith('!')) found.broadcasts.push(target);
    else found.links.push(target);
    rest = rest.replace(match[0], '');
  }
  for (const match of rest.matchAll(/[<>]|&(?!(?:amp|lt|gt);)/g)) found.stray.push(match[0]);
  return found;
}
