/**
 * The one budgeter of Slack messages: a view hands over the blocks it wants to
 * send, with its long lists left elastic (`list(…)`), and gets back blocks
 * within Slack's limits (`SLACK_LIMITS` in blocks.ts): at most 50 blocks (100
 * in a modal or the Home tab), each block within its own limits, and at most
 * `TEXT_BUDGET` characters of block text in all. What does not fit is
 * summarised, never cut inside a token: a list shows its first items, then
 * "…and M more" (with a link to the matching GitHub search when the view
 * gives one) and, when it was shortened, the counts the view gives for it
 * (by blocker, by author).
 */
import { SLACK_LIMITS, section, context, type Block } from './blocks';
import { clipMrkdwn, link } from './mrkdwn';

/**
 * The block text a budgeted message aims at: below Slack's 12,000
 * (`SLACK_LIMITS.messageBlockText`), leaving room for the updates made in
 * place later (an answered DM's status lines, a refreshed summary).
 */
export const TEXT_BUDGET = 10_000;

/** A list that gives way when the message is too long. */
export interface ElasticList {
  kind: 'elastic-list';
  /** Starts the first block, e.g. "*Open PRs into `main`* (300 by 40 authors):"; may be ''. */
  heading: string;
  /** One mrkdwn item each. */
  items: readonly string[];
  /** `lines`: one item a line, in as many sections as needed; `inline`: `heading` and the items joined with commas, in one block. */
  layout: 'lines' | 'inline';
  /** The block an inline list becomes (default a section). */
  as: 'section' | 'context';
  /** What is said for the items left out (default "…and M more"). */
  more: (left: number) => string;
  /** Shown under the heading only when items were left out: counts by blocker, by author… */
  summary: string | null;
  /** Sections of a `lines` list at most. */
  maxBlocks: number;
  /** Items shown at most, however much room there is (the rest are counted). */
  maxItems: number;
}

export type Part = Block | ElasticList;

const defaultMore = (left: number): string => `…and ${left} more`;

