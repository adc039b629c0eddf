/**
 * The one reading of numbers and text that come from people or from Slack
 * payloads: a train number or an id (typed, in a button's value, in a modal),
 * and text that must not hold control characters. Bounded and strict, so that
 * nothing a person can send reaches the database as a value it refuses
 * (PostgreSQL `integer` holds at most 2^31-1; `text` holds no NUL).
 */
import { InvalidInputError } from '../errors';
import { escapeMrkdwn } from '../slack/mrkdwn';

/** The largest train number or id the database holds (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647;

/**
 * A whole number from 1 to MAX_ID: a JSON number, or a string of decimal digits
 * ("302"; not "0x10", "1e3", "1.5", "-1" or " 302"). Null for anything else.
 */
export function positiveIdOf(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^[0-9]{1,10}$/.test(value)) n = Number(value);
  else return null;
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_ID ? n : null;
}

/** A train number typed as an argument; refused with what is wrong and what is expected. */
export function parseTrainArgument(arg: string | undefined, usage?: string): number {
  const train = positiveIdOf(arg);
  if (train === null) {
    const typed = arg === undefined || arg === '' ? '' : `, not \`${escapeMrkdwn(clip(arg))}\``;
    throw new InvalidInputError(`Give a train number such as \`302\`${typed}.${usage ? `\n${usage}` : ''}`);
  }
  return train;
}

/** A JSON button value as an object, or null when it is not one. */
export function parseJsonObject(value: string | undefined): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Control characters other than tab and new lines (NUL included): invisible, and NUL cannot be stored. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

/** Why `text` cannot be used as typed (a control character, named by its code point and place), or null. */
export function controlCharacterProblem(text: string, what: string): string | null {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isControl(code)) continue;
    return (
      `${what} contains an invisible control character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at character ${index + 1}, ` +
      'which I cannot store; type it again without it (pasted text sometimes carries one).'
    );
  }
  return null;
}

/** A modal's `view.state.values` entry, read without trusting its shape. */
export type StateRead<T> = { ok: true; value: T } | { ok: false; problem: string };

function stateEntry(values: unknown, block: string, action: string): Record<string, unknown> | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  const inBlock = Object.hasOwn(values, block) ? (values as Record<string, unknown>)[block] : undefined;
  if (typeof inBlock !== 'object' || inBlock === null) return undefined;
  const entry = Object.hasOwn(inBlock, action) ? (inBlock as Record<string, unknown>)[action] : undefined;
  return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
}

const UNREADABLE = 'I could not read this field as sent';

/** A text input's value ('' when empty or missing); a problem when it is not text or holds a control character. */
export function readStateText(values: unknown, block: string, action: string): StateRead<string> {
  const value = stateEntry(values, block, action)?.value;
  if (value === undefined || value === null) return { ok: true, value: '' };
  if (typeof value !== 'string') return { ok: false, problem: `${UNREADABLE} (expected text, got ${typeof value}); type it again.` };
  const problem = controlCharacterProblem(value, 'This field');
  return problem ? { ok: false, problem } : { ok: true, value };
}

/** A select's chosen value (null when nothing is chosen or the block is missing); a problem when it has another shape. */
export function readStateSelected(values: unknown, block: string, action: string): StateRead<string | null> {
  const selected = stateEntry(values, block, action)?.selected_option;
  if (selected === undefined || selected === null) return { ok: true, value: null };
  const value = typeof selected === 'object' ? (selected as Record<string, unknown>).value : undefined;
  if (typeof value !== 'string') return { ok: false, problem: `${UNREADABLE} (expected one chosen option); choose again.` };
  return { ok: true, value };
}

/** A multi-select's or checkboxes' chosen values ([] when none); a problem when they have another shape. */
export function readStateSelectedMany(values: unknown, block: string, action: string): StateRead<string[]> {
  const selected = stateEntry(values, block, action)?.selected_options;
  if (selected === undefined || selected === null) return { ok: true, value: [] };
  const chosen = Array.isArray(selected)
    ? selected.map((option: unknown) =>
        typeof option === 'object' && option !== null ? (option as Record<string, unknown>).value : undefined,
      )
    : [undefined];
  if (!chosen.every((value): value is string => typeof value === 'string')) {
    return { ok: false, problem: `${UNREADABLE} (expected a list of chosen options); choose again.` };
  }
  return { ok: true, value: chosen };
}

function clip(text: string, limit = 40): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