/** An elastic list of `items` under `heading` (see `ElasticList`). */
export function list(
  heading: string,
  items: readonly string[],
  options: Partial<Pick<ElasticList, 'layout' | 'as' | 'more' | 'summary' | 'maxBlocks' | 'maxItems'>> = {},
): ElasticList {
  return {
    kind: 'elastic-list',
    heading,
    items,
    layout: options.layout ?? 'lines',
    as: options.as ?? 'section',
    more: options.more ?? defaultMore,
    summary: options.summary ?? null,
    maxBlocks: options.maxBlocks ?? 12,
    maxItems: options.maxItems ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * "…and 240 more (all of them on GitHub)": the link is to a GitHub search of
 * `repository`'s pull requests, e.g. `is:pr is:open base:main`.
 */
export function moreOnGitHub(repository: string, query: string, label = 'all of them on GitHub'): (left: number) => string {
  return (left) => `${defaultMore(left)} (${link(githubSearchUrl(repository, query), label)})`;
}

/** The pull request search of `repository` for `query`, as GitHub writes it (`+` for spaces). */
export function githubSearchUrl(repository: string, query: string): string {
  return `https://github.com/${repository}/pulls?q=${encodeURIComponent(query).replace(/%20/g, '+')}`;
}

function isList(part: Part): part is ElasticList {
  return (part as { kind?: string }).kind === 'elastic-list';
}

/** The text Slack counts in a block: every text object's text (section text and fields, context elements, headers, buttons…). */
export function blockText(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blockText(item), 0);
  if (typeof value !== 'object' || value === null) return 0;
  const record = value as Record<string, unknown>;
  let sum = 0;
  if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string') sum += record.text.length;
  for (const [key, inner] of Object.entries(record)) if (key !== 'text' || typeof inner === 'object') sum += blockText(inner);
  return sum;
}

/** The characters a list would take in full (its natural size). */
function fullSize(part: ElasticList): number {
  const shown = part.items.slice(0, part.maxItems);
  const more = shown.length < part.items.length ? part.more(part.items.length).length + 1 : 0;
  return part.heading.length + shown.reduce((sum, item) => sum + item.length + 2, 0) + more + 1;
}

/** Splits `total` between lists wanting `wants`: each gets what it wants if it can, the rest share what is left evenly. */
function share(total: number, wants: number[]): number[] {
  const given = wants.map(() => 0);
  let open = wants.map((_, i) => i);
  let left = Math.max(0, total);
  while (open.length > 0) {
    const each = Math.floor(left / open.length);
    const satisfied = open.filter((i) => (wants[i] ?? 0) <= each);
    if (satisfied.length === 0) {
      for (const i of open) given[i] = each;
      break;
    }
    for (const i of satisfied) {
      given[i] = wants[i] ?? 0;
      left -= wants[i] ?? 0;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return given;
}

/** A `lines` list in at most `maxBlocks` sections and about `chars` characters. */
function renderLines(part: ElasticList, chars: number, maxBlocks: number): Block[] {
  const { items } = part;
  const truncated = items.length > part.maxItems || (items.length > 0 && fullSize(part) > chars);
  const sectionRoom = SLACK_LIMITS.sectionText - part.more(items.length).length - 1;
  const texts: string[] = [];
  let current = part.heading;
  if (truncated && part.summary) current = current === '' ? part.summary : `${current}\n${part.summary}`;
  let used = current.length;
  let shown = 0;
  const reserve = truncated ? part.more(items.length).length + 1 : 0;
  for (const raw of items) {
    if (shown >= part.maxItems) break;
    const item = clipMrkdwn(raw, sectionRoom - 1);
    const fitsBudget = used + item.length + 1 + reserve <= chars || shown === 0;
    if (!fitsBudget) break;
    const joined = current === '' ? item : `${current}\n${item}`;
    if (joined.length <= sectionRoom) {
      current = joined;
    } else {
      if (texts.length + 2 > maxBlocks) break;
      texts.push(current);
      current = item;
    }
    used += item.length + 1;
    shown += 1;
  }
  const left = items.length - shown;
  if (left > 0) current = current === '' ? part.more(left) : `${current}\n${part.more(left)}`;
  texts.push(current);
  return texts.map(section);
}

/**
 * `prefix` and the items joined with commas, as many as fit in `limit`
 * characters (at most `maxItems`), the rest counted: "PRs: <a|one>, <b|two> …and 2 more".
 */
export function joinInline(
  prefix: string,
  items: readonly string[],
  limit: number,
  more: (left: number) => string = defaultMore,
  maxItems = Number.POSITIVE_INFINITY,
): string {
  let text = prefix;
  for (const [index, item] of items.entries()) {
    const next = `${text}${index === 0 ? '' : ', '}${item}`;
    const tail = index === items.length - 1 ? '' : ` ${more(items.length - index - 1)}`;
    if (index >= maxItems || next.length + tail.length > limit) return `${text} ${more(items.length - index)}`;
    text = next;
  }
  return text;
}

/** An `inline` list: one block of about `chars` characters at most (within the block's own limit). */
function renderInline(part: ElasticList, chars: number): Block[] {
  const text = joinInline(part.heading, part.items, Math.min(chars, SLACK_LIMITS.sectionText), part.more, part.maxItems);
  return [part.as === 'context' ? context(text) : section(text)];
}

/** Cuts the longest texts until the blocks hold at most `limit` characters: a last resort, for fixed blocks that are too long. */
function squeeze(blocks: Block[], limit: number): Block[] {
  let excess = blockText(blocks) - limit;
  const out = [...blocks];
  while (excess > 0) {
    let longest: { index: number; text: string } | null = null;
    for (const [index, block] of out.entries()) {
      const text = block.type === 'section' ? block.text?.text : undefined;
      if (text !== undefined && text.length > (longest?.text.length ?? 100)) longest = { index, text };
    }
    const target = longest ? out[longest.index] : undefined;
    if (!longest || target?.type !== 'section' || !target.text) break;
    const clipped = clipMrkdwn(longest.text, Math.max(80, longest.text.length - excess - 1));
    if (clipped.length >= longest.text.length) break;
    excess -= longest.text.length - clipped.length;
    out[longest.index] = { ...target, text: { ...target.text, text: clipped } };
  }
  return out;
}

/**
 * The blocks of a message (or, with `surface: 'view'`, of a modal or the Home
 * tab), with its elastic lists sized to fit Slack's limits. Small messages come
 * out exactly as the view wrote them.
 */
export function fitBlocks(parts: readonly Part[], options: { surface?: 'message' | 'view'; budget?: number } = {}): Block[] {
  const maxBlocks = options.surface === 'view' ? SLACK_LIMITS.viewBlocks : SLACK_LIMITS.messageBlocks;
  const budget = Math.min(options.budget ?? TEXT_BUDGET, SLACK_LIMITS.messageBlockText);
  const lists = parts.filter(isList);
  const fixed = parts.filter((part): part is Block => !isList(part));
  const fixedText = blockText(fixed);
  const chars = share(
    budget - fixedText,
    lists.map((part) => fullSize(part)),
  );
  const blockRoom = share(
    maxBlocks - fixed.length,
    lists.map((part) => (part.layout === 'inline' ? 1 : part.maxBlocks)),
  );
  let index = 0;
  const out: Block[] = [];
  for (const part of parts) {
    if (!isList(part)) {
      out.push(part);
      continue;
    }
    const room = Math.max(200, chars[index] ?? 0);
    const blocks = Math.max(1, Math.min(part.maxBlocks, blockRoom[index] ?? 1));
    index += 1;
    out.push(...(part.layout === 'inline' ? renderInline(part, room) : renderLines(part, room, blocks)));
  }
  const kept = out.length > maxBlocks ? [...out.slice(0, maxBlocks - 1), out.at(-1) as Block] : out;
  return squeeze(kept, SLACK_LIMITS.messageBlockText - 500);
}

/** A message's blocks and its notification text, fitted. */
export function fitMessage(message: { text: string; parts: readonly Part[] }): { text: string; blocks: Block[] } {
  return { text: clipMrkdwn(message.text, 3000), blocks: fitBlocks(message.parts) };
}
